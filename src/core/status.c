/* status.c - filling an il_error; the only formatting the library does for failures. */
#include "initlab/status.h"

#include <stdarg.h>
#include <stdio.h>

il_status il_fail(il_error *err, il_status status, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}

void il_error_clear(il_error *err) {
    if (err) {
        err->status = IL_OK;
        err->msg[0] = '\0';
    }
}

const char *il_status_name(il_status status) {
    switch (status) {
    case IL_OK: return "ok";
    case IL_ERR_USAGE: return "usage error";
    case IL_ERR_IO: return "I/O error";
    case IL_ERR_FORMAT: return "format error";
    case IL_ERR_NOMEM: return "out of memory";
    case IL_ERR_NUMERIC: return "numeric error";
    case IL_ERR_STOPPED: return "stopped";
    }
    return "unknown error";
}
