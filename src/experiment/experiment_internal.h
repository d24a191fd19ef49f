/* experiment_internal.h - internal (il__): the key table and what the experiment's files share. Each key
 * is one row of il__keys (keys.c): section, key, type, field, range, default, doc line. Reading (load.c),
 * --set, the checks (check.c), the writer (write.c), get/difference and docs/config.md's tables (doc.c)
 * all walk it. Numbers, words and strings are handled by type; structured values (the description, the
 * hidden widths, the inits, the seeds) name their own parse and format functions in their row.
 */
#ifndef INITLAB_EXPERIMENT_INTERNAL_H
#define INITLAB_EXPERIMENT_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include <ini.h>

#include "core/parse.h"
#include "initlab/experiment.h"

/* inih reads a line into a buffer of INI_MAX_LINE bytes, which must also hold the '\n' and the NUL: a
 * line may have at most this many characters. Longer lines are refused rather than split. */
#define IL__LINE_CHARS (INI_MAX_LINE - 2)
/* A list item (an init like "small=uniform:0.01", a width, a seed) must fit on a line of its own. */
#define IL__ITEM_CHARS 150
/* A config file is a few hundred lines; anything bigger is a mistake (the wrong file). */
#define IL__MAX_FILE_BYTES ((size_t)1 << 20)

/* ---- the table ----------------------------------------------------------------------------------- */

typedef enum {
    IL__FORM_SINGLE, /* one line */
    IL__FORM_LIST,   /* a comma list; may continue over indented lines */
    IL__FORM_TEXT    /* free text; may continue over indented lines, one line break each */
} il__key_form;

typedef enum {
    IL__TYPE_WHOLE,  /* size_t in whole; zero_word, if set, is another way to write 0 */
    IL__TYPE_U64,    /* uint64_t in whole */
    IL__TYPE_REAL,   /* double in real */
    IL__TYPE_WORD,   /* int (or an enum) holding one of words */
    IL__TYPE_NAME,   /* char[size]: letters, digits, '-', '_', '.'; names a folder */
    IL__TYPE_STRING, /* char[size]: one line of text, not empty */
    IL__TYPE_CUSTOM  /* parse and format below */
} il__key_type;

/* The words a WORD key accepts: values[0..count) in the order messages list them. parse takes the
 * lowercased text and returns a value, or a value not in values[] for an unknown word (aliases are
 * fine); name gives the one written word of a value, NULL for a value not in the set. */
typedef struct {
    const int *values;
    size_t count;
    int (*parse)(const char *word);
    const char *(*name)(int value);
    const char *also; /* accepted aliases, for the docs ("linear"), or NULL */
} il__words;

typedef struct il__key il__key;
/* Parse value (trimmed, unquoted) into exp; where names the place in messages ("x.ini:3: [data] seed").
 * On failure exp may be half-changed: callers parse into a scratch copy. */
typedef il_status (*il__key_parser)(il_experiment *exp, const il__key *key, const char *value,
                                    const char *where, il_error *err);
/* Write the value as a file holds it (a list as "a, b, c"; "" for a seeds key not in use). */
typedef void (*il__key_formatter)(const il_experiment *exp, const il__key *key, FILE *out);

struct il__key {
    const char *section, *key;
    il__key_type type;
    il__key_form form;
    size_t offset, size;         /* the field in il_experiment (CUSTOM: unused) */
    il_whole_range whole;        /* WHOLE, U64; CUSTOM keys whose items are whole numbers */
    size_t min_items, max_items; /* CUSTOM lists: how many items they hold */
    il_range real;               /* REAL; CUSTOM keys that hold a number */
    const char *zero_word;       /* WHOLE: a word meaning 0 ("full"), or NULL */
    const il__words *words;      /* WORD */
    il__key_parser parse;        /* CUSTOM */
    il__key_formatter format;
    const char *def;      /* the default, as a file writes it; "" = not set */
    const char *type_doc; /* docs' Type column; NULL = from the type (the Range column is made from
                             the range, the words, the field's size or the item counts) */
    const char *doc;      /* docs' Meaning column */
};

