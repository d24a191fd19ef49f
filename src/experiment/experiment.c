/* experiment.c - the experiment config: INI files read with inih, --set overrides, validation, and
 * writing the experiment back as INI.
 *
 * One table lists every key with its section, its parser and its formatter; parsing a file, --set, the
 * checks on a filled struct and the writer all go through that table, so a value is validated the same
 * way wherever it comes from, and what is written is exactly what is read back. This file does not load
 * data or build networks: it only says what to load and build.
 */
#include "initlab/experiment.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "initlab/activation.h"
#include "initlab/fileio.h"

/* ---------------------------------------------------------------------------------------------------- */
/* Limits                                                                                                */

/* inih reads a line into a buffer of INI_MAX_LINE bytes, which must also hold the '\n' and the NUL:
 * a line may have at most this many characters. Longer lines are refused rather than split. */
#define LINE_CHARS (INI_MAX_LINE - 2)
/* A list item (an init like "small=uniform:0.01", a width, a seed) must fit on a line of its own. */
#define ITEM_CHARS 150
/* The writer breaks lists into lines of about this width. */
#define WRAP_CHARS 100
/* A config file is a few hundred lines; anything bigger is a mistake (the wrong file). */
#define MAX_FILE_BYTES (1u << 20)
/* How much of a bad value a message quotes. */
#define QUOTE_CHARS 60

/* ---------------------------------------------------------------------------------------------------- */
/* Text helpers                                                                                          */

/* A growing string; after an allocation failure it stays failed and empty-handed. */
typedef struct {
    char *s;
    size_t len, cap;
    int failed;
} strbuf;

static void sb_put(strbuf *b, const char *text, size_t n) {
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->s, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->s = grown;
        b->cap = cap;
    }
    memcpy(b->s + b->len, text, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_puts(strbuf *b, const char *text) {
    sb_put(b, text, strlen(text));
}

static void sb_printf(strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void sb_printf(strbuf *b, const char *fmt, ...) {
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        sb_put(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_put(b, big, (size_t)n);
    free(big);
}

/* The value as a message quotes it: at most QUOTE_CHARS characters, control characters shown as '?'. */
static const char *quoted(char *buf, size_t size, const char *value) {
    size_t n = 0, i = 0;
    buf[n++] = '"';
    for (; value[i] && i < QUOTE_CHARS && n + 6 < size; i++) {
        unsigned char c = (unsigned char)value[i];
        buf[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (value[i] && n + 6 < size) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n++] = '"';
    buf[n] = '\0';
    return buf;
}

/* "got ..." part of a message. */
static const char *got(char *buf, size_t size, const char *value) {
    if (!*value) {
        snprintf(buf, size, "an empty value");
        return buf;
    }
    return quoted(buf, size, value);
}

/* Edit distance (insert, delete, substitute, swap of neighbours) for "did you mean"; capped at 9. */
static size_t edit_distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > 40 || m > 40) return 9;
    size_t d[41][41];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (same ? 0 : 1);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m] < 9 ? d[n][m] : 9;
}

/* The closest of names to word, if close enough to be a likely typo; NULL otherwise. */
static const char *closest(const char *word, const char *const *names, size_t count) {
    const char *best = NULL;
    size_t best_d = 9;
    for (size_t i = 0; i < count; i++) {
        size_t d = edit_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    size_t len = strlen(word);
    size_t allowed = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    return best_d <= allowed ? best : NULL;
}

/* Copy value into buf, lowercased (enum words are case-insensitive: "ReLU" is "relu"). */
static void lowercase(char *buf, size_t size, const char *value) {
    size_t i = 0;
    for (; value[i] && i + 1 < size; i++)
        buf[i] = (char)tolower((unsigned char)value[i]);
    buf[i] = '\0';
}

/* Shortest text that reads back as exactly v (0.7 stays "0.7", not 0.69999999999999996), in plain
 * decimals when that is about as short ("2000" rather than "2e+03"). */
static void format_double(char *buf, size_t size, double v) {
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

static int is_blank(char c) {
    return c == ' ' || c == '\t';
}

/* ---------------------------------------------------------------------------------------------------- */
/* Values: numbers, words, text                                                                          */

/* A decimal number: optional sign, digits with an optional point, optional exponent. No hex, inf, nan. */
static int parse_real(const char *s, double *out) {
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
    if (errno == ERANGE && fabs(v) > 1.0) return 0; /* overflow; underflow to 0 is fine */
    if (!isfinite(v)) return 0;
    *out = v;
    return 1;
}

/* A whole number written with digits only. */
static int parse_whole(const char *s, uint64_t *out) {
    if (!isdigit((unsigned char)*s)) return 0;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p)) return 0;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE || v > UINT64_MAX) return 0;
    *out = (uint64_t)v;
    return 1;
}

/* What a range of reals reads like in a message. */
static void describe_real_range(char *buf, size_t size, double lo, int lo_open, double hi, int hi_open) {
    char a[32], b[32];
    format_double(a, sizeof a, lo);
    format_double(b, sizeof b, hi);
    if (lo == 0 && lo_open && hi >= 1e300)
        snprintf(buf, size, "a positive number");
    else if (lo == 0 && lo_open && !hi_open)
        snprintf(buf, size, "a positive number up to %s", b);
    else if (!lo_open && !hi_open)
        snprintf(buf, size, "a number from %s to %s", a, b);
    else if (!lo_open && hi_open)
        snprintf(buf, size, "a number from %s up to (not including) %s", a, b);
    else if (lo_open && hi_open)
        snprintf(buf, size, "a number between %s and %s (both excluded)", a, b);
    else
        snprintf(buf, size, "a number above %s, up to %s", a, b);
}

static void describe_whole_range(char *buf, size_t size, uint64_t lo, uint64_t hi) {
    if (hi == UINT64_MAX)
        snprintf(buf, size, "a whole number (%" PRIu64 " or more)", lo);
    else
        snprintf(buf, size, "a whole number from %" PRIu64 " to %" PRIu64, lo, hi);
}

static il_status bad_value(il_error *err, const char *where, const char *expected, const char *value) {
    char g[QUOTE_CHARS + 16];
    return il_fail(err, IL_ERR_USAGE, "%s: expected %s, got %s", where, expected, got(g, sizeof g, value));
}

static il_status get_real(double *out, const char *value, double lo, int lo_open, double hi, int hi_open,
                          const char *where, il_error *err) {
    double v = 0.0;
    if (!parse_real(value, &v) || v < lo || (lo_open && v == lo) || v > hi || (hi_open && v == hi)) {
        char expected[128];
        describe_real_range(expected, sizeof expected, lo, lo_open, hi, hi_open);
        return bad_value(err, where, expected, value);
    }
    *out = v;
    return IL_OK;
}

static il_status get_whole(uint64_t *out, const char *value, uint64_t lo, uint64_t hi, const char *where,
                           il_error *err) {
    uint64_t v = 0;
    if (!parse_whole(value, &v) || v < lo || v > hi) {
        char expected[128];
        describe_whole_range(expected, sizeof expected, lo, hi);
        return bad_value(err, where, expected, value);
    }
    *out = v;
    return IL_OK;
}

/* One of a few words; the message lists them and guesses the intended one. */
static il_status bad_word(il_error *err, const char *where, const char *value, const char *const *words,
                          size_t count) {
    char list[256] = "";
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s",
                 i == 0           ? ""
                 : i + 1 == count ? " or "
                                  : ", ",
                 words[i]);
    }
    char g[QUOTE_CHARS + 16];
    const char *guess = closest(value, words, count);
    if (guess)
        return il_fail(err, IL_ERR_USAGE, "%s: expected %s, got %s (did you mean \"%s\"?)", where, list,
                       got(g, sizeof g, value), guess);
    return il_fail(err, IL_ERR_USAGE, "%s: expected %s, got %s", where, list, got(g, sizeof g, value));
}

/* Why a line of text cannot be a value in an INI file (inih would cut or drop it), or NULL if it can.
 * These rules keep write-then-read exact. */
static const char *text_line_problem(const char *line, size_t len) {
    if (len > 0 && (is_blank(line[0]) || is_blank(line[len - 1]))) return "starts or ends with a space";
    if (len > 0 && line[0] == ';') return "starts with ';', which the INI format reads as a comment";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) return "holds a control character";
        if (c == ';' && i > 0 && is_blank(line[i - 1]))
            return "holds \" ;\", which the INI format reads as the start of a comment";
    }
    return NULL;
}

