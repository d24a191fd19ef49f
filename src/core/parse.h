/* parse.h - internal (il__): the one strict parser of numbers, with the one range type, and of lists of
 * sizes, for flags and config keys alike. "Strict" means the whole text is the value: "", " 1", "0.1x",
 * "1e999", "nan", "0x10" and "-3" for a count are refused. Messages say what was expected in words built
 * from the range ("a number from 0 up to (not including) 1"), so every place that accepts a number
 * describes it the same way. The caller adds where (a flag, a file:line [section] key).
 */
#ifndef INITLAB_CORE_PARSE_H
#define INITLAB_CORE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "initlab/status.h"

/* An interval of real numbers; lo = -INFINITY / hi = INFINITY for no bound (then the *_open flag is
 * ignored). Built with the macros below so that a reader sees [a, b], (a, b], ... */
typedef struct {
    double lo, hi;
    unsigned char lo_open, hi_open;
} il_range;

#define IL_RANGE_CLOSED(a, b)    ((il_range){(a), (b), 0, 0}) /* [a, b] */
#define IL_RANGE_OPEN_LOW(a, b)  ((il_range){(a), (b), 1, 0}) /* (a, b] */
#define IL_RANGE_OPEN_HIGH(a, b) ((il_range){(a), (b), 0, 1}) /* [a, b) */
#define IL_RANGE_OPEN(a, b)      ((il_range){(a), (b), 1, 1}) /* (a, b) */

/* An interval of whole numbers [lo, hi]. */
typedef struct {
    uint64_t lo, hi;
} il_whole_range;

#define IL_WHOLE(a, b) ((il_whole_range){(a), (b)})

/* The grammar alone, for readers that phrase their own messages (a CSV cell names its file, line and
 * column): 1 and *out set if the whole of s is a finite decimal number (optional sign, digits with an
 * optional point, optional exponent; no blanks, hex, inf or nan); -1 if it is written as one but lies
 * beyond the double range ("1e999"); else 0. *out is untouched unless 1 is returned. */
int il__scan_real(const char *s, double *out);
/* 1 and *out set if the whole of s is a whole number written with digits only (no sign), in 64 bits. */
int il__scan_whole(const char *s, uint64_t *out);

/* A decimal number (optional sign, digits with an optional point, optional exponent; finite) in r.
 * IL_ERR_USAGE "WHERE: expected <r in words>, got "TEXT"" otherwise; *out untouched on failure. */
il_status il__parse_real(const char *text, il_range r, const char *where, double *out, il_error *err);
/* A whole number written with digits only, in r. Same failure contract. */
il_status il__parse_whole(const char *text, il_whole_range r, const char *where, uint64_t *out,
                          il_error *err);
/* il__parse_whole into a size_t (r.hi is capped at SIZE_MAX). */
il_status il__parse_size(const char *text, il_whole_range r, const char *where, size_t *out, il_error *err);

/* The range in words, as the messages above use it, into buf: "a number from 0 up to (not including) 1",
 * "a whole number from 1 to 1000". */
void il__describe_range(char *buf, size_t size, il_range r);
void il__describe_whole_range(char *buf, size_t size, il_whole_range r);
/* The bounds alone, for a table of ranges (docs/config.md): "0 up to (not including) 1", "above 0",
 * "1 to 1000", "0 to 2^64 - 1". */
void il__describe_bounds(char *buf, size_t size, il_range r);
void il__describe_whole_bounds(char *buf, size_t size, il_whole_range r);

/* How much of a text a message quotes, and a buffer that holds such a quote. */
#define IL_QUOTE_CHARS 60
#define IL_QUOTE_SIZE  (IL_QUOTE_CHARS + 8)
/* text in double quotes for a message, into buf (at least IL_QUOTE_SIZE bytes): at most IL_QUOTE_CHARS
 * characters then "...", control characters shown as '?', so a message stays one printable line. */
const char *il__quote(char *buf, size_t size, const char *text);

/* Shortest decimal text that reads back as exactly v (0.7 stays "0.7"), plain rather than exponent
 * notation when about as short ("2000", not "2e+03"). */
void il__format_real(char *buf, size_t size, double v);

/* "2,8,1": whole numbers separated by commas (blanks around items allowed), each in r, at most max of
 * them, into sizes[0..*count). An empty list, an empty item ("2,,1"), a bad item or too many items give
 * IL_ERR_USAGE naming where, the item's position and the list ("--layers, item 2 of "2,0,1": expected a
 * whole number from 1 to 1000000, got "0""); *count is then untouched, sizes[] may be partly written. */
il_status il__parse_size_list(const char *text, il_whole_range r, size_t max, const char *where,
                              size_t *sizes, size_t *count, il_error *err);

#endif