extern const il__key il__keys[];
extern const size_t il__n_keys;
extern const char *const il__sections[];
extern const size_t il__n_sections;

/* Index of a section or a key, -1 if there is none. */
int il__find_section(const char *section);
int il__find_key(const char *section, const char *key);

/* Every value goes through here, from a file, --set or a flag: a quoted value gets its own message,
 * then the key's parser by type. */
il_status il__apply_value(il_experiment *exp, const il__key *key, const char *value, const char *where,
                          il_error *err);
/* The value of a key as a file holds it, malloc'ed into *value. IL_ERR_NOMEM naming the key. The struct
 * must have passed il__check_shape. */
il_status il__format_value(const il_experiment *exp, const il__key *key, char **value, il_error *err);

/* ---- structured values (values.c, inits.c) -------------------------------------------------------- */

il_status il__parse_description(il_experiment *exp, const il__key *key, const char *value, const char *where,
                                il_error *err);
void il__format_text(const il_experiment *exp, const il__key *key, FILE *out);
il_status il__parse_hidden(il_experiment *exp, const il__key *key, const char *value, const char *where,
                           il_error *err);
void il__format_hidden(const il_experiment *exp, const il__key *key, FILE *out);
il_status il__parse_seed_count(il_experiment *exp, const il__key *key, const char *value, const char *where,
                               il_error *err);
void il__format_seed_count(const il_experiment *exp, const il__key *key, FILE *out);
il_status il__parse_seed_list(il_experiment *exp, const il__key *key, const char *value, const char *where,
                              il_error *err);
void il__format_seed_list(const il_experiment *exp, const il__key *key, FILE *out);
il_status il__parse_init_list(il_experiment *exp, const il__key *key, const char *value, const char *where,
                              il_error *err);
void il__format_init_list(const il_experiment *exp, const il__key *key, FILE *out);
il_status il__parse_bias(il_experiment *exp, const il__key *key, const char *value, const char *where,
                         il_error *err);
void il__format_bias(const il_experiment *exp, const il__key *key, FILE *out);

/* The bias every init starts from (the config has one for all). */
double il__current_bias(const il_experiment *exp);
/* One entry's schemes as the list writes them: "xavier" or "xavier/he". */
void il__format_schemes(const il_init_entry *entry, char *buf, size_t size);

/* A list's items, separated by commas and by line breaks (a value continued on indented lines); a line
 * may end with a comma. Returns a malloc'ed block of *n NUL-terminated items; NULL with err set on an
 * empty item ("1,,2"), an item longer than IL__ITEM_CHARS, or no memory. */
char *il__split_list(const char *text, size_t *n, const char *where, il_error *err);
/* A space or a tab: what inih trims around keys and values, and what starts a " ;" comment. */
int il__is_blank(char c);
/* Why a line of text cannot be a value in an INI file (inih would cut or drop it), or NULL if it can. */
const char *il__text_line_problem(const char *line, size_t len);

/* ---- messages (messages.c) ------------------------------------------------------------------------ */

/* The closest of names[0..count) to word, if close enough to be a likely typo; NULL otherwise. */
const char *il__closest(const char *word, const char *const *names, size_t count);
/* value lowercased into buf (words ignore case: "ReLU" is "relu"). */
void il__lowercase(char *buf, size_t size, const char *value);
/* "WHERE: expected a, b or c, got "VALUE" (did you mean "b"?)". */
il_status il__bad_word(il_error *err, const char *where, const char *value, const char *const *words,
                       size_t count);
/* A key this section does not have: a typo, or a key of another section. place prefixes the message. */
il_status il__unknown_key(il_error *err, const char *place, const char *section, const char *key);
il_status il__unknown_section(il_error *err, const char *place, const char *section);

/* ---- checks (check.c) ----------------------------------------------------------------------------- */

/* What the formatters rely on: strings terminated, counts within their arrays, words in their sets. */
il_status il__check_shape(const il_experiment *exp, il_error *err);
/* Per-layer init lists must give one scheme per layer of the network. place prefixes the message;
 * hidden_line > 0 names the line of [network] hidden. */
il_status il__check_layers(const il_experiment *exp, const char *place, int hidden_line, il_error *err);

#endif