/* A single-line string value: not empty, short enough, writable. */
static il_status get_string(char *out, size_t size, const char *value, const char *key, const char *where,
                            il_error *err) {
    size_t len = strlen(value);
    char g[QUOTE_CHARS + 16];
    if (len == 0) return il_fail(err, IL_ERR_USAGE, "%s: must not be empty", where);
    if (strchr(value, '\n'))
        return il_fail(err, IL_ERR_USAGE, "%s: must be a single line, got %s", where,
                       got(g, sizeof g, value));
    const char *problem = text_line_problem(value, len);
    if (problem) return il_fail(err, IL_ERR_USAGE, "%s: %s %s", where, got(g, sizeof g, value), problem);
    /* "key = value" must fit on one INI line; "key=value" is the shortest form the writer can use */
    size_t room = LINE_CHARS - strlen(key) - 1;
    if (room > size - 1) room = size - 1;
    if (len > room)
        return il_fail(err, IL_ERR_USAGE, "%s: is %zu characters long; at most %zu fit", where, len, room);
    memcpy(out, value, len + 1);
    return IL_OK;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Lists                                                                                                 */

/* A list's items are separated by commas and by line breaks (a value continued on indented lines), and a
 * line may end with a comma. Returns a malloc'ed copy with one item per NUL-terminated string, the count
 * in *n; NULL with err set on an empty item ("1,,2") or an item too long for a line. */
static char *split_list(const char *text, size_t *n, const char *where, il_error *err) {
    size_t len = strlen(text);
    char *items = malloc(len + 1);
    if (!items) {
        il_fail(err, IL_ERR_NOMEM, "%s: out of memory", where);
        return NULL;
    }
    size_t out = 0, count = 0;
    const char *line = text;
    while (*line) {
        const char *eol = strchr(line, '\n');
        size_t line_len = eol ? (size_t)(eol - line) : strlen(line);
        /* trim the line and drop one trailing comma */
        size_t a = 0, b = line_len;
        while (a < b && isspace((unsigned char)line[a]))
            a++;
        while (b > a && isspace((unsigned char)line[b - 1]))
            b--;
        if (b > a && line[b - 1] == ',') b--;
        while (a < b) {
            size_t c = a;
            while (c < b && line[c] != ',')
                c++;
            size_t s = a, e = c;
            while (s < e && isspace((unsigned char)line[s]))
                s++;
            while (e > s && isspace((unsigned char)line[e - 1]))
                e--;
            if (s == e) {
                free(items);
                il_fail(err, IL_ERR_USAGE, "%s: empty item in the list (two commas in a row?)", where);
                return NULL;
            }
            if (e - s > ITEM_CHARS) {
                char q[QUOTE_CHARS + 16];
                char item[QUOTE_CHARS + 1];
                snprintf(item, sizeof item, "%.*s", (int)(e - s < QUOTE_CHARS ? e - s : QUOTE_CHARS),
                         line + s);
                free(items);
                il_fail(err, IL_ERR_USAGE, "%s: item %s is longer than %d characters", where,
                        quoted(q, sizeof q, item), ITEM_CHARS);
                return NULL;
            }
            memcpy(items + out, line + s, e - s);
            out += e - s;
            items[out++] = '\0';
            count++;
            a = c < b ? c + 1 : b;
            if (c < b && a == b) { /* "a, b," already lost its last comma; "a,,": an empty item */
                free(items);
                il_fail(err, IL_ERR_USAGE, "%s: empty item in the list (two commas in a row?)", where);
                return NULL;
            }
        }
        line = eol ? eol + 1 : line + line_len;
    }
    *n = count;
    return items;
}

/* Lists are written as "a, b, c". */
static void sb_list_sep(strbuf *b, size_t i) {
    if (i > 0) sb_puts(b, ", ");
}

/* ---------------------------------------------------------------------------------------------------- */
/* The keys: one parser and one formatter each                                                          */

typedef il_status (*key_parser)(il_experiment *exp, const char *value, const char *where, il_error *err);
typedef void (*key_formatter)(const il_experiment *exp, strbuf *out);

typedef enum {
    FORM_SINGLE, /* one line */
    FORM_LIST,   /* comma list; may continue over indented lines */
    FORM_TEXT    /* free text; may continue over indented lines, one line break each */
} key_form;

typedef struct {
    const char *section;
    const char *key;
    key_form form;
    key_parser parse;
    key_formatter format;
} key_def;

/* [experiment] ---------------------------------------------------------------------------------------- */

static il_status parse_name(il_experiment *exp, const char *value, const char *where, il_error *err) {
    size_t len = strlen(value);
    int ok = len >= 1 && len < IL_NAME_MAX && value[0] != '.' && value[0] != '-';
    for (size_t i = 0; ok && i < len; i++) {
        char c = value[i];
        ok = isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
    }
    if (!ok)
        return bad_value(err, where,
                         "a name of 1 to 63 letters, digits, '-', '_' or '.' (it names the results folder)",
                         value);
    memcpy(exp->name, value, len + 1);
    return IL_OK;
}

static void format_name(const il_experiment *exp, strbuf *out) {
    sb_puts(out, exp->name);
}

/* The description keeps its line breaks; each line is trimmed and blank lines are dropped (inih skips
 * them when it reads the file, so the writer could not keep them either). */
static il_status parse_description(il_experiment *exp, const char *value, const char *where, il_error *err) {
    char text[sizeof exp->description];
    size_t out = 0, line_no = 0;
    const char *line = value;
    while (*line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        size_t a = 0, b = len;
        while (a < b && isspace((unsigned char)line[a]))
            a++;
        while (b > a && isspace((unsigned char)line[b - 1]))
            b--;
        if (b > a) {
            line_no++;
            const char *problem = text_line_problem(line + a, b - a);
            if (!problem && line[a] == '#')
                problem = "starts with '#', which the INI format reads as a comment on a continued line";
            if (!problem && b - a > LINE_CHARS - 1) problem = "is too long for one line of the file";
            if (problem) {
                char q[QUOTE_CHARS + 16], l[QUOTE_CHARS + 1];
                snprintf(l, sizeof l, "%.*s", (int)(b - a < QUOTE_CHARS ? b - a : QUOTE_CHARS), line + a);
                return il_fail(err, IL_ERR_USAGE, "%s: line %zu of the description, %s, %s", where, line_no,
                               quoted(q, sizeof q, l), problem);
            }
            if (out + (out > 0) + (b - a) + 1 > sizeof text)
                return il_fail(err, IL_ERR_USAGE, "%s: the description is longer than %zu characters", where,
                               sizeof text - 1);
            if (out > 0) text[out++] = '\n';
            memcpy(text + out, line + a, b - a);
            out += b - a;
        }
        line = eol ? eol + 1 : line + len;
    }
    text[out] = '\0';
    /* quotes around the whole text (the check runs on the text as it will be written) */
    if (out >= 2 && ((text[0] == '"' && text[out - 1] == '"') || (text[0] == '\'' && text[out - 1] == '\'')))
        return il_fail(err, IL_ERR_USAGE, "%s: write the description without quotes around it", where);
    memcpy(exp->description, text, out + 1);
    return IL_OK;
}

static void format_description(const il_experiment *exp, strbuf *out) {
    sb_puts(out, exp->description);
}

/* [data] ---------------------------------------------------------------------------------------------- */

static il_status parse_source(il_experiment *exp, const char *value, const char *where, il_error *err) {
    return get_string(exp->data, sizeof exp->data, value, "source", where, err);
}

static void format_source(const il_experiment *exp, strbuf *out) {
    sb_puts(out, exp->data);
}

/* "auto" lets the data module choose: pixels (IDX, image folders) to [0, 1], everything else
 * standardized with training statistics, as ESL 11.5.3 recommends. */
static const char *const scale_words[] = {"auto", "standardize", "unit", "none"};

static const char *scale_name(il_scale scale) {
    switch (scale) {
    case IL_SCALE_NONE: return "none";
    case IL_SCALE_STANDARDIZE: return "standardize";
    case IL_SCALE_UNIT: return "unit";
    case IL_SCALE_AUTO: return "auto";
    }
    return NULL;
}

static il_status parse_scale(il_experiment *exp, const char *value, const char *where, il_error *err) {
    char word[32];
    lowercase(word, sizeof word, value);
    if (!strcmp(word, "auto"))
        exp->data_opt.scale = IL_SCALE_AUTO;
    else if (!strcmp(word, "standardize"))
        exp->data_opt.scale = IL_SCALE_STANDARDIZE;
    else if (!strcmp(word, "unit"))
        exp->data_opt.scale = IL_SCALE_UNIT;
    else if (!strcmp(word, "none"))
        exp->data_opt.scale = IL_SCALE_NONE;
    else
        return bad_word(err, where, value, scale_words, sizeof scale_words / sizeof *scale_words);
    return IL_OK;
}

static void format_scale(const il_experiment *exp, strbuf *out) {
    const char *name = scale_name(exp->data_opt.scale);
    sb_puts(out, name ? name : "?");
}

static il_status parse_test_fraction(il_experiment *exp, const char *value, const char *where,
                                     il_error *err) {
    return get_real(&exp->data_opt.test_fraction, value, 0, 1, 1, 1, where, err);
}

static void format_test_fraction(const il_experiment *exp, strbuf *out) {
    char buf[32];
    format_double(buf, sizeof buf, exp->data_opt.test_fraction);
    sb_puts(out, buf);
}

#define MAX_EXAMPLES 1000000000000ull /* a cap on max_train / max_test: far above any dataset */

static il_status parse_max_train(il_experiment *exp, const char *value, const char *where, il_error *err) {
    uint64_t v = 0;
    il_status st = get_whole(&v, value, 0, MAX_EXAMPLES, where, err);
    if (st == IL_OK) exp->data_opt.max_train = (size_t)v;
    return st;
}

static void format_max_train(const il_experiment *exp, strbuf *out) {
    sb_printf(out, "%zu", exp->data_opt.max_train);
}

static il_status parse_max_test(il_experiment *exp, const char *value, const char *where, il_error *err) {
    uint64_t v = 0;
    il_status st = get_whole(&v, value, 0, MAX_EXAMPLES, where, err);
    if (st == IL_OK) exp->data_opt.max_test = (size_t)v;
    return st;
}

static void format_max_test(const il_experiment *exp, strbuf *out) {
    sb_printf(out, "%zu", exp->data_opt.max_test);
}

static il_status parse_data_seed(il_experiment *exp, const char *value, const char *where, il_error *err) {
    return get_whole(&exp->data_opt.seed, value, 0, UINT64_MAX, where, err);
}

static void format_data_seed(const il_experiment *exp, strbuf *out) {
    sb_printf(out, "%" PRIu64, exp->data_opt.seed);
}

/* [network] ------------------------------------------------------------------------------------------- */

#define MAX_WIDTH 1000000 /* units in one hidden layer */

static il_status parse_hidden(il_experiment *exp, const char *value, const char *where, il_error *err) {
    size_t n = 0;
    char *items = split_list(value, &n, where, err);
    if (!items) return err ? err->status : IL_ERR_USAGE;
    size_t widths[IL_MAX_LAYERS];
    size_t count = 0;
    const char *item = items;
    il_status st = IL_OK;
    char expected[160];
    snprintf(expected, sizeof expected,
             "a comma list of layer widths from 1 to %d (e.g. \"10\" or \"256,128\"), or 0 alone for no "
             "hidden layer",
             MAX_WIDTH);
    if (n == 1 && (!strcmp(item, "0") || !strcmp(item, "none"))) n = 0; /* no hidden layer */
    for (size_t i = 0; i < n && st == IL_OK; i++, item += strlen(item) + 1) {
        uint64_t w;
        if (!parse_whole(item, &w) || w < 1 || w > MAX_WIDTH) {
            char g[QUOTE_CHARS + 16];
            st = il_fail(err, IL_ERR_USAGE, "%s: expected %s, got width %s", where, expected,
                         quoted(g, sizeof g, item));
        } else if (count + 1 >= IL_MAX_LAYERS) {
            st = il_fail(err, IL_ERR_USAGE, "%s: at most %d hidden layers", where, IL_MAX_LAYERS - 1);
        } else {
            widths[count++] = (size_t)w;
        }
    }
    free(items);
    if (st != IL_OK) return st;
    exp->n_hidden = count;
    memcpy(exp->hidden, widths, count * sizeof *widths);
    return IL_OK;
}

static void format_hidden(const il_experiment *exp, strbuf *out) {
    if (exp->n_hidden == 0) sb_puts(out, "0");
    for (size_t i = 0; i < exp->n_hidden && i < IL_MAX_LAYERS; i++) {
        sb_list_sep(out, i);
        sb_printf(out, "%zu", exp->hidden[i]);
    }
}

static il_status parse_activation(il_experiment *exp, const char *value, const char *where, il_error *err) {
    char word[32];
    lowercase(word, sizeof word, value);
    int act = il_act_parse(word);
    if (act < 0 || act >= IL_ACT_COUNT) {
        const char *words[IL_ACT_COUNT];
        for (int i = 0; i < IL_ACT_COUNT; i++)
            words[i] = il_act_name((il_act)i);
        return bad_word(err, where, value, words, IL_ACT_COUNT);
    }
    exp->activation = (il_act)act;
    return IL_OK;
}

static void format_activation(const il_experiment *exp, strbuf *out) {
    sb_puts(out, il_act_name(exp->activation));
}

static il_status parse_output(il_experiment *exp, const char *value, const char *where, il_error *err) {
    char word[32];
    lowercase(word, sizeof word, value);
    if (!strcmp(word, "auto")) {
        exp->output = -1;
        return IL_OK;
    }
    int out = il_output_parse(word);
    if (out < 0 || out >= IL_OUT_COUNT) {
        const char *words[IL_OUT_COUNT + 1];
        words[0] = "auto";
        for (int i = 0; i < IL_OUT_COUNT; i++)
            words[i + 1] = il_output_name((il_output)i);
        return bad_word(err, where, value, words, IL_OUT_COUNT + 1);
    }
    exp->output = out;
    return IL_OK;
}

static void format_output(const il_experiment *exp, strbuf *out) {
    sb_puts(out, exp->output < 0 ? "auto" : il_output_name((il_output)exp->output));
}

/* [training] ------------------------------------------------------------------------------------------ */

#define MAX_EPOCHS 100000000u
#define MAX_BATCH  1000000000u

static il_status parse_epochs(il_experiment *exp, const char *value, const char *where, il_error *err) {
    uint64_t v = 0;
    il_status st = get_whole(&v, value, 1, MAX_EPOCHS, where, err);
    if (st == IL_OK) exp->epochs = (size_t)v;
    return st;
}

static void format_epochs(const il_experiment *exp, strbuf *out) {
    sb_printf(out, "%zu", exp->epochs);
}

static il_status parse_learning_rate(il_experiment *exp, const char *value, const char *where,
                                     il_error *err) {
    return get_real(&exp->sgd.learning_rate, value, 0, 1, 1000, 0, where, err);
}

static void format_learning_rate(const il_experiment *exp, strbuf *out) {
    char buf[32];
    format_double(buf, sizeof buf, exp->sgd.learning_rate);
    sb_puts(out, buf);
}

static il_status parse_batch_size(il_experiment *exp, const char *value, const char *where, il_error *err) {
    char word[16];
    lowercase(word, sizeof word, value);
    if (!strcmp(word, "full")) {
        exp->batch_size = 0;
        return IL_OK;
    }
    uint64_t v = 0;
    if (!parse_whole(value, &v) || v > MAX_BATCH) {
        char expected[128];
        snprintf(expected, sizeof expected, "a whole number of examples from 1 to %u, or 0 or \"full\"",
                 MAX_BATCH);
        return bad_value(err, where, expected, value);
    }
    exp->batch_size = (size_t)v;
    return IL_OK;
}

static void format_batch_size(const il_experiment *exp, strbuf *out) {
    if (exp->batch_size == 0)
        sb_puts(out, "full");
    else
        sb_printf(out, "%zu", exp->batch_size);
}

static il_status parse_momentum(il_experiment *exp, const char *value, const char *where, il_error *err) {
    return get_real(&exp->sgd.momentum, value, 0, 0, 1, 1, where, err);
}

static void format_momentum(const il_experiment *exp, strbuf *out) {
    char buf[32];
    format_double(buf, sizeof buf, exp->sgd.momentum);
    sb_puts(out, buf);
}

static il_status parse_weight_decay(il_experiment *exp, const char *value, const char *where, il_error *err) {
    return get_real(&exp->sgd.weight_decay, value, 0, 0, 1000, 0, where, err);
}

static void format_weight_decay(const il_experiment *exp, strbuf *out) {
    char buf[32];
    format_double(buf, sizeof buf, exp->sgd.weight_decay);
    sb_puts(out, buf);
}

static il_status parse_divergence_loss(il_experiment *exp, const char *value, const char *where,
                                       il_error *err) {
    return get_real(&exp->divergence_loss, value, 0, 1, 1e300, 0, where, err);
}

static void format_divergence_loss(const il_experiment *exp, strbuf *out) {
    char buf[32];
    format_double(buf, sizeof buf, exp->divergence_loss);
    sb_puts(out, buf);
}

/* [inits] --------------------------------------------------------------------------------------------- */

#define MAX_BIAS      1000.0
#define MAX_PARAMETER 1e6

static int label_char_ok(char c) {
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' || c == '+';
}

/* The label an item gets when none is given: its text with ':' as '-' and '/' as '+'
 * ("uniform:0.01" -> "uniform-0.01", "xavier/he" -> "xavier+he"), fit for CSV columns and folders. */
static void derive_label(char *label, size_t size, const char *text) {
    size_t i = 0;
    for (; text[i] && i + 1 < size; i++)
        label[i] = text[i] == ':' ? '-' : text[i] == '/' ? '+' : text[i];
    label[i] = '\0';
}

/* The text of one scheme as the list writes it: "NAME", or "NAME:VALUE" when the value is not the
 * scheme's default. */
static void format_scheme(const il_init_spec *spec, char *buf, size_t size) {
    const char *name = il_init_name(spec->kind);
    if (il_init_has_param(spec->kind) && spec->param != il_init_default_param(spec->kind)) {
        char v[32];
        format_double(v, sizeof v, spec->param);
        snprintf(buf, size, "%s:%s", name, v);
    } else {
        snprintf(buf, size, "%s", name);
    }
}

/* The written text of one entry's schemes: "xavier" or "xavier/he". */
static void format_schemes(const il_init_entry *entry, char *buf, size_t size) {
    size_t used = 0;
    buf[0] = '\0';
    size_t n = entry->n_specs < 1 ? 1 : entry->n_specs > IL_MAX_LAYERS ? IL_MAX_LAYERS : entry->n_specs;
    for (size_t l = 0; l < n && used + 1 < size; l++) {
        char one[64];
        format_scheme(&entry->layer[l], one, sizeof one);
        snprintf(buf + used, size - used, "%s%s", l ? "/" : "", one);
        used += strlen(buf + used);
    }
}

/* One item "[LABEL=]SCHEME[/SCHEME...]" into entry, with every bias at bias. */
static il_status parse_init_item(il_init_entry *entry, const char *item, double bias, const char *where,
                                 il_error *err) {
    char text[ITEM_CHARS + 1];
    char q[QUOTE_CHARS + 16];
    lowercase(text, sizeof text, item);
    char *schemes = text;
    char label[ITEM_CHARS + 1];
    char *eq = strchr(text, '=');
    if (eq) {
        *eq = '\0';
        schemes = eq + 1;
        while (is_blank(*schemes))
            schemes++;
        size_t len = strlen(text);
        while (len > 0 && is_blank(text[len - 1]))
            text[--len] = '\0';
        memcpy(label, item, len); /* a given label keeps the case the user wrote */
        label[len] = '\0';
    }
    /* "uniform : 0.1" and "xavier / he" are "uniform:0.1" and "xavier/he" */
    size_t w = 0;
    for (size_t r = 0; schemes[r]; r++) {
        int around = is_blank(schemes[r]) && ((w > 0 && (schemes[w - 1] == ':' || schemes[w - 1] == '/')) ||
                                              schemes[r + strspn(schemes + r, " \t")] == ':' ||
                                              schemes[r + strspn(schemes + r, " \t")] == '/');
        if (!around) schemes[w++] = schemes[r];
    }
    schemes[w] = '\0';
    if (!eq) derive_label(label, sizeof label, text);

    il_init_entry e;
    memset(&e, 0, sizeof e);
    char *scheme = schemes;
    for (;;) {
        char *slash = strchr(scheme, '/');
        if (slash) *slash = '\0';
        char s[QUOTE_CHARS + 16];
        if (e.n_specs == IL_MAX_LAYERS)
            return il_fail(err, IL_ERR_USAGE,
                           "%s: item %s: more per-layer schemes than the %d layers allowed", where,
                           quoted(q, sizeof q, item), IL_MAX_LAYERS);
        il_init_spec spec;
        il_error inner;
        il_error_clear(&inner);
        if (!*scheme)
            return il_fail(err, IL_ERR_USAGE,
                           "%s: item %s: empty scheme (per-layer schemes are written \"xavier/he\")", where,
                           quoted(q, sizeof q, item));
        const char *colon = strchr(scheme, ':');
        double ignored;
        if (colon && !parse_real(colon + 1, &ignored))
            return il_fail(err, IL_ERR_USAGE,
                           "%s: item %s: the value after ':' must be a decimal number, as in uniform:0.1",
                           where, quoted(s, sizeof s, scheme));
        if (il_init_parse(&spec, scheme, &inner) != IL_OK)
            return il_fail(err, IL_ERR_USAGE, "%s: item %s: %s", where, quoted(q, sizeof q, scheme),
                           inner.msg);
        if ((int)spec.kind < 0 || spec.kind >= IL_INIT_COUNT)
            return il_fail(err, IL_ERR_USAGE, "%s: item %s: not a known scheme", where,
                           quoted(s, sizeof s, scheme));
        if (il_init_has_param(spec.kind)) {
            if (!(spec.param > 0 && spec.param <= MAX_PARAMETER))
                return il_fail(err, IL_ERR_USAGE,
                               "%s: item %s: the value after ':' must be above 0, up to %.0f", where,
                               quoted(s, sizeof s, scheme), MAX_PARAMETER);
        } else {
            spec.param = il_init_default_param(spec.kind);
        }
        spec.bias = bias;
        e.layer[e.n_specs++] = spec;
        if (!slash) break;
        scheme = slash + 1;
    }
    /* the layers after the last given one repeat it, so layer[l] is valid for every l */
    for (size_t l = e.n_specs; l < IL_MAX_LAYERS; l++)
        e.layer[l] = e.layer[e.n_specs - 1];

    /* the label names CSV columns and folders */
    size_t len = strlen(label);
    int ok = len >= 1 && len < IL_NAME_MAX;
    for (size_t i = 0; ok && i < len; i++)
        ok = label_char_ok(label[i]);
    if (!ok && eq)
        return il_fail(err, IL_ERR_USAGE,
                       "%s: item %s: a label must be 1 to 63 letters, digits, '-', '_', '.' or '+'", where,
                       quoted(q, sizeof q, item));
    if (!ok)
        return il_fail(err, IL_ERR_USAGE,
                       "%s: item %s cannot serve as a label (1 to 63 letters, digits, '-', '_', '.', '+'); "
                       "name it: LABEL=SCHEME, e.g. wide=%.40s",
                       where, quoted(q, sizeof q, item), item);
    memcpy(e.label, label, len + 1);
    *entry = e;
    return IL_OK;
}

/* Labels become folder names: two that differ only in case would collide on some file systems. */
static int same_label(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

static double current_bias(const il_experiment *exp) {
    return exp->n_inits > 0 ? exp->inits[0].layer[0].bias : 0.0;
}

static il_status parse_init_list(il_experiment *exp, const char *value, const char *where, il_error *err) {
    size_t n = 0;
    char *items = split_list(value, &n, where, err);
    if (!items) return err ? err->status : IL_ERR_USAGE;
    il_status st = IL_OK;
    if (n == 0)
        st = il_fail(err, IL_ERR_USAGE,
                     "%s: the list of inits is empty; give at least one, e.g. "
                     "list = zero, uniform, xavier, he, large",
                     where);
    if (n > IL_MAX_INITS)
        st = il_fail(err, IL_ERR_USAGE, "%s: %zu inits; at most %d", where, n, IL_MAX_INITS);
    il_init_entry *entries = st == IL_OK ? malloc(n * sizeof *entries) : NULL;
    if (st == IL_OK && !entries) st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory", where);
    double bias = current_bias(exp);
    const char *item = items;
    for (size_t i = 0; st == IL_OK && i < n; i++, item += strlen(item) + 1) {
        st = parse_init_item(&entries[i], item, bias, where, err);
        for (size_t j = 0; st == IL_OK && j < i; j++) {
            if (same_label(entries[i].label, entries[j].label)) {
                char q[QUOTE_CHARS + 16];
                st = il_fail(err, IL_ERR_USAGE,
                             "%s: two inits are labelled %s (labels name columns and folders); give one "
                             "a label of its own: LABEL=SCHEME, e.g. small=uniform:0.01",
                             where, quoted(q, sizeof q, entries[i].label));
            }
        }
    }
    free(items);
    if (st == IL_OK) {
        memcpy(exp->inits, entries, n * sizeof *entries);
        exp->n_inits = n;
    }
    free(entries);
    return st;
}

static void format_init_list(const il_experiment *exp, strbuf *out) {
    for (size_t i = 0; i < exp->n_inits && i < IL_MAX_INITS; i++) {
        const il_init_entry *e = &exp->inits[i];
        char schemes[IL_MAX_LAYERS * 40], derived[IL_NAME_MAX];
        format_schemes(e, schemes, sizeof schemes);
        derive_label(derived, sizeof derived, schemes);
        sb_list_sep(out, i);
        /* the label is written only when it is not the one the scheme text gives */
        if (strcmp(derived, e->label) != 0 || strlen(schemes) >= IL_NAME_MAX) sb_printf(out, "%s=", e->label);
        sb_puts(out, schemes);
    }
}

static il_status parse_bias(il_experiment *exp, const char *value, const char *where, il_error *err) {
    double bias = 0.0;
    il_status st = get_real(&bias, value, -MAX_BIAS, 0, MAX_BIAS, 0, where, err);
    if (st != IL_OK) return st;
    for (size_t i = 0; i < exp->n_inits && i < IL_MAX_INITS; i++)
        for (size_t l = 0; l < IL_MAX_LAYERS; l++)
            exp->inits[i].layer[l].bias = bias;
    return IL_OK;
}

static void format_bias(const il_experiment *exp, strbuf *out) {
    char buf[32];
    format_double(buf, sizeof buf, current_bias(exp));
    sb_puts(out, buf);
}

/* [seeds] --------------------------------------------------------------------------------------------- */

/* Seeds 1..n are written as count = n; any other set as a list. */
static int seeds_are_a_count(const il_experiment *exp) {
    for (size_t i = 0; i < exp->n_seeds && i < IL_MAX_SEEDS; i++)
        if (exp->seeds[i] != i + 1) return 0;
    return 1;
}

static il_status parse_seed_count(il_experiment *exp, const char *value, const char *where, il_error *err) {
    uint64_t n = 0;
    il_status st = get_whole(&n, value, 1, IL_MAX_SEEDS, where, err);
    if (st != IL_OK) return st;
    exp->n_seeds = (size_t)n;
    for (size_t i = 0; i < exp->n_seeds; i++)
        exp->seeds[i] = i + 1;
    return IL_OK;
}

static void format_seed_count(const il_experiment *exp, strbuf *out) {
    if (seeds_are_a_count(exp)) sb_printf(out, "%zu", exp->n_seeds);
}

static il_status parse_seed_list(il_experiment *exp, const char *value, const char *where, il_error *err) {
    size_t n = 0;
    char *items = split_list(value, &n, where, err);
    if (!items) return err ? err->status : IL_ERR_USAGE;
    il_status st = IL_OK;
    if (n == 0) st = il_fail(err, IL_ERR_USAGE, "%s: the list of seeds is empty; give at least one", where);
    if (n > IL_MAX_SEEDS)
        st = il_fail(err, IL_ERR_USAGE, "%s: %zu seeds; at most %d", where, n, IL_MAX_SEEDS);
    uint64_t *seeds = st == IL_OK ? malloc(n * sizeof *seeds) : NULL;
    if (st == IL_OK && !seeds) st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory", where);
    const char *item = items;
    for (size_t i = 0; st == IL_OK && i < n; i++, item += strlen(item) + 1) {
        if (!parse_whole(item, &seeds[i])) {
            char g[QUOTE_CHARS + 16];
            st = il_fail(err, IL_ERR_USAGE, "%s: expected a comma list of whole numbers (0 or more), got %s",
                         where, quoted(g, sizeof g, item));
        }
        for (size_t j = 0; st == IL_OK && j < i; j++)
            if (seeds[j] == seeds[i])
                st = il_fail(err, IL_ERR_USAGE, "%s: seed %" PRIu64 " is listed twice", where, seeds[i]);
    }
    free(items);
    if (st == IL_OK) {
        memcpy(exp->seeds, seeds, n * sizeof *seeds);
        exp->n_seeds = n;
    }
    free(seeds);
    return st;
}

static void format_seed_list(const il_experiment *exp, strbuf *out) {
    if (seeds_are_a_count(exp)) return;
    for (size_t i = 0; i < exp->n_seeds && i < IL_MAX_SEEDS; i++) {
        sb_list_sep(out, i);
        sb_printf(out, "%" PRIu64, exp->seeds[i]);
    }
}

/* [logging] ------------------------------------------------------------------------------------------- */

#define MAX_PROBE_SAMPLES 1000000u
#define MAX_STEPS         1000000000u

static il_status parse_every_epochs(il_experiment *exp, const char *value, const char *where, il_error *err) {
    uint64_t v = 0;
    il_status st = get_whole(&v, value, 1, MAX_EPOCHS, where, err);
    if (st == IL_OK) exp->log_every_epochs = (size_t)v;
    return st;
}

static void format_every_epochs(const il_experiment *exp, strbuf *out) {
    sb_printf(out, "%zu", exp->log_every_epochs);
}

static il_status parse_every_steps(il_experiment *exp, const char *value, const char *where, il_error *err) {
    uint64_t v = 0;
    il_status st = get_whole(&v, value, 0, MAX_STEPS, where, err);
    if (st == IL_OK) exp->log_every_steps = (size_t)v;
    return st;
}

static void format_every_steps(const il_experiment *exp, strbuf *out) {
    sb_printf(out, "%zu", exp->log_every_steps);
}

static il_status parse_probe_samples(il_experiment *exp, const char *value, const char *where,
                                     il_error *err) {
    uint64_t v = 0;
    il_status st = get_whole(&v, value, 1, MAX_PROBE_SAMPLES, where, err);
    if (st == IL_OK) exp->probe_samples = (size_t)v;
    return st;
}

static void format_probe_samples(const il_experiment *exp, strbuf *out) {
    sb_printf(out, "%zu", exp->probe_samples);
}

/* [output] -------------------------------------------------------------------------------------------- */

#define MAX_JOBS 1024u

static il_status parse_dir(il_experiment *exp, const char *value, const char *where, il_error *err) {
    return get_string(exp->out_dir, sizeof exp->out_dir, value, "dir", where, err);
}

static void format_dir(const il_experiment *exp, strbuf *out) {
    sb_puts(out, exp->out_dir);
}

static il_status parse_jobs(il_experiment *exp, const char *value, const char *where, il_error *err) {
    uint64_t v = 0;
    il_status st = get_whole(&v, value, 0, MAX_JOBS, where, err);
    if (st == IL_OK) exp->jobs = (size_t)v;
    return st;
}

static void format_jobs(const il_experiment *exp, strbuf *out) {
    sb_printf(out, "%zu", exp->jobs);
}

/* The table ------------------------------------------------------------------------------------------- */

static const key_def keys[] = {
    {"experiment", "name", FORM_SINGLE, parse_name, format_name},
    {"experiment", "description", FORM_TEXT, parse_description, format_description},
    {"data", "source", FORM_SINGLE, parse_source, format_source},
    {"data", "scale", FORM_SINGLE, parse_scale, format_scale},
    {"data", "test_fraction", FORM_SINGLE, parse_test_fraction, format_test_fraction},
    {"data", "max_train", FORM_SINGLE, parse_max_train, format_max_train},
    {"data", "max_test", FORM_SINGLE, parse_max_test, format_max_test},
    {"data", "seed", FORM_SINGLE, parse_data_seed, format_data_seed},
    {"network", "hidden", FORM_LIST, parse_hidden, format_hidden},
    {"network", "activation", FORM_SINGLE, parse_activation, format_activation},
    {"network", "output", FORM_SINGLE, parse_output, format_output},
    {"training", "epochs", FORM_SINGLE, parse_epochs, format_epochs},
    {"training", "learning_rate", FORM_SINGLE, parse_learning_rate, format_learning_rate},
    {"training", "batch_size", FORM_SINGLE, parse_batch_size, format_batch_size},
    {"training", "momentum", FORM_SINGLE, parse_momentum, format_momentum},
    {"training", "weight_decay", FORM_SINGLE, parse_weight_decay, format_weight_decay},
    {"training", "divergence_loss", FORM_SINGLE, parse_divergence_loss, format_divergence_loss},
    {"inits", "list", FORM_LIST, parse_init_list, format_init_list},
    {"inits", "bias", FORM_SINGLE, parse_bias, format_bias},
    {"seeds", "count", FORM_SINGLE, parse_seed_count, format_seed_count},
    {"seeds", "list", FORM_LIST, parse_seed_list, format_seed_list},
    {"logging", "every_epochs", FORM_SINGLE, parse_every_epochs, format_every_epochs},
    {"logging", "every_steps", FORM_SINGLE, parse_every_steps, format_every_steps},
    {"logging", "probe_samples", FORM_SINGLE, parse_probe_samples, format_probe_samples},
    {"output", "dir", FORM_SINGLE, parse_dir, format_dir},
    {"output", "jobs", FORM_SINGLE, parse_jobs, format_jobs},
};
#define N_KEYS (sizeof keys / sizeof *keys)

static const char *const sections[] = {"experiment", "data",  "network", "training",
                                       "inits",      "seeds", "logging", "output"};
#define N_SECTIONS (sizeof sections / sizeof *sections)

static const char *const key_paths[] = {"experiment.name",
                                        "experiment.description",
                                        "data.source",
                                        "data.scale",
                                        "data.test_fraction",
                                        "data.max_train",
                                        "data.max_test",
                                        "data.seed",
                                        "network.hidden",
                                        "network.activation",
                                        "network.output",
                                        "training.epochs",
                                        "training.learning_rate",
                                        "training.batch_size",
                                        "training.momentum",
                                        "training.weight_decay",
                                        "training.divergence_loss",
                                        "inits.list",
                                        "inits.bias",
                                        "seeds.count",
                                        "seeds.list",
                                        "logging.every_epochs",
                                        "logging.every_steps",
                                        "logging.probe_samples",
                                        "output.dir",
                                        "output.jobs",
                                        NULL};

_Static_assert(sizeof key_paths / sizeof *key_paths == N_KEYS + 1, "key_paths lists every key");

static int find_section(const char *name) {
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (!strcmp(sections[i], name)) return (int)i;
    return -1;
}

static int find_key(const char *section, const char *key) {
    for (size_t i = 0; i < N_KEYS; i++)
        if (!strcmp(keys[i].section, section) && !strcmp(keys[i].key, key)) return (int)i;
    return -1;
}

/* "name, name, ..." of the keys of a section, for messages. */
static void section_keys(char *buf, size_t size, const char *section, const char **names, size_t *count) {
    size_t used = 0, n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_KEYS; i++) {
        if (strcmp(keys[i].section, section) != 0) continue;
        snprintf(buf + used, size - used, "%s%s", n ? ", " : "", keys[i].key);
        used += strlen(buf + used);
        if (names) names[n] = keys[i].key;
        n++;
    }
    if (count) *count = n;
}

/* The message for a key this section does not have: a typo, or a key of another section. */
static il_status unknown_key(il_error *err, const char *place, const char *section, const char *key) {
    char valid[256];
    const char *names[N_KEYS];
    size_t n = 0;
    section_keys(valid, sizeof valid, section, names, &n);
    char q[QUOTE_CHARS + 16];
    quoted(q, sizeof q, key);
    for (size_t i = 0; i < N_KEYS; i++)
        if (!strcmp(keys[i].key, key) && strcmp(keys[i].section, section) != 0)
            return il_fail(err, IL_ERR_USAGE,
                           "%s[%s] unknown key %s (it belongs in [%s]; valid keys here: %s)", place, section,
                           q, keys[i].section, valid);
    const char *guess = closest(key, names, n);
    if (guess)
        return il_fail(err, IL_ERR_USAGE, "%s[%s] unknown key %s (did you mean \"%s\"? valid keys: %s)",
                       place, section, q, guess, valid);
    return il_fail(err, IL_ERR_USAGE, "%s[%s] unknown key %s (valid keys: %s)", place, section, q, valid);
}

static il_status unknown_section(il_error *err, const char *place, const char *section) {
    char valid[256] = "";
    for (size_t i = 0; i < N_SECTIONS; i++) {
        size_t used = strlen(valid);
        snprintf(valid + used, sizeof valid - used, "%s%s", i ? ", " : "", sections[i]);
    }
    char q[QUOTE_CHARS + 16];
    const char *guess = closest(section, sections, N_SECTIONS);
    /* the section name is quoted through quoted() to keep odd characters out of the message */
    quoted(q, sizeof q, section);
    if (guess)
        return il_fail(err, IL_ERR_USAGE, "%sunknown section [%.*s] (did you mean [%s]? valid sections: %s)",
                       place, (int)strlen(q) - 2, q + 1, guess, valid);
    return il_fail(err, IL_ERR_USAGE, "%sunknown section [%.*s] (valid sections: %s)", place,
                   (int)strlen(q) - 2, q + 1, valid);
}

/* Every value goes through here, from a file or from --set. A value in quotes gets its own message:
 * inih keeps quotes as part of the value, and "expected a whole number, got "\"5\""" would puzzle. */
static il_status apply_value(il_experiment *exp, const key_def *def, const char *value, const char *where,
                             il_error *err) {
    size_t len = strlen(value);
    if (def->form != FORM_TEXT && len >= 2 &&
        ((value[0] == '"' && value[len - 1] == '"') || (value[0] == '\'' && value[len - 1] == '\''))) {
        char inner[QUOTE_CHARS + 1];
        snprintf(inner, sizeof inner, "%.*s", (int)(len - 2 < QUOTE_CHARS ? len - 2 : QUOTE_CHARS),
                 value + 1);
        return il_fail(err, IL_ERR_USAGE, "%s: write the value without quotes: %s = %s", where, def->key,
                       inner);
    }
    return def->parse(exp, value, where, err);
}

/* ---------------------------------------------------------------------------------------------------- */
/* The default experiment                                                                                */

static const char default_description[] =
    "Same data, same network, same batches in the same order: only the starting weights differ.\n"
    "zero: every hidden unit gets the same update, so the ten units act as one (symmetry).\n"
    "uniform (+-0.7, ESL 11.5.3), xavier and he start nearly linear, then learn the two sigmoids.\n"
    "large (+-10) saturates the sigmoids: worse fits that change from seed to seed (ESL 11.5.1).";

void il_experiment_default(il_experiment *exp) {
    memset(exp, 0, sizeof *exp);
    snprintf(exp->name, sizeof exp->name, "default");
    snprintf(exp->description, sizeof exp->description, "%s", default_description);

    snprintf(exp->data, sizeof exp->data, "esl-sigmoids");
    exp->data_opt.seed = 1;
    exp->data_opt.scale = IL_SCALE_AUTO;
    exp->data_opt.test_fraction = 0.2;
    exp->data_opt.max_train = 0;
    exp->data_opt.max_test = 0;

    exp->n_hidden = 1;
    exp->hidden[0] = 10;
    exp->activation = IL_ACT_SIGMOID;
    exp->output = -1; /* auto: identity + squared error for a regression set such as esl-sigmoids */

    /* Full-batch gradient descent on 100 examples: 2000 epochs at rate 0.5 bring uniform, xavier and he
     * to a test error of about 1.2 times the noise variance (1000 epochs stop short, 5000 add nothing),
     * while zero (about 1.7) and large (1.2 to 1.8 by seed) stay visibly worse. */
    exp->epochs = 2000;
    exp->batch_size = 0;
    exp->sgd.learning_rate = 0.5;
    exp->sgd.momentum = 0.0;
    exp->sgd.weight_decay = 0.0;
    exp->divergence_loss = 1e6;

    static const il_init_kind kinds[] = {IL_INIT_ZERO, IL_INIT_UNIFORM, IL_INIT_XAVIER, IL_INIT_HE,
                                         IL_INIT_LARGE};
    exp->n_inits = sizeof kinds / sizeof *kinds;
    for (size_t i = 0; i < exp->n_inits; i++) {
        il_init_entry *e = &exp->inits[i];
        snprintf(e->label, sizeof e->label, "%s", il_init_name(kinds[i]));
        e->n_specs = 1;
        for (size_t l = 0; l < IL_MAX_LAYERS; l++) {
            e->layer[l].kind = kinds[i];
            e->layer[l].param = il_init_default_param(kinds[i]);
            e->layer[l].bias = 0.0;
        }
    }

    exp->n_seeds = 10;
    for (size_t i = 0; i < exp->n_seeds; i++)
        exp->seeds[i] = i + 1;

    exp->log_every_epochs = 1;
    exp->log_every_steps = 0;
    exp->probe_samples = 500;

    snprintf(exp->out_dir, sizeof exp->out_dir, "results");
    exp->jobs = 0;
}

static const char default_ini[] =
    "# The default experiment: does the starting point matter?\n"
    "# ESL 11.6's sum of sigmoids (100 training and 10000 test examples, 2 inputs), a network with 10\n"
    "# sigmoid hidden units and a linear output trained on squared error by full-batch gradient descent,\n"
    "# started from five initializations with 10 seeds each: 50 runs, a few seconds in all.\n"
    "# Every key is explained in docs/config.md; a key left out keeps the value shown here, except\n"
    "# every_epochs, whose default is 1 (this experiment logs every 10th epoch).\n"
    "\n"
    "[experiment]\n"
    "name = default\n"
    "description =\n"
    "    Same data, same network, same batches in the same order: only the starting weights differ.\n"
    "    zero: every hidden unit gets the same update, so the ten units act as one (symmetry).\n"
    "    uniform (+-0.7, ESL 11.5.3), xavier and he start nearly linear, then learn the two sigmoids.\n"
    "    large (+-10) saturates the sigmoids: worse fits that change from seed to seed (ESL 11.5.1).\n"
    "\n"
    "[data]\n"
    "# Y = sigmoid(3 X1 + 3 X2) + sigmoid(3 X1 - 3 X2) + noise; seed 1 makes the same data for every run\n"
    "source = esl-sigmoids\n"
    "scale = auto\n"
    "test_fraction = 0.2\n"
    "max_train = 0\n"
    "max_test = 0\n"
    "seed = 1\n"
    "\n"
    "[network]\n"
    "hidden = 10\n"
    "activation = sigmoid\n"
    "# auto: identity output and squared error for regression, softmax and cross-entropy for classes\n"
    "output = auto\n"
    "\n"
    "[training]\n"
    "epochs = 2000\n"
    "learning_rate = 0.5\n"
    "batch_size = full\n"
    "momentum = 0\n"
    "weight_decay = 0\n"
    "divergence_loss = 1000000\n"
    "\n"
    "[inits]\n"
    "# uniform is U(-0.7, 0.7); large is U(-10, 10)\n"
    "list = zero, uniform, xavier, he, large\n"
    "bias = 0\n"
    "\n"
    "[seeds]\n"
    "count = 10\n"
    "\n"
    "[logging]\n"
    "# every 10th epoch: the test loss on 10000 examples at each of 2000 epochs would be most of the time\n"
    "every_epochs = 10\n"
    "every_steps = 0\n"
    "probe_samples = 500\n"
    "\n"
    "[output]\n"
    "dir = results\n"
    "jobs = 0\n";

const char *il_experiment_default_ini(void) {
    return default_ini;
}

const char *const *il_experiment_keys(void) {
    return key_paths;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Reading INI text with inih                                                                            */

/* What the reader and the handler share while inih walks the text. inih gives the handler no line
 * number in its default build, so the reader counts the lines it hands over: inih calls the handler for
 * a line right after reading it, so the count is the handler's line. */
typedef struct {
    const char *name; /* file name for messages */
    const char *text; /* the whole text */
    size_t pos;       /* next byte the reader hands over */
    int line;         /* lines handed over so far = the line inih works on */
    const char *raw;  /* that line as written, and its length without the line break */
    size_t raw_len;
    int header_line;      /* line of the last "[section]" heading */
    int header_since_key; /* a heading came after the last key (inih then starts no continuation) */
    int prev_key;         /* key of the last handler call, -1 if none */
    int key_line[N_KEYS]; /* where each key was given, 0 if not */
    strbuf acc;           /* the value of a FORM_LIST or FORM_TEXT key so far, over its lines */
    il_experiment *exp;
    il_status status; /* first error, and where */
    int error_line;
    il_error error;
} parse_ctx;

static char *read_line(char *str, int num, void *stream) {
    parse_ctx *ctx = stream;
    if (ctx->status != IL_OK || !ctx->text[ctx->pos]) return NULL;
    const char *line = ctx->text + ctx->pos;
    const char *eol = strchr(line, '\n');
    size_t len = eol ? (size_t)(eol - line) : strlen(line);
    size_t content = len > 0 && line[len - 1] == '\r' ? len - 1 : len;
    ctx->line++;
    if (num < 3 || content > (size_t)num - 2) {
        ctx->status = il_fail(&ctx->error, IL_ERR_USAGE,
                              "%s:%d: the line is longer than %d characters, more than an INI line holds (a "
                              "description or a list can go on over indented lines)",
                              ctx->name, ctx->line, num - 2);
        ctx->error_line = ctx->line;
        return NULL;
    }
    memcpy(str, line, content);
    str[content] = '\n';
    str[content + 1] = '\0';
    ctx->raw = line;
    ctx->raw_len = content;
    ctx->pos += eol ? len + 1 : len;
    /* a heading: first non-blank character '[' (a UTF-8 byte order mark may open the file) */
    const char *p = line;
    if (ctx->line == 1 && !strncmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    int indented = isspace((unsigned char)*p);
    while (isspace((unsigned char)*p))
        p++;
    /* inih reads an indented line after a key as a continuation even when it starts with '[' */
    int continues = indented && ctx->prev_key >= 0 && !ctx->header_since_key;
    if (*p == '[' && !continues) {
        ctx->header_line = ctx->line;
        ctx->header_since_key = 1;
    }
    return str;
}

static int fail_at(parse_ctx *ctx) {
    ctx->status = ctx->error.status;
    ctx->error_line = ctx->line;
    return 0;
}

static int on_key(void *user, const char *section, const char *name, const char *value) {
    parse_ctx *ctx = user;
    if (ctx->status != IL_OK) return 1; /* the first error is the one reported */
    char place[512], where[600];
    snprintf(place, sizeof place, "%s:%d: ", ctx->name, ctx->line);

    if (!*section) {
        char q[QUOTE_CHARS + 16];
        int owner = -1;
        for (size_t i = 0; i < N_KEYS; i++)
            if (!strcmp(keys[i].key, name)) owner = owner == -1 ? (int)i : -2;
        if (owner >= 0)
            il_fail(&ctx->error, IL_ERR_USAGE, "%skey %s is not under a section heading; put it under [%s]",
                    place, quoted(q, sizeof q, name), keys[owner].section);
        else
            il_fail(&ctx->error, IL_ERR_USAGE, "%skey %s is not under a section heading such as [training]",
                    place, quoted(q, sizeof q, name));
        return fail_at(ctx);
    }
    if (find_section(section) < 0) {
        snprintf(place, sizeof place, "%s:%d: ", ctx->name, ctx->header_line ? ctx->header_line : ctx->line);
        unknown_section(&ctx->error, place, section);
        ctx->status = IL_ERR_USAGE;
        ctx->error_line = ctx->line;
        return 0;
    }
    int k = find_key(section, name);
    if (k < 0) {
        unknown_key(&ctx->error, place, section, name);
        return fail_at(ctx);
    }
    const key_def *def = &keys[k];
    snprintf(where, sizeof where, "%s[%s] %s", place, def->section, def->key);

    /* inih continues the previous key on an indented line that follows it (not after a heading) */
    int continued = ctx->raw_len > 0 && isspace((unsigned char)ctx->raw[0]) && ctx->prev_key >= 0 &&
                    !ctx->header_since_key;
    if (continued && k != ctx->prev_key) continued = 0; /* cannot happen with inih's rule; be safe */
    if (continued && def->form == FORM_SINGLE) {
        il_fail(&ctx->error, IL_ERR_USAGE,
                "%s: this line is indented, so it continues the value of %s from line %d; only the "
                "description and lists may go on over several lines (remove the indentation)",
                where, def->key, ctx->key_line[k]);
        return fail_at(ctx);
    }
    if (!continued && ctx->key_line[k]) {
        il_fail(&ctx->error, IL_ERR_USAGE, "%s: given twice (first on line %d); keep one", where,
                ctx->key_line[k]);
        return fail_at(ctx);
    }
    if (!continued && !strcmp(def->section, "seeds")) {
        int other = find_key("seeds", !strcmp(def->key, "count") ? "list" : "count");
        if (ctx->key_line[other]) {
            il_fail(&ctx->error, IL_ERR_USAGE,
                    "%s: %s is also given (line %d); give one of them: count = N runs seeds 1..N, "
                    "list = 3, 7, 11 runs those seeds",
                    where, keys[other].key, ctx->key_line[other]);
            return fail_at(ctx);
        }
    }
    if (!continued) ctx->key_line[k] = ctx->line;
    ctx->prev_key = k;
    ctx->header_since_key = 0;

    const char *full = value;
    if (def->form != FORM_SINGLE) {
        size_t len = strlen(value);
        if (continued) {
            /* inih strips a " ; comment" after a key's value but not (in every version) after a
             * continued line's: strip it here so both kinds of line read the same */
            for (size_t i = 1; i < len; i++)
                if (value[i] == ';' && is_blank(value[i - 1])) {
                    len = i;
                    break;
                }
            while (len > 0 && is_blank(value[len - 1]))
                len--;
            sb_puts(&ctx->acc, "\n");
        } else {
            ctx->acc.len = 0;
        }
        sb_put(&ctx->acc, value, len);
        if (ctx->acc.failed) {
            il_fail(&ctx->error, IL_ERR_NOMEM, "%s: out of memory", where);
            return fail_at(ctx);
        }
        full = ctx->acc.s;
    }
    if (apply_value(ctx->exp, def, full, where, &ctx->error) != IL_OK) return fail_at(ctx);
    return 1;
}

/* Per-layer init lists must have one scheme per layer: the network has n_hidden + 1 layers. */
static il_status check_layers(const il_experiment *exp, const char *place, int hidden_line, il_error *err) {
    size_t layers = exp->n_hidden + 1;
    for (size_t i = 0; i < exp->n_inits; i++) {
        const il_init_entry *e = &exp->inits[i];
        if (e->n_specs == 1 || e->n_specs == layers) continue;
        char schemes[IL_MAX_LAYERS * 40], q[QUOTE_CHARS + 16], from[128];
        format_schemes(e, schemes, sizeof schemes);
        strbuf widths = {0};
        format_hidden(exp, &widths);
        snprintf(from, sizeof from, " = %.60s", widths.s ? widths.s : "?");
        free(widths.s);
        if (hidden_line > 0)
            snprintf(from + strlen(from), sizeof from - strlen(from), " (line %d)", hidden_line);
        return il_fail(err, IL_ERR_USAGE,
                       "%s[inits] list: %s gives %zu per-layer schemes, but [network] hidden%s makes %zu "
                       "layer%s (%zu hidden + the output layer); give %zu schemes separated by '/', or one "
                       "for every layer",
                       place, quoted(q, sizeof q, schemes), e->n_specs, from, layers, layers == 1 ? "" : "s",
                       exp->n_hidden, layers);
    }
    return IL_OK;
}

/* Where inih stopped on a line it could not read: say what the line should look like. */
static il_status syntax_error(parse_ctx *ctx, int line, il_error *err) {
    const char *p = ctx->text;
    for (int i = 1; i < line && p; i++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    char text[QUOTE_CHARS + 1] = "", q[QUOTE_CHARS + 16];
    if (p) {
        size_t len = strcspn(p, "\r\n");
        size_t a = 0;
        while (a < len && isspace((unsigned char)p[a]))
            a++;
        snprintf(text, sizeof text, "%.*s", (int)(len - a < QUOTE_CHARS ? len - a : QUOTE_CHARS), p + a);
    }
    if (text[0] == '[')
        return il_fail(err, IL_ERR_USAGE,
                       "%s:%d: cannot read %s: a section heading is a name in brackets, "
                       "like [training]",
                       ctx->name, line, quoted(q, sizeof q, text));
    return il_fail(err, IL_ERR_USAGE,
                   "%s:%d: cannot read %s: expected \"key = value\", a [section] heading, or a comment "
                   "starting with ; or #",
                   ctx->name, line, quoted(q, sizeof q, text));
}

il_status il_experiment_parse(il_experiment *exp, const char *text, const char *name, il_error *err) {
    if (!name) name = "(config)";
    parse_ctx *ctx = calloc(1, sizeof *ctx);
    il_experiment *work = malloc(sizeof *work);
    if (!ctx || !work) {
        free(ctx);
        free(work);
        return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", name);
    }
    il_experiment_default(work);
    ctx->name = name;
    ctx->text = text;
    ctx->prev_key = -1;
    ctx->exp = work;
    ctx->status = IL_OK;

    int ret = ini_parse_stream(read_line, ctx, on_key, ctx);
    il_status st = IL_OK;
    if (ret > 0 && (ctx->status == IL_OK || ret < ctx->error_line)) {
        st = syntax_error(ctx, ret, err); /* inih's own complaint came first */
    } else if (ctx->status != IL_OK) {
        st = il_fail(err, ctx->status, "%s", ctx->error.msg);
    } else if (ret < 0) {
        st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory while reading", name);
    } else {
        int list_line = ctx->key_line[find_key("inits", "list")];
        char place[512] = "";
        if (list_line)
            snprintf(place, sizeof place, "%s:%d: ", name, list_line);
        else
            snprintf(place, sizeof place, "%s: ", name);
        st = check_layers(work, place, ctx->key_line[find_key("network", "hidden")], err);
    }
    if (st == IL_OK) *exp = *work;
    free(ctx->acc.s);
    free(ctx);
    free(work);
    return st;
}

il_status il_experiment_load(il_experiment *exp, const char *path, il_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return il_fail(err, IL_ERR_IO, "cannot open experiment file %s: %s", path, strerror(errno));
    char *text = malloc(MAX_FILE_BYTES + 1);
    if (!text) {
        fclose(f);
        return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t size = fread(text, 1, MAX_FILE_BYTES + 1, f);
    int bad_read = ferror(f);
    fclose(f);
    il_status st = IL_OK;
    if (bad_read)
        st = il_fail(err, IL_ERR_IO, "cannot read experiment file %s", path);
    else if (size > MAX_FILE_BYTES)
        st = il_fail(err, IL_ERR_USAGE, "%s: larger than %u bytes; is it an experiment file?", path,
                     MAX_FILE_BYTES);
    else if (memchr(text, '\0', size))
        st = il_fail(err, IL_ERR_USAGE, "%s: byte %zu is a NUL character; an experiment file is text", path,
                     (size_t)((char *)memchr(text, '\0', size) - text));
    if (st == IL_OK) {
        text[size] = '\0';
        st = il_experiment_parse(exp, text, path, err);
    }
    free(text);
    return st;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Overrides                                                                                             */

il_status il_experiment_set_key(il_experiment *exp, const char *section, const char *key, const char *value,
                                const char *where, il_error *err) {
    char place[256];
    snprintf(place, sizeof place, "%s: ", where ? where : "--set");
    if (find_section(section) < 0) return unknown_section(err, place, section);
    int k = find_key(section, key);
    if (k < 0) return unknown_key(err, place, section, key);
    char label[300];
    if (where)
        snprintf(label, sizeof label, "%s", where);
    else
        snprintf(label, sizeof label, "--set %s.%s", section, key);
    /* trim, as inih trims a value in a file */
    size_t len = strlen(value);
    size_t a = 0;
    while (a < len && isspace((unsigned char)value[a]))
        a++;
    while (len > a && isspace((unsigned char)value[len - 1]))
        len--;
    char *trimmed = malloc(len - a + 1);
    il_experiment *work = malloc(sizeof *work);
    il_status st = IL_OK;
    if (!trimmed || !work) {
        st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory", label);
    } else {
        memcpy(trimmed, value + a, len - a);
        trimmed[len - a] = '\0';
        *work = *exp;
        st = apply_value(work, &keys[k], trimmed, label, err);
        if (st == IL_OK) *exp = *work;
    }
    free(trimmed);
    free(work);
    return st;
}

il_status il_experiment_set(il_experiment *exp, const char *assignment, il_error *err) {
    char q[QUOTE_CHARS + 16];
    const char *eq = strchr(assignment, '=');
    const char *dot = strchr(assignment, '.');
    if (!eq || !dot || dot > eq)
        return il_fail(err, IL_ERR_USAGE,
                       "--set %s: expected section.key=value, e.g. --set training.epochs=100",
                       quoted(q, sizeof q, assignment));
    char section[64], key[64];
    size_t a = 0, sl = (size_t)(dot - assignment), kl = (size_t)(eq - dot - 1);
    while (a < sl && isspace((unsigned char)assignment[a]))
        a++;
    while (kl > 0 && isspace((unsigned char)dot[kl]))
        kl--;
    if (sl - a >= sizeof section || kl >= sizeof key || sl == a || kl == 0)
        return il_fail(err, IL_ERR_USAGE,
                       "--set %s: expected section.key=value, e.g. --set training.epochs=100",
                       quoted(q, sizeof q, assignment));
    memcpy(section, assignment + a, sl - a);
    section[sl - a] = '\0';
    memcpy(key, dot + 1, kl);
    key[kl] = '\0';
    return il_experiment_set_key(exp, section, key, eq + 1, NULL, err);
}

/* ---------------------------------------------------------------------------------------------------- */
/* Checking a filled struct, formatting, writing                                                         */

/* The parts a formatter relies on: counts within the arrays, enums in range, strings terminated. */
static il_status check_shape(const il_experiment *exp, il_error *err) {
#define TERMINATED(field) (memchr((field), '\0', sizeof(field)) != NULL)
    if (!TERMINATED(exp->name) || !TERMINATED(exp->description) || !TERMINATED(exp->data) ||
        !TERMINATED(exp->out_dir))
        return il_fail(err, IL_ERR_USAGE, "experiment: a text field is not NUL-terminated");
#undef TERMINATED
    if (exp->n_hidden >= IL_MAX_LAYERS)
        return il_fail(err, IL_ERR_USAGE, "[network] hidden: %zu hidden layers; at most %d", exp->n_hidden,
                       IL_MAX_LAYERS - 1);
    if ((int)exp->activation < 0 || exp->activation >= IL_ACT_COUNT)
        return il_fail(err, IL_ERR_USAGE, "[network] activation: not a known activation (%d)",
                       (int)exp->activation);
    if (exp->output < -1 || exp->output >= IL_OUT_COUNT)
        return il_fail(err, IL_ERR_USAGE, "[network] output: not a known output (%d)", exp->output);
    if (!scale_name(exp->data_opt.scale))
        return il_fail(err, IL_ERR_USAGE, "[data] scale: not a known scaling (%d)", (int)exp->data_opt.scale);
    if (exp->n_inits < 1 || exp->n_inits > IL_MAX_INITS)
        return il_fail(err, IL_ERR_USAGE, "[inits] list: %zu inits; give 1 to %d", exp->n_inits,
                       IL_MAX_INITS);
    if (exp->n_seeds < 1 || exp->n_seeds > IL_MAX_SEEDS)
        return il_fail(err, IL_ERR_USAGE, "[seeds]: %zu seeds; give 1 to %d", exp->n_seeds, IL_MAX_SEEDS);
    double bias = current_bias(exp);
    for (size_t i = 0; i < exp->n_inits; i++) {
        const il_init_entry *e = &exp->inits[i];
        if (!memchr(e->label, '\0', sizeof e->label))
            return il_fail(err, IL_ERR_USAGE, "[inits] list: label %zu is not NUL-terminated", i + 1);
        if (e->n_specs < 1 || e->n_specs > IL_MAX_LAYERS)
            return il_fail(err, IL_ERR_USAGE, "[inits] list: %s has %zu per-layer schemes; give 1 to %d",
                           e->label, e->n_specs, IL_MAX_LAYERS);
        for (size_t l = 0; l < IL_MAX_LAYERS; l++) {
            const il_init_spec *s = &e->layer[l];
            const il_init_spec *last = &e->layer[e->n_specs - 1];
            if ((int)s->kind < 0 || s->kind >= IL_INIT_COUNT)
                return il_fail(err, IL_ERR_USAGE, "[inits] list: %s, layer %zu: not a known scheme (%d)",
                               e->label, l, (int)s->kind);
            if (s->bias != bias)
                return il_fail(err, IL_ERR_USAGE,
                               "[inits] bias: %s, layer %zu starts its biases at %g but %s at %g; the config "
                               "gives one bias for every init",
                               e->label, l, s->bias, exp->inits[0].label, bias);
            if (l >= e->n_specs && (s->kind != last->kind || s->param != last->param))
                return il_fail(err, IL_ERR_USAGE,
                               "[inits] list: %s gives %zu per-layer schemes, so layer %zu must repeat the "
                               "last one",
                               e->label, e->n_specs, l);
        }
    }
    return IL_OK;
}

static il_status format_key(const il_experiment *exp, const key_def *def, char **value, il_error *err) {
    strbuf b = {0};
    sb_puts(&b, "");
    def->format(exp, &b);
    if (b.failed) {
        free(b.s);
        *value = NULL;
        return il_fail(err, IL_ERR_NOMEM, "[%s] %s: out of memory", def->section, def->key);
    }
    *value = b.s;
    return IL_OK;
}

il_status il_experiment_check(const il_experiment *exp, il_error *err) {
    il_status st = check_shape(exp, err);
    if (st != IL_OK) return st;
    /* Every key, written out and read back on a scratch copy: the same validation as a file gets. */
    il_experiment *scratch = malloc(sizeof *scratch);
    if (!scratch) return il_fail(err, IL_ERR_NOMEM, "experiment: out of memory");
    *scratch = *exp;
    for (size_t k = 0; k < N_KEYS && st == IL_OK; k++) {
        char *value;
        st = format_key(exp, &keys[k], &value, err);
        if (st != IL_OK) break;
        /* the seeds key not in use formats as nothing */
        if (!(value[0] == '\0' && !strcmp(keys[k].section, "seeds"))) {
            char where[64];
            snprintf(where, sizeof where, "[%s] %s", keys[k].section, keys[k].key);
            st = apply_value(scratch, &keys[k], value, where, err);
        }
        free(value);
    }
    free(scratch);
    if (st == IL_OK) st = check_layers(exp, "", 0, err);
    return st;
}

/* One "key = value" line, or "key=value" when only that fits. */
static void write_single(strbuf *out, const char *key, const char *value) {
    if (strlen(key) + 3 + strlen(value) <= LINE_CHARS)
        sb_printf(out, "%s = %s\n", key, value);
    else
        sb_printf(out, "%s=%s\n", key, value);
}

/* A list "a, b, c" over lines of about WRAP_CHARS, continued lines indented; a line ends with ','. */
static void write_list(strbuf *out, const char *key, const char *value) {
    sb_printf(out, "%s =", key);
    size_t col = strlen(key) + 2;
    const char *item = value;
    int first = 1;
    while (*item) {
        const char *end = strstr(item, ", ");
        size_t len = end ? (size_t)(end - item) : strlen(item);
        if (!first && col + 2 + len > WRAP_CHARS) {
            sb_puts(out, ",\n   ");
            col = 3;
        } else if (!first) {
            sb_puts(out, ",");
            col++;
        }
        sb_puts(out, " ");
        sb_put(out, item, len);
        col += 1 + len;
        first = 0;
        item = end ? end + 2 : item + len;
    }
    sb_puts(out, "\n");
}

/* Free text: "key =" then one indented line per line of text. */
static void write_text(strbuf *out, const char *key, const char *value) {
    if (!*value) {
        sb_printf(out, "%s =\n", key);
        return;
    }
    if (!strchr(value, '\n') && strlen(key) + 3 + strlen(value) <= LINE_CHARS) {
        sb_printf(out, "%s = %s\n", key, value);
        return;
    }
    sb_printf(out, "%s =\n", key);
    const char *line = value;
    while (*line) {
        size_t len = strcspn(line, "\n");
        sb_puts(out, " ");
        sb_put(out, line, len);
        sb_puts(out, "\n");
        line += len + (line[len] == '\n');
    }
}

il_status il_experiment_format_ini(const il_experiment *exp, char **text, il_error *err) {
    *text = NULL;
    il_status st = il_experiment_check(exp, err);
    if (st != IL_OK) return st;
    strbuf out = {0};
    /* the text depends on the experiment alone (no version, no date): the same experiment, the same bytes */
    sb_puts(&out, "# An initlab experiment, every key as used; docs/config.md explains them.\n");
    const char *section = "";
    for (size_t k = 0; k < N_KEYS && st == IL_OK; k++) {
        const key_def *def = &keys[k];
        char *value;
        st = format_key(exp, def, &value, err);
        if (st != IL_OK) break;
        if (strcmp(section, def->section) != 0) {
            sb_printf(&out, "\n[%s]\n", def->section);
            section = def->section;
        }
        if (!(value[0] == '\0' && !strcmp(def->section, "seeds"))) {
            if (def->form == FORM_LIST)
                write_list(&out, def->key, value);
            else if (def->form == FORM_TEXT)
                write_text(&out, def->key, value);
            else
                write_single(&out, def->key, value);
        }
        free(value);
    }
    if (st == IL_OK && out.failed) st = il_fail(err, IL_ERR_NOMEM, "experiment: out of memory while writing");
    if (st != IL_OK) {
        free(out.s);
        return st;
    }
    *text = out.s;
    return IL_OK;
}

il_status il_experiment_write_ini(const il_experiment *exp, const char *path, il_error *err) {
    char *text;
    il_status st = il_experiment_format_ini(exp, &text, err);
    if (st != IL_OK) return st;
    il_atomic_file af;
    st = il_atomic_open(&af, path, err);
    if (st == IL_OK) {
        if (fputs(text, af.f) == EOF) {
            il_atomic_abort(&af);
            st = il_fail(err, IL_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        } else {
            st = il_atomic_commit(&af, err);
        }
    }
    free(text);
    return st;
}

il_status il_experiment_get(const il_experiment *exp, const char *section, const char *key, char **value,
                            il_error *err) {
    *value = NULL;
    int k = find_key(section, key);
    if (k < 0) {
        if (find_section(section) < 0) return unknown_section(err, "", section);
        return unknown_key(err, "", section, key);
    }
    il_status st = check_shape(exp, err);
    if (st != IL_OK) return st;
    return format_key(exp, &keys[k], value, err);
}

const char *il_experiment_difference(const il_experiment *a, const il_experiment *b) {
    il_error ignored;
    /* a struct the formatters cannot read safely differs from everything */
    if (check_shape(a, &ignored) != IL_OK || check_shape(b, &ignored) != IL_OK) return "experiment";
    for (size_t k = 0; k < N_KEYS; k++) {
        char *va, *vb;
        if (format_key(a, &keys[k], &va, &ignored) != IL_OK) return key_paths[k];
        if (format_key(b, &keys[k], &vb, &ignored) != IL_OK) {
            free(va);
            return key_paths[k];
        }
        int same = !strcmp(va, vb);
        free(va);
        free(vb);
        if (!same) return key_paths[k];
    }
    return NULL;
}
