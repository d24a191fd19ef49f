/* testutil.h - small helpers shared by the cmocka tests: scratch folders, files, running the CLI.
 * Include after <setjmp.h>, <stdarg.h>, <stddef.h> and <cmocka.h>.
 */
#ifndef INITLAB_TESTUTIL_H
#define INITLAB_TESTUTIL_H

#include <stddef.h>

#include "initlab/status.h"

/* A fresh empty folder under the build tree (or /tmp), unique per call; returned path is static-owned
 * by the caller (free it). Removed by nothing: the build tree is scratch. */
char *tu_make_tmpdir(const char *tag);
/* Read a whole file into a NUL-terminated malloc'ed buffer; NULL if it cannot be read. */
char *tu_read_file(const char *path, size_t *size);
/* Write size bytes to path; returns 0 on success. */
int tu_write_file(const char *path, const void *data, size_t size);
/* Run a shell command, capture stdout+stderr (malloc'ed, may be NULL); returns the exit status
 * (0-255) or -1 if it could not run. */
int tu_run(const char *command, char **output);
/* Path of the initlab program built by this build (CMake compiles it in as INITLAB_EXE); fails the
 * running test when the build has none or the file is not there, rather than run another initlab. */
const char *tu_exe(void);
/* Load the data source spec with default options and free it again: the status and message of the
 * load (for tests of what a loader refuses). */
il_status tu_load_spec(const char *spec, il_error *err);
/* Path of a file in the source tree: tu_source_path("tests/data/bad/x") (static buffer). */
const char *tu_source_path(const char *relative);

#endif
