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
 * size, else as soon as more arrives; 0 = no limit. On failure *text is NULL, *size 0 and err names the
 * path: IL_ERR_IO (cannot open or read, or it is a folder), IL_ERR_NOMEM. */
il_status il__read_file(const char *path, size_t max_bytes, char **text, size_t *size, il_error *err);

/* Write size bytes to path atomically (il_atomic_*: whole or not at all). */
il_status il__write_file(const char *path, const char *bytes, size_t size, il_error *err);

/* "a/b" into buf (a "" gives "b"; a trailing '/' of a is not doubled). IL_ERR_USAGE naming both parts
 * if it does not fit in size bytes; buf then holds "". */
il_status il__path_join(char *buf, size_t size, const char *a, const char *b, il_error *err);

/* A malloc'ed copy of s (NULL when out of memory). il__strndup copies at most n bytes and terminates. */
char *il__strdup(const char *s);
char *il__strndup(const char *s, size_t n);

#endif
