/* keys.c - the table of every key an experiment file may hold, and what is done with a key by its type:
 * parse a value into its field, format the field back. The defaults of il_experiment_default are the
 * table's default texts, read by the same parsers as a file; il_experiment_get and _difference format
 * through it. Nothing here reads files or knows about lines: that is load.c.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/experiment_internal.h"
#include "initlab/activation.h"

/* ---- words --------------------------------------------------------------------------------------- */

/* "auto" lets the data module choose: pixels (IDX, image folders) to [0, 1], everything else
 * standardized with training statistics, as ESL 11.5.3 recommends. */
static const int scale_values[] = {IL_SCALE_AUTO, IL_SCALE_STANDARDIZE, IL_SCALE_UNIT, IL_SCALE_NONE};

static const char *scale_name(int scale) {
    return il_scale_name((il_scale)scale);
}

static int scale_parse(const char *word) {
    return il_scale_parse(word);
}

static const int act_values[] = {IL_ACT_IDENTITY, IL_ACT_SIGMOID, IL_ACT_TANH, IL_ACT_RELU};
_Static_assert(sizeof act_values / sizeof *act_values == IL_ACT_COUNT, "every activation is a word");

static const char *act_name(int act) {
    return act >= 0 && act < IL_ACT_COUNT ? il_act_name((il_act)act) : NULL;
}

/* -1 is auto: the output follows from the task (identity / sigmoid / softmax). */
static const int output_values[] = {-1, IL_OUT_IDENTITY, IL_OUT_SIGMOID, IL_OUT_SOFTMAX};
_Static_assert(sizeof output_values / sizeof *output_values == IL_OUT_COUNT + 1, "every output is a word");

static const char *output_name(int out) {
    if (out == -1) return "auto";
    return out >= 0 && out < IL_OUT_COUNT ? il_output_name((il_output)out) : NULL;
}

static int output_parse(const char *word) {
    if (!strcmp(word, "auto")) return -1;
    int out = il_output_parse(word);
    return out >= 0 ? out : -2;
}

static const il__words scale_words = {scale_values, sizeof scale_values / sizeof *scale_values, scale_parse,
                                      scale_name, NULL};
static const il__words act_words = {act_values, IL_ACT_COUNT, il_act_parse, act_name, "linear"};
static const il__words output_words = {output_values, IL_OUT_COUNT + 1, output_parse, output_name, NULL};

/* WORD fields are enums or int; both are read and written as int. */
_Static_assert(sizeof(il_scale) == sizeof(int) && sizeof(il_act) == sizeof(int), "enum fields are int-sized");

/* ---- the table ----------------------------------------------------------------------------------- */

/* Ranges as constant initializers (core/parse.h's IL_RANGE_* are compound literals, for expressions). */
#define CLOSED(a, b)                                                                                         \
    { (a), (b), 0, 0 } /* [a, b] */
#define OPEN_LOW(a, b)                                                                                       \
    { (a), (b), 1, 0 } /* (a, b] */
#define OPEN_HIGH(a, b)                                                                                      \
    { (a), (b), 0, 1 } /* [a, b) */
#define OPEN(a, b)                                                                                           \
    { (a), (b), 1, 1 } /* (a, b) */
#define WHOLE(a, b)                                                                                          \
    { (a), (b) } /* [a, b] */

#define FIELD(member) .offset = offsetof(il_experiment, member), .size = sizeof(((il_experiment *)0)->member)

static const char default_description[] =
    "Same data, same network, same batches in the same order: only the starting weights differ.\n"
    "zero: every hidden unit gets the same update, so the ten units act as one (symmetry).\n"
    "uniform (+-0.7, ESL 11.5.3), xavier and he start nearly linear, then learn the two sigmoids.\n"
    "large (+-10) saturates the sigmoids: worse fits that change from seed to seed (ESL 11.5.1).";

