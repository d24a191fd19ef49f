/* status.h - the failure contract shared by every library call.
 *
 * Library functions return an il_status and, on failure, fill an il_error with one sentence that names
 * the file, the place (byte offset, row, line, key) and what was expected. They never print or exit:
 * only the CLI's main() turns an error into a message and an exit code.
 */
#ifndef INITLAB_STATUS_H
#define INITLAB_STATUS_H

#include <stddef.h>

typedef enum {
    IL_OK = 0,
    IL_ERR_USAGE,   /* a bad flag, option or config value: the caller's mistake (CLI exit 2) */
    IL_ERR_IO,      /* a file could not be opened, read or written */
    IL_ERR_FORMAT,  /* a file's content is not what its format promises */
    IL_ERR_NOMEM,   /* an allocation failed */
    IL_ERR_NUMERIC, /* NaN or Inf appeared (a diverged run) */
    IL_ERR_STOPPED  /* the user interrupted the work (Ctrl-C) */
} il_status;

typedef struct {
    il_status status;
    char msg[1024];
} il_error;

/* Fill err (may be NULL) with a printf-style message and return status. */
il_status il_fail(il_error *err, il_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Reset err to "no error". */
void il_error_clear(il_error *err);

/* A short English name of a status ("usage error", "I/O error", ...). */
const char *il_status_name(il_status status);

#endif
