/* files.h - internal (il__): the one whole-file reader, the one atomic whole-file writer, the one path
 * joiner and the one string duplicator every part of initlab uses. Not installed: a user of the library
 * has the C library for these; only initlab's own sources include it.
 */
#ifndef INITLAB_CORE_FILES_H
#define INITLAB_CORE_FILES_H

#include <stddef.h>

#include "initlab/status.h"

/* Read the whole file at path into *text (malloc'ed, NUL-terminated; the caller frees it) and its length
 * into *size (the NUL not counted; the file may itself hold NUL bytes). max_bytes > 0 refuses a larger
 * file with IL_ERR_FORMAT ("path has N bytes, more than ..."), before reading when the file says its
 * size, else as soon as more arrives (a pipe or device never takes more than max_bytes + 1 bytes of
 * memory); 0 = no limit, only for files initlab wrote itself. On failure *text is NULL, *size 0 and err names
 * the path: IL_ERR_IO (cannot open or read, or it is a folder), IL_ERR_NOMEM. */
il_status il__read_file(const char *path, size_t max_bytes, char **text, size_t *size, il_error *err);

/* A format's judgement of a file from its first bytes: head holds the first head_bytes of the file
 * (fewer only when the file is shorter). It may lower *max_bytes to the size the head declares (an
 * IDX or model header gives the exact size), or refuse the file with a status and a message naming
 * path. */
typedef il_status (*il__file_judge)(const unsigned char *head, size_t len, const char *path, void *ctx,
                                    size_t *max_bytes, il_error *err);
/* il__read_file that reads the first head_bytes, lets judge see them, then reads at most what judge
 * allows: an endless stream (a FIFO, /dev/zero) is refused within head_bytes or one byte past the
 * declared size, and a regular file larger than its header declares before the rest is read. The
 * messages then say "more than the N bytes its header allows". */
il_status il__read_file_judged(const char *path, size_t max_bytes, size_t head_bytes, il__file_judge judge,
                               void *ctx, char **text, size_t *size, il_error *err);

/* il__read_file for a text file (an experiment, meta, a results CSV): a NUL byte among its first 64 KiB
 * (a binary file, /dev/zero) refuses it, naming the byte, before more is read. */
il_status il__read_text_file(const char *path, size_t max_bytes, char **text, size_t *size, il_error *err);
/* The most initlab reads of a results file it wrote itself (a run's curves.csv, a results folder's
 * config.ini): 1 GiB, far past a long experiment's curves, short of what a wrong file could cost. */
#define IL__RESULT_FILE_MAX_BYTES ((size_t)1 << 30)

/* Write size bytes to path atomically (il_atomic_*: whole or not at all). */
il_status il__write_file(const char *path, const char *bytes, size_t size, il_error *err);

/* "a/b" into buf (a "" gives "b"; a trailing '/' of a is not doubled). IL_ERR_USAGE naming both parts
 * if it does not fit in size bytes; buf then holds "". */
il_status il__path_join(char *buf, size_t size, const char *a, const char *b, il_error *err);

/* A malloc'ed copy of s (NULL when out of memory). il__strndup copies at most n bytes and terminates. */
char *il__strdup(const char *s);
char *il__strndup(const char *s, size_t n);

#endif
