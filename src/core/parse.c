/* parse.c - strict numbers, ranges in words, lists of sizes: the one parser flags and config keys share
 * (parse.h). Nothing here knows about flags or files; the caller's `where` names the place.
 */
#include "core/parse.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void il__format_real(char *buf, size_t size, double v) {
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(buf, size, "%.*g", precision, v);
        if (strtod(buf, NULL) == v) break;
    }
    if (!strchr(buf, 'e') || !(fabs(v) >= 1e-5 && fabs(v) < 1e16)) return;
    char plain[64];
    for (int decimals = 0; decimals <= 20; decimals++) {
        snprintf(plain, sizeof plain, "%.*f", decimals, v);
        if (strtod(plain, NULL) == v) {
            if (strlen(plain) <= strlen(buf) + 3 && strlen(plain) < size)
                memcpy(buf, plain, strlen(plain) + 1);
            return;
        }
    }
}

const char *il__quote(char *buf, size_t size, const char *text) {
    size_t n = 0, i = 0;
    if (size < IL_QUOTE_SIZE) {
        if (size) buf[0] = '\0';
        return buf;
    }
    buf[n++] = '"';
    for (; text[i] && i < IL_QUOTE_CHARS; i++) {
        unsigned char c = (unsigned char)text[i];
        buf[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (text[i]) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n++] = '"';
    buf[n] = '\0';
    return buf;
}

/* The "got ..." part of a message: the quoted text, or "nothing" for an empty one. */
static const char *got(char *buf, size_t size, const char *text) {
    if (!text || !*text) {
        snprintf(buf, size, "nothing");
        return buf;
    }
    return il__quote(buf, size, text);
}

void il__describe_bounds(char *buf, size_t size, il_range r) {
    char a[32], b[32];
    il__format_real(a, sizeof a, r.lo);
    il__format_real(b, sizeof b, r.hi);
    int no_lo = isinf(r.lo), no_hi = isinf(r.hi);
    if (no_lo && no_hi)
        snprintf(buf, size, "any");
    else if (no_hi)
        snprintf(buf, size, "%s %s", r.lo_open ? "above" : "at least", a);
    else if (no_lo)
        snprintf(buf, size, "%s %s", r.hi_open ? "below" : "at most", b);
    else if (!r.lo_open && !r.hi_open)
        snprintf(buf, size, "%s to %s", a, b);
    else if (!r.lo_open && r.hi_open)
        snprintf(buf, size, "%s up to (not including) %s", a, b);
    else if (r.lo_open && r.hi_open)
        snprintf(buf, size, "between %s and %s, both excluded", a, b);
    else
        snprintf(buf, size, "above %s, up to %s", a, b);
}

void il__describe_range(char *buf, size_t size, il_range r) {
    char a[32], b[32];
    il__format_real(a, sizeof a, r.lo);
    il__format_real(b, sizeof b, r.hi);
    int no_lo = isinf(r.lo), no_hi = isinf(r.hi);
    if (no_lo && no_hi)
        snprintf(buf, size, "a number");
    else if (no_hi && r.lo == 0 && r.lo_open)
        snprintf(buf, size, "a positive number");
    else if (no_hi)
        snprintf(buf, size, "a number %s %s", r.lo_open ? "above" : "of at least", a);
    else if (no_lo)
        snprintf(buf, size, "a number %s %s", r.hi_open ? "below" : "of at most", b);
    else if (r.lo == 0 && r.lo_open && !r.hi_open)
        snprintf(buf, size, "a positive number up to %s", b);
    else if (!r.lo_open && !r.hi_open)
        snprintf(buf, size, "a number from %s to %s", a, b);
    else if (!r.lo_open && r.hi_open)
        snprintf(buf, size, "a number from %s up to (not including) %s", a, b);
    else if (r.lo_open && r.hi_open)
        snprintf(buf, size, "a number between %s and %s (both excluded)", a, b);
    else
        snprintf(buf, size, "a number above %s, up to %s", a, b);
}

/* The largest value a whole range can have: UINT64_MAX, or SIZE_MAX where size_t is narrower. */
static int unbounded(uint64_t hi) {
    return hi == UINT64_MAX || (SIZE_MAX < UINT64_MAX && hi == SIZE_MAX);
}

void il__describe_whole_bounds(char *buf, size_t size, il_whole_range r) {
    if (r.hi == UINT64_MAX)
        snprintf(buf, size, "%" PRIu64 " to 2^64 - 1", r.lo);
    else if (unbounded(r.hi))
        snprintf(buf, size, "%" PRIu64 " or more", r.lo);
    else
        snprintf(buf, size, "%" PRIu64 " to %" PRIu64, r.lo, r.hi);
}

void il__describe_whole_range(char *buf, size_t size, il_whole_range r) {
    if (unbounded(r.hi))
        snprintf(buf, size, "a whole number (%" PRIu64 " or more)", r.lo);
    else
        snprintf(buf, size, "a whole number from %" PRIu64 " to %" PRIu64, r.lo, r.hi);
}

/* A decimal number: optional sign, digits with an optional point, optional exponent. No hex, inf, nan,
 * no blanks. -1 for one beyond the double range (1e999). */
int il__scan_real(const char *s, double *out) {
    const char *p = s;
    if (*p == '+' || *p == '-') p++;
    size_t digits = 0;
    while (isdigit((unsigned char)*p))
        p++, digits++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p))
            p++, digits++;
    }
    if (digits == 0) return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!isdigit((unsigned char)*p)) return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p) return 0;
    errno = 0;
    double v = strtod(s, NULL);
    if ((errno == ERANGE && fabs(v) > 1.0) || !isfinite(v)) return -1; /* overflow; underflow to 0 is fine */
    *out = v;
    return 1;
}