/* The defaults are those of the embedded default experiment (ESL sum of sigmoids, 10 sigmoid units,
 * five inits, 10 seeds), except every_epochs. Full-batch gradient descent on 100 examples: 2000 epochs
 * at rate 0.5 bring uniform, xavier and he to a test error of about 1.2 times the noise variance (1000
 * epochs stop short, 5000 add nothing), while zero (about 1.7) and large (1.2 to 1.8 by seed) stay
 * visibly worse. */
const il__key il__keys[] = {
    /* [experiment] */
    {.section = "experiment",
     .key = "name",
     .type = IL__TYPE_NAME,
     FIELD(name),
     .def = "default",
     .doc = "Names the experiment and its results folder."},
    {.section = "experiment",
     .key = "description",
     .type = IL__TYPE_CUSTOM,
     .form = IL__FORM_TEXT,
     FIELD(description),
     .parse = il__parse_description,
     .format = il__format_text,
     .def = default_description,
     .type_doc = "text",
     .doc = "What the experiment shows and what to look for; shown in the report and the summary. Line "
            "breaks are kept; each line is trimmed and blank lines are dropped. A continued line may not "
            "start with `#` or `;` (it would be read as a comment)."},
    /* [data] */
    {.section = "data",
     .key = "source",
     .type = IL__TYPE_STRING,
     FIELD(data),
     .def = "esl-sigmoids",
     .type_doc = "data spec",
     .doc = "Where the examples come from: a source name with options, as `initlab list` shows, e.g. "
            "`esl-sigmoids`, `esl-radial:train=200`, `circles:noise=0.1`, `fashion-mnist`, "
            "`csv:file=my.csv,label=y`. It is opened (and refused if wrong) before any run starts."},
    {.section = "data",
     .key = "scale",
     .type = IL__TYPE_WORD,
     FIELD(data_opt.scale),
     .words = &scale_words,
     .def = "auto",
     .doc = "How inputs are scaled: `standardize` = mean 0, standard deviation 1 per input, with the "
            "statistics of the training set only (ESL 11.5.3: the ±0.7 rule of `uniform` assumes it); "
            "`unit` = pixel values to [0, 1]; `none` = as loaded. `auto` = `unit` for pixel sources "
            "(`fashion-mnist`, `mnist`, `idx`, `images`) and `standardize` for everything else."},
    {.section = "data",
     .key = "test_fraction",
     .type = IL__TYPE_REAL,
     FIELD(data_opt.test_fraction),
     .real = OPEN(0, 1),
     .def = "0.2",
     .doc = "Share of the examples held out for testing, for a source that has no test split of its own "
            "(a CSV file, an image folder). Sources with their own test set (ESL models, Fashion-MNIST) "
            "ignore it."},
    {.section = "data",
     .key = "max_train",
     .type = IL__TYPE_WHOLE,
     FIELD(data_opt.max_train),
     .whole = WHOLE(0, 1000000000000u),
     .def = "0",
     .doc = "Keep only the first N training examples (0 = all): a quick look at a big set."},
    {.section = "data",
     .key = "max_test",
     .type = IL__TYPE_WHOLE,
     FIELD(data_opt.max_test),
     .whole = WHOLE(0, 1000000000000u),
     .def = "0",
     .doc = "Keep only the first N test examples (0 = all)."},
    {.section = "data",
     .key = "seed",
     .type = IL__TYPE_U64,
     FIELD(data_opt.seed),
     .whole = WHOLE(0, UINT64_MAX),
     .def = "1",
     .doc = "Seed of everything random in making the data (simulated examples, noise, the train/test "
            "split). It is not a run seed: every run of the experiment sees the same data."},
    /* [network] */
    {.section = "network",
     .key = "hidden",
     .type = IL__TYPE_CUSTOM,
     .form = IL__FORM_LIST,
     .whole = WHOLE(1, IL_MAX_WIDTH),
     .min_items = 0,
     .max_items = IL_MAX_LAYERS - 1,
     .parse = il__parse_hidden,
     .format = il__format_hidden,
     .def = "10",
     .type_doc = "list of whole numbers",
     .doc = "Units per hidden layer, input side first: `10` is one layer of 10 units, `256, 128` two "
            "layers. `0` (or an empty value, or `none`) alone means no hidden layer: a linear (or "
            "logistic) model. The input and output widths come from the data."},
    {.section = "network",
     .key = "activation",
     .type = IL__TYPE_WORD,
     FIELD(activation),
     .words = &act_words,
     .def = "sigmoid",
     .doc = "Nonlinearity of every hidden unit. `identity` makes the network linear, a baseline."},
    {.section = "network",
     .key = "output",
     .type = IL__TYPE_WORD,
     FIELD(output),
     .words = &output_words,
     .def = "auto",
     .doc = "Output units and their loss, always as a pair: `identity` with squared error (regression, the "
            "ESL setting), `sigmoid` with binary cross-entropy, `softmax` with cross-entropy. `auto` "
            "chooses from the data: `identity` for regression, `sigmoid` for two classes with one target, "
            "`softmax` otherwise."},
    /* [training] */
    {.section = "training",
     .key = "epochs",
     .type = IL__TYPE_WHOLE,
     FIELD(epochs),
     .whole = WHOLE(1, 100000000),
     .def = "2000",
     .doc = "Passes over the training set."},
    {.section = "training",
     .key = "learning_rate",
     .type = IL__TYPE_REAL,
     FIELD(sgd.learning_rate),
     .real = OPEN_LOW(0, 1000),
     .def = "0.5",
     .doc = "Step size of gradient descent. The loss of a batch is the mean over its examples, so the rate "
            "does not depend on the batch size."},
    {.section = "training",
     .key = "batch_size",
     .type = IL__TYPE_WHOLE,
     FIELD(batch_size),
     .whole = WHOLE(0, 1000000000),
     .zero_word = "full",
     .def = "full",
     .doc = "Examples per gradient step. `full` (or `0`) = the whole training set in one step: full-batch "
            "gradient descent, one step per epoch. The examples are shuffled at every epoch in the same "
            "order for every init of a seed."},
    {.section = "training",
     .key = "momentum",
     .type = IL__TYPE_REAL,
     FIELD(sgd.momentum),
     .real = OPEN_HIGH(0, 1),
     .def = "0",
     .doc = "Heavy-ball momentum μ: v = μ v − rate · gradient, w = w + v. 0 is plain gradient descent."},
    {.section = "training",
     .key = "weight_decay",
     .type = IL__TYPE_REAL,
     FIELD(sgd.weight_decay),
     .real = CLOSED(0, 1000),
     .def = "0",
     .doc = "λ of the penalty λ Σ w² added to the loss (weights only, not biases), as in ESL 11.5.2."},
    {.section = "training",
     .key = "divergence_loss",
     .type = IL__TYPE_REAL,
     FIELD(divergence_loss),
     .real = OPEN_LOW(0, INFINITY),
     .def = "1000000",
     .doc = "A run whose training loss goes above this (or becomes NaN or infinite) is stopped and marked "
            "diverged; its later values are left empty in the results."},
    /* [inits] */
    {.section = "inits",
     .key = "list",
     .type = IL__TYPE_CUSTOM,
     .form = IL__FORM_LIST,
     .real = OPEN_LOW(0, 1e6),
     .parse = il__parse_init_list,
     .format = il__format_init_list,
     .def = "zero, uniform, xavier, he, large",
     .type_doc = "list of inits",
     .min_items = 1,
     .max_items = IL_MAX_INITS,
     .doc = "The initializations to compare. Every one trains the same network on the same data and "
            "batches, once per seed."},
    {.section = "inits",
     .key = "bias",
     .type = IL__TYPE_CUSTOM,
     .real = CLOSED(-1000, 1000),
     .parse = il__parse_bias,
     .format = il__format_bias,
     .def = "0",
     .type_doc = "number",
     .doc = "Where every bias starts, for every init."},
    /* [seeds] */
    {.section = "seeds",
     .key = "count",
     .type = IL__TYPE_CUSTOM,
     .whole = WHOLE(1, IL_MAX_SEEDS),
     .parse = il__parse_seed_count,
     .format = il__format_seed_count,
     .def = "10",
     .type_doc = "whole number",
     .doc = "Run seeds 1, 2, …, count."},
    {.section = "seeds",
     .key = "list",
     .type = IL__TYPE_CUSTOM,
     .form = IL__FORM_LIST,
     .whole = WHOLE(0, UINT64_MAX),
     .parse = il__parse_seed_list,
     .format = il__format_seed_list,
     .def = "",
     .type_doc = "list of whole numbers",
     .min_items = 1,
     .max_items = IL_MAX_SEEDS,
     .doc = "Run exactly these seeds, e.g. `list = 3, 7, 11`; none may be listed twice."},
    /* [logging] */
    {.section = "logging",
     .key = "every_epochs",
     .type = IL__TYPE_WHOLE,
     FIELD(log_every_epochs),
     .whole = WHOLE(1, 100000000),
     .def = "1",
     .doc = "Log the losses and diagnostics at epoch 0 (before any update), every N epochs, and at the "
            "last epoch."},
    {.section = "logging",
     .key = "every_steps",
     .type = IL__TYPE_WHOLE,
     FIELD(log_every_steps),
     .whole = WHOLE(0, 1000000000),
     .def = "0",
     .doc = "0 = off. Otherwise also log every N gradient steps during the first epoch, where mini-batch "
            "training changes fastest (it has no effect with `batch_size = full`, where an epoch is one "
            "step)."},
    {.section = "logging",
     .key = "probe_samples",
     .type = IL__TYPE_WHOLE,
     FIELD(probe_samples),
     .whole = WHOLE(1, 1000000),
     .def = "500",
     .doc = "Training examples on which the diagnostics (saturation, the linear region, distinct hidden "
            "units) are measured; all of them when the training set is smaller. The same examples for "
            "every run."},
    /* [output] */
    {.section = "output",
     .key = "dir",
     .type = IL__TYPE_STRING,
     FIELD(out_dir),
     .def = "results",
     .type_doc = "path",
     .doc = "Parent folder of the results; each experiment run gets a folder of its own inside it."},
    {.section = "output",
     .key = "jobs",
     .type = IL__TYPE_WHOLE,
     FIELD(jobs),
     .whole = WHOLE(0, 1024),
     .def = "0",
     .doc = "Runs trained at the same time, each on one core. 0 = as many as the machine has cores. The "
            "results do not depend on it."},
};
#define N_KEYS (sizeof il__keys / sizeof *il__keys)
const size_t il__n_keys = N_KEYS;

