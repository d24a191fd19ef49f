/* load.c - reading an experiment: INI text through inih, with every error at file:line and its
 * [section] key, and the overrides of the command line (--set section.key=value, and flags through
 * il_experiment_set_key). Values are handed to the key table (keys.c); this file knows about lines,
 * headings, continued values and keys given twice, not about what a value means.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "experiment/experiment_internal.h"

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
    int *key_line;        /* where each key was given, 0 if not (il__n_keys entries) */
    char *acc;            /* the value of a list or text key so far, over its lines (malloc'ed) */
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

/* The value so far, then a line break and len bytes of the continued line: a new malloc'ed string. */
static int append_line(parse_ctx *ctx, const char *value, size_t len) {
    char *joined = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&joined, &size);
    if (!out) return 0;
    fputs(ctx->acc, out);
    fputc('\n', out);
    fwrite(value, 1, len, out);
    if (ferror(out) | fclose(out)) {
        free(joined);
        return 0;
    }
    free(ctx->acc);
    ctx->acc = joined;
    return 1;
}

static int on_key(void *user, const char *section, const char *name, const char *value) {
    parse_ctx *ctx = user;
    if (ctx->status != IL_OK) return 1; /* the first error is the one reported */
    char place[512], where[600], q[IL_QUOTE_SIZE];
    snprintf(place, sizeof place, "%s:%d: ", ctx->name, ctx->line);

    if (!*section) {
        int owner = -1;
        for (size_t i = 0; i < il__n_keys; i++)
            if (!strcmp(il__keys[i].key, name)) owner = owner == -1 ? (int)i : -2;
        if (owner >= 0)
            il_fail(&ctx->error, IL_ERR_USAGE, "%skey %s is not under a section heading; put it under [%s]",
                    place, il__quote(q, sizeof q, name), il__keys[owner].section);
        else
            il_fail(&ctx->error, IL_ERR_USAGE, "%skey %s is not under a section heading such as [training]",
                    place, il__quote(q, sizeof q, name));
        return fail_at(ctx);
    }
    if (il__find_section(section) < 0) {
        snprintf(place, sizeof place, "%s:%d: ", ctx->name, ctx->header_line ? ctx->header_line : ctx->line);
        il__unknown_section(&ctx->error, place, section);
        return fail_at(ctx);
    }
    int k = il__find_key(section, name);
    if (k < 0) {
        il__unknown_key(&ctx->error, place, section, name);
        return fail_at(ctx);
    }
    const il__key *key = &il__keys[k];
    snprintf(where, sizeof where, "%s[%s] %s", place, key->section, key->key);

    /* inih continues the previous key on an indented line that follows it (not after a heading) */
    int continued = ctx->raw_len > 0 && isspace((unsigned char)ctx->raw[0]) && ctx->prev_key == k &&
                    !ctx->header_since_key;
    if (continued && key->form == IL__FORM_SINGLE) {
        il_fail(&ctx->error, IL_ERR_USAGE,
                "%s: this line is indented, so it continues the value of %s from line %d; only the "
                "description and lists may go on over several lines (remove the indentation)",
                where, key->key, ctx->key_line[k]);
        return fail_at(ctx);
    }
    if (!continued && ctx->key_line[k]) {
        il_fail(&ctx->error, IL_ERR_USAGE, "%s: given twice (first on line %d); keep one", where,
                ctx->key_line[k]);
        return fail_at(ctx);
    }
    if (!continued && !strcmp(key->section, "seeds")) {
        int other = il__find_key("seeds", !strcmp(key->key, "count") ? "list" : "count");
        if (ctx->key_line[other]) {
            il_fail(&ctx->error, IL_ERR_USAGE,
                    "%s: %s is also given (line %d); give one of them: count = N runs seeds 1..N, "
                    "list = 3, 7, 11 runs those seeds",
                    where, il__keys[other].key, ctx->key_line[other]);
            return fail_at(ctx);
        }
    }
    if (!continued) ctx->key_line[k] = ctx->line;
    ctx->prev_key = k;
    ctx->header_since_key = 0;

    const char *full = value;
    if (key->form != IL__FORM_SINGLE) {
        int ok;
        if (continued) {
            /* inih strips a " ; comment" after a key's value but not (in every version) after a
             * continued line's: strip it here so both kinds of line read the same */
            size_t len = strlen(value);
            for (size_t i = 1; i < len; i++)
                if (value[i] == ';' && il__is_blank(value[i - 1])) {
                    len = i;
                    break;
                }
            while (len > 0 && il__is_blank(value[len - 1]))
                len--;
            ok = append_line(ctx, value, len);
        } else {
            free(ctx->acc);
            ctx->acc = il__strdup(value);
            ok = ctx->acc != NULL;
        }
        if (!ok) {
            il_fail(&ctx->error, IL_ERR_NOMEM, "%s: out of memory", where);
            return fail_at(ctx);
        }
        full = ctx->acc;
    }
    if (il__apply_value(ctx->exp, key, full, where, &ctx->error) != IL_OK) return fail_at(ctx);
    return 1;
}