int il__scan_whole(const char *s, uint64_t *out) {
    if (!isdigit((unsigned char)*s)) return 0;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p)) return 0;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE || v > UINT64_MAX) return 0;
    *out = (uint64_t)v;
    return 1;
}

static int in_range(double v, il_range r) {
    if (v < r.lo || v > r.hi) return 0;
    if (!isinf(r.lo) && r.lo_open && v == r.lo) return 0;
    if (!isinf(r.hi) && r.hi_open && v == r.hi) return 0;
    return 1;
}

il_status il__parse_real(const char *text, il_range r, const char *where, double *out, il_error *err) {
    double v = 0.0;
    if (!text || il__scan_real(text, &v) != 1 || !in_range(v, r)) {
        char expected[128], q[IL_QUOTE_SIZE];
        il__describe_range(expected, sizeof expected, r);
        return il_fail(err, IL_ERR_USAGE, "%s: expected %s, got %s", where, expected, got(q, sizeof q, text));
    }
    *out = v;
    return IL_OK;
}

il_status il__parse_whole(const char *text, il_whole_range r, const char *where, uint64_t *out,
                          il_error *err) {
    uint64_t v = 0;
    if (!text || !il__scan_whole(text, &v) || v < r.lo || v > r.hi) {
        char expected[128], q[IL_QUOTE_SIZE];
        il__describe_whole_range(expected, sizeof expected, r);
        return il_fail(err, IL_ERR_USAGE, "%s: expected %s, got %s", where, expected, got(q, sizeof q, text));
    }
    *out = v;
    return IL_OK;
}

il_status il__parse_size(const char *text, il_whole_range r, const char *where, size_t *out, il_error *err) {
    if (r.hi > SIZE_MAX) r.hi = SIZE_MAX;
    uint64_t v;
    il_status st = il__parse_whole(text, r, where, &v, err);
    if (st == IL_OK) *out = (size_t)v;
    return st;
}

il_status il__parse_size_list(const char *text, il_whole_range r, size_t max, const char *where,
                              size_t *sizes, size_t *count, il_error *err) {
    char q[IL_QUOTE_SIZE];
    size_t n = 0;
    const char *p = text;
    if (!text || !*text)
        return il_fail(err, IL_ERR_USAGE,
                       "%s: expected whole numbers separated by commas, e.g. 2,8,1, got nothing", where);
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && isspace((unsigned char)*p))
            p++, len--;
        while (len && isspace((unsigned char)p[len - 1]))
            len--;
        char word[32];
        if (len == 0 || len >= sizeof word)
            return il_fail(err, IL_ERR_USAGE,
                           "%s: item %zu of %s is %s; expected whole numbers separated by commas", where,
                           n + 1, il__quote(q, sizeof q, text), len == 0 ? "empty" : "too long");
        if (n == max)
            return il_fail(err, IL_ERR_USAGE, "%s: %s has more than %zu items", where,
                           il__quote(q, sizeof q, text), max);
        memcpy(word, p, len);
        word[len] = '\0';
        char item_where[1200];
        snprintf(item_where, sizeof item_where, "%s, item %zu of %s", where, n + 1,
                 il__quote(q, sizeof q, text));
        il_status st = il__parse_size(word, r, item_where, &sizes[n], err);
        if (st != IL_OK) return st;
        n++;
        if (!comma) break;
        p = comma + 1;
    }
    *count = n;
    return IL_OK;
}