const char *const il__sections[] = {"experiment", "data",  "network", "training",
                                    "inits",      "seeds", "logging", "output"};
const size_t il__n_sections = sizeof il__sections / sizeof *il__sections;

/* "section.key" of every row, in the table's order (test_experiment.c checks that the two agree). */
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
_Static_assert(sizeof key_paths / sizeof *key_paths == N_KEYS + 1, "key_paths names every row");

int il__find_section(const char *section) {
    for (size_t i = 0; i < il__n_sections; i++)
        if (!strcmp(il__sections[i], section)) return (int)i;
    return -1;
}

int il__find_key(const char *section, const char *key) {
    for (size_t i = 0; i < N_KEYS; i++)
        if (!strcmp(il__keys[i].section, section) && !strcmp(il__keys[i].key, key)) return (int)i;
    return -1;
}

/* ---- values by type ------------------------------------------------------------------------------ */

/* A single-line string value: not empty, writable as INI, and short enough that "key=value" fits on one
 * line of the file. */
static il_status parse_string(char *out, size_t size, const il__key *k, const char *value, const char *where,
                              il_error *err) {
    size_t len = strlen(value);
    char q[IL_QUOTE_SIZE];
    if (len == 0) return il_fail(err, IL_ERR_USAGE, "%s: must not be empty", where);
    if (strchr(value, '\n'))
        return il_fail(err, IL_ERR_USAGE, "%s: must be a single line, got %s", where,
                       il__quote(q, sizeof q, value));
    const char *problem = il__text_line_problem(value, len);
    if (problem)
        return il_fail(err, IL_ERR_USAGE, "%s: %s %s", where, il__quote(q, sizeof q, value), problem);
    size_t room = IL__LINE_CHARS - strlen(k->key) - 1;
    if (room > size - 1) room = size - 1;
    if (len > room)
        return il_fail(err, IL_ERR_USAGE, "%s: is %zu characters long; at most %zu fit", where, len, room);
    memcpy(out, value, len + 1);
    return IL_OK;
}