/* Where inih stopped on a line it could not read: say what the line should look like. */
static il_status syntax_error(parse_ctx *ctx, int line, il_error *err) {
    const char *p = ctx->text;
    for (int i = 1; i < line && p; i++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    char text[IL_QUOTE_CHARS + 4] = "", q[IL_QUOTE_SIZE];
    if (p) {
        size_t len = strcspn(p, "\r\n");
        size_t a = 0;
        while (a < len && isspace((unsigned char)p[a]))
            a++;
        snprintf(text, sizeof text, "%.*s",
                 (int)(len - a < IL_QUOTE_CHARS + 1 ? len - a : IL_QUOTE_CHARS + 1), p + a);
    }
    if (text[0] == '[')
        return il_fail(err, IL_ERR_USAGE,
                       "%s:%d: cannot read %s: a section heading is a name in brackets, like [training]",
                       ctx->name, line, il__quote(q, sizeof q, text));
    return il_fail(err, IL_ERR_USAGE,
                   "%s:%d: cannot read %s: expected \"key = value\", a [section] heading, or a comment "
                   "starting with ; or #",
                   ctx->name, line, il__quote(q, sizeof q, text));
}

il_status il_experiment_parse(il_experiment *exp, const char *text, const char *name, il_error *err) {
    if (!name) name = "(config)";
    parse_ctx *ctx = calloc(1, sizeof *ctx);
    int *key_line = calloc(il__n_keys, sizeof *key_line);
    il_experiment *work = malloc(sizeof *work);
    if (!ctx || !key_line || !work) {
        free(ctx);
        free(key_line);
        free(work);
        return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", name);
    }
    il_experiment_default(work);
    ctx->name = name;
    ctx->text = text;
    ctx->prev_key = -1;
    ctx->key_line = key_line;
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
        int list_line = key_line[il__find_key("inits", "list")];
        char place[512];
        if (list_line)
            snprintf(place, sizeof place, "%s:%d: ", name, list_line);
        else
            snprintf(place, sizeof place, "%s: ", name);
        st = il__check_layers(work, place, key_line[il__find_key("network", "hidden")], err);
    }
    if (st == IL_OK) *exp = *work;
    free(ctx->acc);
    free(ctx);
    free(key_line);
    free(work);
    return st;
}

il_status il_experiment_load(il_experiment *exp, const char *path, il_error *err) {
    char *text = NULL;
    size_t size = 0;
    il_status st = il__read_file(path, IL__MAX_FILE_BYTES, &text, &size, err);
    if (st == IL_ERR_FORMAT) { /* too large: the wrong file, a usage mistake like any bad content */
        if (err) err->status = IL_ERR_USAGE;
        return IL_ERR_USAGE;
    }
    if (st != IL_OK) return st;
    const char *nul = memchr(text, '\0', size);
    if (nul)
        st = il_fail(err, IL_ERR_USAGE, "%s: byte %zu is a NUL character; an experiment file is text", path,
                     (size_t)(nul - text));
    else
        st = il_experiment_parse(exp, text, path, err);
    free(text);
    return st;
}

/* ---- overrides ----------------------------------------------------------------------------------- */

il_status il_experiment_set_key(il_experiment *exp, const char *section, const char *key, const char *value,
                                const char *where, il_error *err) {
    char place[256];
    snprintf(place, sizeof place, "%s: ", where ? where : "--set");
    if (il__find_section(section) < 0) return il__unknown_section(err, place, section);
    int k = il__find_key(section, key);
    if (k < 0) return il__unknown_key(err, place, section, key);
    char label[300];
    if (where)
        snprintf(label, sizeof label, "%s", where);
    else
        snprintf(label, sizeof label, "--set %s.%s", section, key);
    /* trim, as inih trims a value in a file */
    size_t len = strlen(value), a = 0;
    while (a < len && isspace((unsigned char)value[a]))
        a++;
    while (len > a && isspace((unsigned char)value[len - 1]))
        len--;
    char *trimmed = il__strndup(value + a, len - a);
    il_experiment *work = malloc(sizeof *work);
    il_status st = IL_OK;
    if (!trimmed || !work) {
        st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory", label);
    } else {
        *work = *exp;
        st = il__apply_value(work, &il__keys[k], trimmed, label, err);
        if (st == IL_OK) *exp = *work;
    }
    free(trimmed);
    free(work);
    return st;
}

il_status il_experiment_set(il_experiment *exp, const char *assignment, il_error *err) {
    char q[IL_QUOTE_SIZE];
    const char *eq = strchr(assignment, '=');
    const char *dot = strchr(assignment, '.');
    size_t a = 0, sl = dot ? (size_t)(dot - assignment) : 0, kl = dot && eq ? (size_t)(eq - dot - 1) : 0;
    if (dot && eq && dot < eq) {
        while (a < sl && isspace((unsigned char)assignment[a]))
            a++;
        while (kl > 0 && isspace((unsigned char)dot[kl]))
            kl--;
    }
    char section[64], key[64];
    if (!eq || !dot || dot > eq || sl - a >= sizeof section || kl >= sizeof key || sl == a || kl == 0)
        return il_fail(err, IL_ERR_USAGE,
                       "--set %s: expected section.key=value, e.g. --set training.epochs=100",
                       il__quote(q, sizeof q, assignment));
    memcpy(section, assignment + a, sl - a);
    section[sl - a] = '\0';
    memcpy(key, dot + 1, kl);
    key[kl] = '\0';
    return il_experiment_set_key(exp, section, key, eq + 1, NULL, err);
}