/* A name that can be a folder: letters, digits, '-', '_', '.', not starting with '-' or '.'. */
static il_status parse_name(char *out, size_t size, const char *value, const char *where, il_error *err) {
    size_t len = strlen(value);
    int ok = len >= 1 && len < size && value[0] != '.' && value[0] != '-';
    for (size_t i = 0; ok && i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
             c == '_' || c == '.';
    }
    if (!ok) {
        char q[IL_QUOTE_SIZE];
        return il_fail(err, IL_ERR_USAGE,
                       "%s: expected a name of 1 to %zu letters, digits, '-', '_' or '.', not starting with "
                       "'-' or '.' (it names a folder), got %s",
                       where, size - 1, *value ? il__quote(q, sizeof q, value) : "nothing");
    }
    memcpy(out, value, len + 1);
    return IL_OK;
}

static il_status parse_word(int *out, const il__words *w, const char *value, const char *where,
                            il_error *err) {
    char word[32];
    il__lowercase(word, sizeof word, value);
    int v = w->parse(word);
    for (size_t i = 0; i < w->count && strlen(value) < sizeof word; i++)
        if (w->values[i] == v) {
            *out = v;
            return IL_OK;
        }
    const char *names[16];
    for (size_t i = 0; i < w->count && i < 16; i++)
        names[i] = w->name(w->values[i]);
    return il__bad_word(err, where, value, names, w->count < 16 ? w->count : 16);
}

/* A whole number, or the key's zero word ("full" for batch_size) for 0. */
static il_status parse_whole_or_word(size_t *out, const il__key *k, const char *value, const char *where,
                                     il_error *err) {
    if (!k->zero_word) return il__parse_size(value, k->whole, where, out, err);
    char word[32];
    il__lowercase(word, sizeof word, value);
    if (!strcmp(word, k->zero_word)) {
        *out = 0;
        return IL_OK;
    }
    il_error inner;
    if (il__parse_size(value, k->whole, where, out, &inner) == IL_OK) return IL_OK;
    char expected[128], q[IL_QUOTE_SIZE];
    il__describe_whole_range(expected, sizeof expected, k->whole);
    return il_fail(err, IL_ERR_USAGE, "%s: expected %s or \"%s\", got %s", where, expected, k->zero_word,
                   *value ? il__quote(q, sizeof q, value) : "nothing");
}

static il_status parse_by_type(il_experiment *exp, const il__key *k, const char *value, const char *where,
                               il_error *err) {
    char *field = (char *)exp + k->offset;
    switch (k->type) {
    case IL__TYPE_WHOLE: return parse_whole_or_word((size_t *)(void *)field, k, value, where, err);
    case IL__TYPE_U64: return il__parse_whole(value, k->whole, where, (uint64_t *)(void *)field, err);
    case IL__TYPE_REAL: return il__parse_real(value, k->real, where, (double *)(void *)field, err);
    case IL__TYPE_WORD: return parse_word((int *)(void *)field, k->words, value, where, err);
    case IL__TYPE_NAME: return parse_name(field, k->size, value, where, err);
    case IL__TYPE_STRING: return parse_string(field, k->size, k, value, where, err);
    case IL__TYPE_CUSTOM: return k->parse(exp, k, value, where, err);
    }
    return il_fail(err, IL_ERR_USAGE, "%s: a key of unknown type", where);
}

void il__format_text(const il_experiment *exp, const il__key *k, FILE *out) {
    fputs((const char *)exp + k->offset, out);
}

static void format_by_type(const il_experiment *exp, const il__key *k, FILE *out) {
    const char *field = (const char *)exp + k->offset;
    char buf[32];
    switch (k->type) {
    case IL__TYPE_WHOLE: {
        size_t v = *(const size_t *)(const void *)field;
        if (v == 0 && k->zero_word)
            fputs(k->zero_word, out);
        else
            fprintf(out, "%zu", v);
        return;
    }
    case IL__TYPE_U64: fprintf(out, "%" PRIu64, *(const uint64_t *)(const void *)field); return;
    case IL__TYPE_REAL:
        il__format_real(buf, sizeof buf, *(const double *)(const void *)field);
        fputs(buf, out);
        return;
    case IL__TYPE_WORD: {
        const char *name = k->words->name(*(const int *)(const void *)field);
        fputs(name ? name : "?", out);
        return;
    }
    case IL__TYPE_NAME:
    case IL__TYPE_STRING: il__format_text(exp, k, out); return;
    case IL__TYPE_CUSTOM: k->format(exp, k, out); return;
    }
}

/* ---- shared entry points ------------------------------------------------------------------------- */

il_status il__apply_value(il_experiment *exp, const il__key *k, const char *value, const char *where,
                          il_error *err) {
    /* inih keeps quotes as part of a value, and "expected a whole number, got "\"5\""" would puzzle */
    size_t len = strlen(value);
    if (k->form != IL__FORM_TEXT && len >= 2 &&
        ((value[0] == '"' && value[len - 1] == '"') || (value[0] == '\'' && value[len - 1] == '\''))) {
        char inner[IL_QUOTE_CHARS + 1];
        snprintf(inner, sizeof inner, "%.*s", (int)(len - 2 < IL_QUOTE_CHARS ? len - 2 : IL_QUOTE_CHARS),
                 value + 1);
        return il_fail(err, IL_ERR_USAGE, "%s: write the value without quotes: %s = %s", where, k->key,
                       inner);
    }
    return parse_by_type(exp, k, value, where, err);
}

il_status il__format_value(const il_experiment *exp, const il__key *k, char **value, il_error *err) {
    size_t size = 0;
    *value = NULL;
    FILE *out = open_memstream(value, &size);
    if (!out) return il_fail(err, IL_ERR_NOMEM, "[%s] %s: out of memory", k->section, k->key);
    format_by_type(exp, k, out);
    if (ferror(out) | fclose(out)) {
        free(*value);
        *value = NULL;
        return il_fail(err, IL_ERR_NOMEM, "[%s] %s: out of memory", k->section, k->key);
    }
    return IL_OK;
}

/* ---- public: defaults, keys, one value, the difference --------------------------------------------- */

void il_experiment_default(il_experiment *exp) {
    memset(exp, 0, sizeof *exp);
    /* Every default is parsed as a file would be; test_experiment.c checks each one is accepted and
     * formats back to its own text, so nothing can fail here. */
    for (size_t k = 0; k < N_KEYS; k++) {
        il_error ignored;
        if (il__keys[k].def[0]) il__apply_value(exp, &il__keys[k], il__keys[k].def, "default", &ignored);
    }
}

const char *const *il_experiment_keys(void) {
    return key_paths;
}

il_status il_experiment_get(const il_experiment *exp, const char *section, const char *key, char **value,
                            il_error *err) {
    *value = NULL;
    int k = il__find_key(section, key);
    if (k < 0) {
        if (il__find_section(section) < 0) return il__unknown_section(err, "", section);
        return il__unknown_key(err, "", section, key);
    }
    il_status st = il__check_shape(exp, err);
    if (st != IL_OK) return st;
    return il__format_value(exp, &il__keys[k], value, err);
}

const char *il_experiment_difference(const il_experiment *a, const il_experiment *b) {
    il_error ignored;
    /* a struct the formatters cannot read safely differs from everything */
    if (il__check_shape(a, &ignored) != IL_OK || il__check_shape(b, &ignored) != IL_OK) return "experiment";
    for (size_t k = 0; k < N_KEYS; k++) {
        char *va, *vb;
        if (il__format_value(a, &il__keys[k], &va, &ignored) != IL_OK) return key_paths[k];
        if (il__format_value(b, &il__keys[k], &vb, &ignored) != IL_OK) {
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
