/* test_experiment.c - the experiment config: every key read, every kind of bad file refused with its file,
 * line and key, --set overrides, the default experiment, write-then-read round trips, and the reference
 * page in docs/config.md agreeing with the code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/experiment_internal.h"
#include "initlab/experiment.h"
#include "testutil.h"

/* ---------------------------------------------------------------------------------------------------- */
/* Helpers                                                                                               */

static il_experiment *new_experiment(void) {
    il_experiment *exp = malloc(sizeof *exp);
    assert_non_null(exp);
    il_experiment_default(exp);
    return exp;
}

static void assert_contains(const char *text, const char *part) {
    if (!strstr(text, part)) fail_msg("expected \"%s\" in: %s", part, text);
}

/* A file of the source tree, malloc'ed. (INITLAB_SOURCE_DIR is defined for this test program; the shared
 * test helper library is compiled without it.) */
static char *source_file(const char *relative) {
    size_t n = strlen(INITLAB_SOURCE_DIR) + strlen(relative) + 2;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/%s", INITLAB_SOURCE_DIR, relative);
    return path;
}

static char *fixture(const char *relative) {
    char path[1024];
    snprintf(path, sizeof path, "tests/data/config/%s", relative);
    return source_file(path);
}

/* Parse text that must be accepted. */
static void parse_ok(il_experiment *exp, const char *text) {
    il_error err;
    il_error_clear(&err);
    if (il_experiment_parse(exp, text, "t.ini", &err) != IL_OK) fail_msg("refused: %s", err.msg);
}

/* Parse text that must be refused; returns the message (static). */
static const char *parse_bad(const char *text) {
    static il_error err;
    il_experiment *exp = new_experiment();
    il_error_clear(&err);
    il_status st = il_experiment_parse(exp, text, "t.ini", &err);
    free(exp);
    if (st == IL_OK) fail_msg("accepted: %s", text);
    assert_int_equal(st, IL_ERR_USAGE);
    return err.msg;
}

/* Format, read back, and require the same experiment. */
static void assert_round_trip(const il_experiment *exp) {
    char *text = NULL;
    il_error err;
    if (il_experiment_format_ini(exp, &text, &err) != IL_OK) fail_msg("format: %s", err.msg);
    il_experiment *back = malloc(sizeof *back);
    assert_non_null(back);
    if (il_experiment_parse(back, text, "written.ini", &err) != IL_OK) fail_msg("%s\nin:\n%s", err.msg, text);
    const char *diff = il_experiment_difference(exp, back);
    if (diff) fail_msg("%s differs after writing and reading:\n%s", diff, text);
    free(back);
    free(text);
}

/* ---------------------------------------------------------------------------------------------------- */
/* The default experiment                                                                                */

static void test_default_experiment_is_esl_sum_of_sigmoids_with_five_inits_and_ten_seeds(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    assert_string_equal(exp->data, "esl-sigmoids");
    assert_int_equal(exp->data_opt.seed, 1);
    assert_int_equal(exp->data_opt.scale, IL_SCALE_AUTO);
    assert_int_equal(exp->n_hidden, 1);
    assert_int_equal(exp->hidden[0], 10);
    assert_int_equal(exp->activation, IL_ACT_SIGMOID);
    assert_int_equal(exp->output, -1); /* auto: identity + squared error for a regression set */
    assert_int_equal(exp->batch_size, 0);
    assert_true(exp->epochs > 0);
    assert_true(exp->sgd.learning_rate > 0);
    assert_int_equal(exp->n_inits, 5);
    const char *labels[] = {"zero", "uniform", "xavier", "he", "large"};
    const il_init_kind kinds[] = {IL_INIT_ZERO, IL_INIT_UNIFORM, IL_INIT_XAVIER, IL_INIT_HE, IL_INIT_LARGE};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(exp->inits[i].label, labels[i]);
        assert_int_equal(exp->inits[i].n_specs, 1);
        for (size_t l = 0; l < IL_MAX_LAYERS; l++) {
            assert_int_equal(exp->inits[i].layer[l].kind, kinds[i]);
            assert_true(exp->inits[i].layer[l].bias == 0.0);
        }
    }
    assert_true(exp->inits[1].layer[0].param == 0.7);
    assert_int_equal(exp->n_seeds, 10);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(exp->seeds[i], i + 1);
    assert_int_equal(exp->log_every_epochs, 1);
    assert_int_equal(exp->probe_samples, 500);
    assert_string_equal(exp->out_dir, "results");
    assert_int_equal(exp->jobs, 0);
    assert_true(strlen(exp->description) > 0);
    il_error err;
    assert_int_equal(il_experiment_check(exp, &err), IL_OK);
    free(exp);
}

static void test_default_ini_text_parses_to_exactly_the_default_experiment(void **state) {
    (void)state;
    /* The embedded experiment is the key defaults with one change: it logs every 10th epoch. */
    il_experiment *expected = new_experiment();
    assert_int_equal(expected->log_every_epochs, 1);
    expected->log_every_epochs = 10;
    il_experiment *parsed = malloc(sizeof *parsed);
    assert_non_null(parsed);
    memset(parsed, 0x5a, sizeof *parsed); /* garbage: parse must set everything */
    parse_ok(parsed, il_experiment_default_ini());
    assert_null(il_experiment_difference(expected, parsed));
    /* field by field too, not only through the formatter */
    assert_string_equal(parsed->name, expected->name);
    assert_string_equal(parsed->description, expected->description);
    assert_int_equal(parsed->epochs, expected->epochs);
    assert_true(parsed->sgd.learning_rate == expected->sgd.learning_rate);
    assert_true(parsed->divergence_loss == expected->divergence_loss);
    assert_true(parsed->data_opt.test_fraction == expected->data_opt.test_fraction);
    for (size_t i = 0; i < expected->n_inits; i++) {
        assert_string_equal(parsed->inits[i].label, expected->inits[i].label);
        assert_int_equal(parsed->inits[i].n_specs, expected->inits[i].n_specs);
        for (size_t l = 0; l < IL_MAX_LAYERS; l++) {
            assert_int_equal(parsed->inits[i].layer[l].kind, expected->inits[i].layer[l].kind);
            assert_true(parsed->inits[i].layer[l].param == expected->inits[i].layer[l].param);
            assert_true(parsed->inits[i].layer[l].bias == expected->inits[i].layer[l].bias);
        }
    }
    assert_memory_equal(parsed->seeds, expected->seeds, expected->n_seeds * sizeof *expected->seeds);
    free(parsed);
    free(expected);
}

static void test_an_empty_file_gives_the_default_experiment(void **state) {
    (void)state;
    il_experiment *defaults = new_experiment();
    il_experiment *exp = malloc(sizeof *exp);
    assert_non_null(exp);
    parse_ok(exp, "");
    assert_null(il_experiment_difference(defaults, exp));
    parse_ok(exp, "; only a comment\n\n# and another\n");
    assert_null(il_experiment_difference(defaults, exp));
    free(exp);
    free(defaults);
}

/* ---------------------------------------------------------------------------------------------------- */
/* Reading every key                                                                                     */

static void test_every_key_is_read_from_a_file(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    char *path = fixture("good/all_keys.ini");
    il_error err;
    if (il_experiment_load(exp, path, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_string_equal(exp->name, "every-key");
    assert_string_equal(
        exp->description,
        "What this file is for: reading every key.\nA second line, continued by its indentation.");
    assert_string_equal(exp->data, "circles:noise=0.1,factor=0.5");
    assert_int_equal(exp->data_opt.scale, IL_SCALE_UNIT);
    assert_true(exp->data_opt.test_fraction == 0.25);
    assert_int_equal(exp->data_opt.max_train, 300);
    assert_int_equal(exp->data_opt.max_test, 200);
    assert_int_equal(exp->data_opt.seed, 7);
    assert_int_equal(exp->n_hidden, 2);
    assert_int_equal(exp->hidden[0], 16);
    assert_int_equal(exp->hidden[1], 8);
    assert_int_equal(exp->activation, IL_ACT_TANH);
    assert_int_equal(exp->output, IL_OUT_SOFTMAX);
    assert_int_equal(exp->epochs, 50);
    assert_true(exp->sgd.learning_rate == 0.05);
    assert_int_equal(exp->batch_size, 32);
    assert_true(exp->sgd.momentum == 0.9);
    assert_true(exp->sgd.weight_decay == 0.0005);
    assert_true(exp->divergence_loss == 1e4);

    assert_int_equal(exp->n_inits, 4);
    assert_string_equal(exp->inits[0].label, "zero");
    assert_int_equal(exp->inits[0].layer[0].kind, IL_INIT_ZERO);
    assert_string_equal(exp->inits[1].label, "small");
    assert_int_equal(exp->inits[1].layer[2].kind, IL_INIT_UNIFORM);
    assert_true(exp->inits[1].layer[2].param == 0.01);
    assert_string_equal(exp->inits[2].label, "xavier+he+lecun");
    assert_int_equal(exp->inits[2].n_specs, 3);
    assert_int_equal(exp->inits[2].layer[0].kind, IL_INIT_XAVIER);
    assert_int_equal(exp->inits[2].layer[1].kind, IL_INIT_HE);
    assert_int_equal(exp->inits[2].layer[2].kind, IL_INIT_LECUN);
    assert_int_equal(exp->inits[2].layer[IL_MAX_LAYERS - 1].kind, IL_INIT_LECUN); /* the last repeats */
    assert_string_equal(exp->inits[3].label, "normal-0.05");
    assert_true(exp->inits[3].layer[0].param == 0.05);
    for (size_t i = 0; i < exp->n_inits; i++)
        for (size_t l = 0; l < IL_MAX_LAYERS; l++)
            assert_true(exp->inits[i].layer[l].bias == 0.1);

    assert_int_equal(exp->n_seeds, 3);
    assert_int_equal(exp->seeds[0], 3);
    assert_int_equal(exp->seeds[1], 7);
    assert_int_equal(exp->seeds[2], 11);
    assert_int_equal(exp->log_every_epochs, 5);
    assert_int_equal(exp->log_every_steps, 10);
    assert_int_equal(exp->probe_samples, 100);
    assert_string_equal(exp->out_dir, "out/every-key");
    assert_int_equal(exp->jobs, 2);

    /* the fixture sets every key to something other than its default */
    il_experiment *defaults = new_experiment();
    const char *const *keys = il_experiment_keys();
    for (size_t k = 0; keys[k]; k++) {
        char section[64], *key;
        snprintf(section, sizeof section, "%s", keys[k]);
        key = strchr(section, '.');
        *key++ = '\0';
        if (!strcmp(section, "seeds")) continue; /* list replaces count: one of the two is unused */
        char *a, *b;
        assert_int_equal(il_experiment_get(exp, section, key, &a, &err), IL_OK);
        assert_int_equal(il_experiment_get(defaults, section, key, &b, &err), IL_OK);
        if (!strcmp(a, b)) fail_msg("%s keeps its default in all_keys.ini", keys[k]);
        free(a);
        free(b);
    }
    free(defaults);
    free(path);
    free(exp);
}

static void test_lists_and_the_description_continue_over_indented_lines(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    char *path = fixture("good/continued_lists.ini");
    il_error err;
    if (il_experiment_load(exp, path, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_string_equal(exp->description, "First line.\nSecond line, after a blank line.");
    assert_int_equal(exp->n_hidden, 2);
    assert_int_equal(exp->hidden[0], 32);
    assert_int_equal(exp->hidden[1], 16);
    assert_int_equal(exp->activation, IL_ACT_RELU); /* "ReLU": words ignore case */
    assert_int_equal(exp->n_inits, 4);
    assert_string_equal(exp->inits[1].label, "uniform-0.1");
    assert_string_equal(exp->inits[2].label, "uniform-1");
    assert_true(exp->inits[2].layer[0].param == 1.0);
    assert_string_equal(exp->inits[3].label, "he");
    assert_int_equal(exp->n_seeds, 3);
    assert_int_equal(exp->seeds[2], 30);
    free(path);
    free(exp);
}

static void test_spaces_around_colon_and_slash_in_an_init_are_ignored(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    parse_ok(exp, "[network]\nhidden = 4\n[inits]\nlist = uniform : 0.5, xavier / he, Wide = large: 20\n");
    assert_string_equal(exp->inits[0].label, "uniform-0.5");
    assert_true(exp->inits[0].layer[0].param == 0.5);
    assert_string_equal(exp->inits[1].label, "xavier+he");
    assert_int_equal(exp->inits[1].layer[1].kind, IL_INIT_HE);
    assert_string_equal(exp->inits[2].label, "Wide");
    assert_true(exp->inits[2].layer[0].param == 20.0);
    assert_round_trip(exp);
    free(exp);
}

static void test_seed_count_runs_seeds_one_to_count(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    char *path = fixture("good/seed_count.ini");
    il_error err;
    if (il_experiment_load(exp, path, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(exp->n_seeds, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(exp->seeds[i], i + 1);
    assert_int_equal(exp->batch_size, 0); /* 0 is full batch, like "full" */
    free(path);
    free(exp);
}

static void test_no_hidden_layer_is_written_as_zero_or_empty(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    parse_ok(exp, "[network]\nhidden = 0\n");
    assert_int_equal(exp->n_hidden, 0);
    parse_ok(exp, "[network]\nhidden =\n");
    assert_int_equal(exp->n_hidden, 0);
    parse_ok(exp, "[network]\nhidden = none\n[inits]\nlist = xavier\n");
    assert_int_equal(exp->n_hidden, 0);
    assert_round_trip(exp);
    free(exp);
}

static void test_crlf_line_endings_and_a_byte_order_mark_are_read(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    parse_ok(exp, "\xEF\xBB\xBF[training]\r\nepochs = 7\r\n\r\n[experiment]\r\ndescription = a\r\n  b\r\n");
    assert_int_equal(exp->epochs, 7);
    assert_string_equal(exp->description, "a\nb");
    /* line numbers still count CRLF lines */
    const char *msg = parse_bad("[training]\r\nepochs = 7\r\n\r\nmomentum = 2\r\n");
    assert_contains(msg, "t.ini:4: [training] momentum");
    free(exp);
}

static void test_an_inline_comment_needs_a_space_before_the_semicolon(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    /* ';' inside a value (CSV feature lists) is kept; " ;" starts a comment */
    parse_ok(exp, "[data]\nsource = csv:file=a.csv,features=x;y ; two features\n");
    assert_string_equal(exp->data, "csv:file=a.csv,features=x;y");
    free(exp);
}

/* ---------------------------------------------------------------------------------------------------- */
/* Bad files                                                                                             */

typedef struct {
    const char *file;
    const char *parts[3]; /* what the message must say besides file:line */
} bad_case;

static const bad_case bad_cases[] = {
    {"unknown_section",
     {"unknown section [trainig]", "did you mean [training]?", "valid sections: experiment"}},
    {"unknown_key",
     {"[network] unknown key \"activaton\"", "did you mean \"activation\"?",
      "valid keys: hidden, activation"}},
    {"key_in_wrong_section", {"[training] unknown key \"hidden\"", "it belongs in [network]", NULL}},
    {"wrong_type", {"[training] epochs: expected a whole number", "got \"ten\"", NULL}},
    {"out_of_range", {"[training] learning_rate: expected a positive number", "got \"-0.1\"", NULL}},
    {"momentum_out_of_range",
     {"[training] momentum: expected a number from 0 up to (not including) 1", NULL}},
    {"zero_epochs", {"[training] epochs: expected a whole number from 1", "got \"0\"", NULL}},
    {"nan_value", {"[training] learning_rate", "got \"nan\"", NULL}},
    {"bad_init_name", {"[inits] list", "\"unifrom\"", NULL}},
    {"empty_init_list", {"[inits] list: the list of inits is empty", NULL}},
    {"duplicate_key", {"[training] epochs: given twice (first on line 2)", NULL}},
    {"seeds_count_and_list", {"[seeds] list: count is also given (line 2)", NULL}},
    {"per_layer_mismatch",
     {"[inits] list: \"xavier/he/he\" gives 3 per-layer schemes", "makes 2 layers", NULL}},
    {"key_outside_section",
     {"key \"epochs\" is not under a section heading", "put it under [training]", NULL}},
    {"missing_equals", {"cannot read \"epochs 100", "expected \"key = value\"", NULL}},
    {"unclosed_section", {"cannot read \"[training", "section heading", NULL}},
    {"indented_key",
     {"[training] epochs: this line is indented", "continues the value of epochs from line 2", NULL}},
    {"quoted_value", {"[experiment] name: write the value without quotes", NULL}},
    {"duplicate_label", {"[inits] list: two inits are labelled \"uniform\"", NULL}},
    {"duplicate_seed", {"[seeds] list: seed 1 is listed twice", NULL}},
    {"empty_list_item", {"[network] hidden: empty item", NULL}},
    {"bad_activation", {"[network] activation: expected", "did you mean \"sigmoid\"?", "got \"sigmod\""}},
    {"bad_name", {"[experiment] name: expected a name", "got \"my run\"", NULL}},
    {"zero_width",
     {"[network] hidden, item 2 of \"10,0\": expected a whole number from 1 to 1000000", "got \"0\"", NULL}},
    {"test_fraction_one", {"[data] test_fraction: expected a number between 0 and 1", NULL}},
    {"bad_batch_size", {"[training] batch_size", "\"full\"", "got \"half\""}},
    {"bad_scale", {"[data] scale: expected auto, standardize, unit or none", "got \"normalize\"", NULL}},
    {"zero_seeds", {"[seeds] count: expected a whole number from 1 to 1000", NULL}},
    {"bad_output",
     {"[network] output: expected auto, identity, sigmoid or softmax", "did you mean \"softmax\"?", NULL}},
    {"negative_init_value", {"[inits] list", "\"uniform:-1\"", NULL}},
    {"bad_label", {"[inits] list", "label", NULL}},
    {"too_long_line", {"the line is longer than 198 characters", NULL}},
};

/* The line of the fixture that carries the marker "; <-": where the mistake is. */
static int marked_line(const char *text) {
    int line = 1;
    for (const char *p = text; *p; p++) {
        if (!strncmp(p, "; <-", 4)) return line;
        if (*p == '\n') line++;
    }
    return 0;
}

static void test_every_kind_of_bad_file_is_refused_naming_file_line_and_key(void **state) {
    (void)state;
    for (size_t c = 0; c < sizeof bad_cases / sizeof *bad_cases; c++) {
        const bad_case *bc = &bad_cases[c];
        char relative[128];
        snprintf(relative, sizeof relative, "bad/%s.ini", bc->file);
        char *path = fixture(relative);
        char *text = tu_read_file(path, NULL);
        if (!text) fail_msg("cannot read fixture %s", path);
        int line = marked_line(text);
        assert_true(line > 0);

        il_experiment *exp = new_experiment();
        il_experiment *before = new_experiment();
        il_error err;
        il_error_clear(&err);
        il_status st = il_experiment_load(exp, path, &err);
        if (st == IL_OK) fail_msg("%s was accepted", bc->file);
        assert_int_equal(st, IL_ERR_USAGE);
        char place[1200];
        snprintf(place, sizeof place, "%s:%d: ", path, line);
        if (!strstr(err.msg, place)) fail_msg("%s: expected \"%s\" in: %s", bc->file, place, err.msg);
        for (size_t i = 0; i < 3 && bc->parts[i]; i++)
            if (!strstr(err.msg, bc->parts[i]))
                fail_msg("%s: expected \"%s\" in: %s", bc->file, bc->parts[i], err.msg);
        assert_null(il_experiment_difference(exp, before)); /* untouched */
        free(before);
        free(exp);
        free(text);
        free(path);
    }
}

static void test_every_bad_fixture_is_in_the_table(void **state) {
    (void)state;
    /* a fixture added without an entry would never be checked */
    char *dir = fixture("bad");
    char command[1200];
    snprintf(command, sizeof command, "ls '%s'", dir);
    char *listing = NULL;
    assert_int_equal(tu_run(command, &listing), 0);
    assert_non_null(listing);
    size_t files = 0;
    for (char *line = strtok(listing, "\n"); line; line = strtok(NULL, "\n")) {
        files++;
        int found = 0;
        for (size_t c = 0; c < sizeof bad_cases / sizeof *bad_cases; c++) {
            char name[128];
            snprintf(name, sizeof name, "%s.ini", bad_cases[c].file);
            found |= !strcmp(name, line);
        }
        if (!found) fail_msg("tests/data/config/bad/%s has no entry in bad_cases", line);
    }
    assert_int_equal(files, sizeof bad_cases / sizeof *bad_cases);
    free(listing);
    free(dir);
}

static void test_a_missing_file_is_an_io_error_naming_the_path(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    il_error err;
    assert_int_equal(il_experiment_load(exp, "no/such/experiment.ini", &err), IL_ERR_IO);
    assert_contains(err.msg, "no/such/experiment.ini");
    free(exp);
}

static void test_a_file_with_a_nul_byte_is_refused(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("config");
    assert_non_null(dir);
    char path[1200];
    snprintf(path, sizeof path, "%s/nul.ini", dir);
    const char bytes[] = "[training]\nepochs = 5\0\n";
    assert_int_equal(tu_write_file(path, bytes, sizeof bytes - 1), 0);
    il_experiment *exp = new_experiment();
    il_error err;
    assert_int_equal(il_experiment_load(exp, path, &err), IL_ERR_USAGE);
    assert_contains(err.msg, "NUL");
    assert_contains(err.msg, "nul.ini");
    free(exp);
    free(dir);
}

static void test_the_first_mistake_is_the_one_reported(void **state) {
    (void)state;
    /* inih's syntax error on line 2 comes before the bad value on line 4, and the other way round */
    const char *msg = parse_bad("[training]\nepochs 5\n\nmomentum = 3\n");
    assert_contains(msg, "t.ini:2: cannot read");
    msg = parse_bad("[training]\nmomentum = 3\nepochs 5\n");
    assert_contains(msg, "t.ini:2: [training] momentum");
}

static void test_values_with_odd_characters_are_refused_or_quoted_safely(void **state) {
    (void)state;
    const char *msg = parse_bad("[output]\ndir = a\tb\x01\n");
    assert_contains(msg, "[output] dir");
    msg = parse_bad("[training]\nepochs = 0x10\n");
    assert_contains(msg, "got \"0x10\"");
    msg = parse_bad("[training]\nlearning_rate = inf\n");
    assert_contains(msg, "got \"inf\"");
    msg = parse_bad("[training]\nepochs = 99999999999999999999999\n");
    assert_contains(msg, "[training] epochs");
    msg = parse_bad("[training]\nepochs = 5\n  6\n");
    assert_contains(msg, "t.ini:3: [training] epochs: this line is indented");
    /* quotes around a description, on one line or spread over several */
    msg = parse_bad("[experiment]\ndescription = \"hi\"\n");
    assert_contains(msg, "t.ini:2: [experiment] description: write the description without quotes");
    msg = parse_bad("[experiment]\ndescription =\n  \"a\n  b\"\n");
    assert_contains(msg, "[experiment] description: write the description without quotes");

    /* a description line starting with '#' would be read back as a comment: refused when set */
    il_experiment *exp = new_experiment();
    il_error err;
    assert_int_equal(il_experiment_set(exp, "experiment.description=a\n# b", &err), IL_ERR_USAGE);
    assert_contains(err.msg, "line 2 of the description");
    free(exp);
}

/* ---------------------------------------------------------------------------------------------------- */
/* Overrides                                                                                             */

static void test_set_overrides_a_key_with_the_same_validation(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    il_error err;
    assert_int_equal(il_experiment_set(exp, "training.epochs=5", &err), IL_OK);
    assert_int_equal(exp->epochs, 5);
    assert_int_equal(il_experiment_set(exp, " network.hidden = 20, 20 ", &err), IL_OK);
    assert_int_equal(exp->n_hidden, 2);
    assert_int_equal(exp->hidden[1], 20);
    assert_int_equal(il_experiment_set(exp, "inits.list=zero,small=uniform:0.01", &err), IL_OK);
    assert_string_equal(exp->inits[1].label, "small");
    assert_int_equal(il_experiment_set(exp, "experiment.description=line one\nline two", &err), IL_OK);
    assert_string_equal(exp->description, "line one\nline two");

    il_experiment *before = malloc(sizeof *before);
    assert_non_null(before);
    *before = *exp;
    assert_int_equal(il_experiment_set(exp, "training.epochs=abc", &err), IL_ERR_USAGE);
    assert_contains(err.msg, "--set training.epochs: expected a whole number");
    assert_contains(err.msg, "got \"abc\"");
    assert_int_equal(il_experiment_set(exp, "training.learning_rate=-0.1", &err), IL_ERR_USAGE);
    assert_contains(err.msg, "--set training.learning_rate: expected a positive number");
    assert_int_equal(il_experiment_set(exp, "training.epoch=5", &err), IL_ERR_USAGE);
    assert_contains(err.msg, "unknown key \"epoch\" (did you mean \"epochs\"?");
    assert_int_equal(il_experiment_set(exp, "trainig.epochs=5", &err), IL_ERR_USAGE);
    assert_contains(err.msg, "unknown section [trainig] (did you mean [training]?");
    assert_int_equal(il_experiment_set(exp, "epochs=5", &err), IL_ERR_USAGE);
    assert_contains(err.msg, "expected section.key=value");
    assert_int_equal(il_experiment_set(exp, "training.epochs", &err), IL_ERR_USAGE);
    assert_contains(err.msg, "expected section.key=value");
    assert_int_equal(il_experiment_set(exp, "inits.list=", &err), IL_ERR_USAGE);
    assert_contains(err.msg, "--set inits.list: the list of inits is empty");
    assert_int_equal(il_experiment_set(exp, "experiment.name=a ; b", &err), IL_ERR_USAGE);
    assert_null(il_experiment_difference(exp, before)); /* every refusal left it untouched */
    free(before);
    free(exp);
}

static void test_cli_flags_name_themselves_in_messages(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    il_error err;
    assert_int_equal(il_experiment_set_key(exp, "training", "epochs", "50", "--epochs", &err), IL_OK);
    assert_int_equal(exp->epochs, 50);
    assert_int_equal(il_experiment_set_key(exp, "seeds", "count", "3", "--seeds", &err), IL_OK);
    assert_int_equal(exp->n_seeds, 3);
    assert_int_equal(exp->seeds[2], 3);
    assert_int_equal(il_experiment_set_key(exp, "output", "jobs", "many", "--jobs", &err), IL_ERR_USAGE);
    assert_contains(err.msg, "--jobs: expected a whole number from 0 to");
    assert_int_equal(il_experiment_set_key(exp, "output", "dir", "", "--out", &err), IL_ERR_USAGE);
    assert_contains(err.msg, "--out: must not be empty");
    free(exp);
}

static void test_a_seeds_override_replaces_the_whole_seed_set(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    parse_ok(exp, "[seeds]\nlist = 5, 6\n");
    il_error err;
    assert_int_equal(il_experiment_set(exp, "seeds.count=4", &err), IL_OK);
    assert_int_equal(exp->n_seeds, 4);
    assert_int_equal(exp->seeds[0], 1);
    assert_int_equal(il_experiment_set(exp, "seeds.list=9", &err), IL_OK);
    assert_int_equal(exp->n_seeds, 1);
    assert_int_equal(exp->seeds[0], 9);
    free(exp);
}

static void test_check_refuses_what_a_file_could_not_say(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    il_error err;
    exp->epochs = 0;
    assert_int_equal(il_experiment_check(exp, &err), IL_ERR_USAGE);
    assert_contains(err.msg, "[training] epochs");

    il_experiment_default(exp);
    exp->n_inits = 0;
    assert_int_equal(il_experiment_check(exp, &err), IL_ERR_USAGE);
    assert_contains(err.msg, "[inits] list");

    il_experiment_default(exp);
    exp->n_seeds = 0;
    assert_int_equal(il_experiment_check(exp, &err), IL_ERR_USAGE);
    assert_contains(err.msg, "[seeds]");

    il_experiment_default(exp);
    exp->sgd.momentum = 1.5;
    assert_int_equal(il_experiment_check(exp, &err), IL_ERR_USAGE);
    assert_contains(err.msg, "[training] momentum");

    il_experiment_default(exp);
    exp->inits[2].layer[0].bias = 0.5;
    assert_int_equal(il_experiment_check(exp, &err), IL_ERR_USAGE);
    assert_contains(err.msg, "[inits] bias");

    il_experiment_default(exp);
    snprintf(exp->inits[1].label, sizeof exp->inits[1].label, "zero");
    assert_int_equal(il_experiment_check(exp, &err), IL_ERR_USAGE);
    assert_contains(err.msg, "two inits are labelled");

    /* per-layer inits checked against a depth set later by --set */
    il_experiment_default(exp);
    assert_int_equal(il_experiment_set(exp, "inits.list=xavier/he", &err), IL_OK);
    assert_int_equal(il_experiment_check(exp, &err), IL_OK);
    assert_int_equal(il_experiment_set(exp, "network.hidden=10,10", &err), IL_OK);
    assert_int_equal(il_experiment_check(exp, &err), IL_ERR_USAGE);
    assert_contains(err.msg, "[inits] list: \"xavier/he\" gives 2 per-layer schemes");
    assert_contains(err.msg, "makes 3 layers");
    free(exp);
}

static void test_bias_applies_to_every_init_whichever_comes_first(void **state) {
    (void)state;
    il_experiment *a = new_experiment(), *b = new_experiment();
    parse_ok(a, "[inits]\nbias = 0.25\nlist = zero, he\n");
    parse_ok(b, "[inits]\nlist = zero, he\nbias = 0.25\n");
    assert_null(il_experiment_difference(a, b));
    for (size_t i = 0; i < 2; i++)
        for (size_t l = 0; l < IL_MAX_LAYERS; l++)
            assert_true(a->inits[i].layer[l].bias == 0.25);
    free(a);
    free(b);
}

/* ---------------------------------------------------------------------------------------------------- */
/* Writing                                                                                               */

static void test_written_ini_reads_back_to_the_same_experiment(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    assert_round_trip(exp);

    char *path = fixture("good/all_keys.ini");
    il_error err;
    assert_int_equal(il_experiment_load(exp, path, &err), IL_OK);
    assert_round_trip(exp);
    free(path);

    /* labels that differ from their scheme text, values that are not the default, long seed lists */
    parse_ok(exp, "[inits]\nlist = a=uniform:0.7, uniform:.5, large:20, xavier-normal, B=he/lecun\n"
                  "[network]\nhidden = 5\n[training]\nlearning_rate = 0.1\ndivergence_loss = 1e300\n"
                  "[experiment]\ndescription =\n");
    assert_string_equal(exp->inits[0].label, "a");
    assert_string_equal(exp->inits[1].label, "uniform-.5");
    assert_round_trip(exp);
    char list[16000] = "seeds.list=";
    for (int s = 0; s < IL_MAX_SEEDS; s++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d", s ? "," : "", 1000000 + 7 * s);
    assert_int_equal(il_experiment_set(exp, list, &err), IL_OK);
    assert_int_equal(exp->n_seeds, IL_MAX_SEEDS);
    assert_round_trip(exp);

    /* a description line that looks like a heading stays a line of the description */
    assert_int_equal(il_experiment_set(exp, "experiment.description=first\n[second] line", &err), IL_OK);
    assert_round_trip(exp);

    /* values that need all 17 digits */
    assert_int_equal(il_experiment_set(exp, "training.learning_rate=0.1234567890123456789", &err), IL_OK);
    assert_int_equal(il_experiment_set(exp, "data.seed=18446744073709551615", &err), IL_OK);
    assert_int_equal(il_experiment_set(exp, "inits.list=uniform:0.30000000000000004", &err), IL_OK);
    assert_round_trip(exp);
    free(exp);
}

static void test_write_ini_writes_a_file_that_loads_back(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("config");
    assert_non_null(dir);
    char path[1200];
    snprintf(path, sizeof path, "%s/config.ini", dir);
    il_experiment *exp = new_experiment();
    il_error err;
    assert_int_equal(il_experiment_set(exp, "training.epochs=123", &err), IL_OK);
    assert_int_equal(il_experiment_write_ini(exp, path, &err), IL_OK);
    il_experiment *back = malloc(sizeof *back);
    assert_non_null(back);
    assert_int_equal(il_experiment_load(back, path, &err), IL_OK);
    assert_null(il_experiment_difference(exp, back));
    assert_int_equal(back->epochs, 123);

    /* a struct that does not check is not written, and an earlier file survives */
    exp->epochs = 0;
    assert_int_equal(il_experiment_write_ini(exp, path, &err), IL_ERR_USAGE);
    assert_int_equal(il_experiment_load(back, path, &err), IL_OK);
    assert_int_equal(back->epochs, 123);
    free(back);
    free(exp);
    free(dir);
}

static void test_difference_names_the_first_key_that_differs(void **state) {
    (void)state;
    il_experiment *a = new_experiment(), *b = new_experiment();
    assert_null(il_experiment_difference(a, b));
    b->sgd.momentum = 0.5;
    assert_string_equal(il_experiment_difference(a, b), "training.momentum");
    il_experiment_default(b);
    b->seeds[9] = 11;
    assert_string_equal(il_experiment_difference(a, b), "seeds.count");
    free(a);
    free(b);
}

/* ---------------------------------------------------------------------------------------------------- */
/* The reference page                                                                                    */

static void test_docs_key_tables_are_the_tables_the_key_table_makes(void **state) {
    (void)state;
    char *doc_path = source_file("docs/config.md");
    char *doc = tu_read_file(doc_path, NULL);
    free(doc_path);
    assert_non_null(doc);
    /* the default experiment appears in full */
    assert_contains(doc, il_experiment_default_ini());

    /* under each "## [section]" heading, exactly the table il_experiment_doc_table makes: the same rows
     * in the same order, and no row more */
    size_t headings = 0;
    for (const char *p = strstr(doc, "\n## ["); p; p = strstr(p + 1, "\n## ["))
        headings++;
    assert_int_equal(headings, il__n_sections);
    for (size_t s = 0; s < il__n_sections; s++) {
        char heading[80], *table = NULL;
        il_error err;
        snprintf(heading, sizeof heading, "\n## [%s]\n\n", il__sections[s]);
        const char *start = strstr(doc, heading);
        if (!start)
            fail_msg("docs/config.md has no heading \"## [%s]\" followed by a blank line", il__sections[s]);
        start += strlen(heading);
        assert_int_equal(il_experiment_doc_table(il__sections[s], &table, &err), IL_OK);
        if (strncmp(start, table, strlen(table)) != 0 || start[strlen(table)] == '|')
            fail_msg("docs/config.md's table under [%s] is not what `initlab list keys` prints:\n%s",
                     il__sections[s], table);
        free(table);
    }
    free(doc);
}

static void test_doc_table_has_a_row_per_key_with_its_default(void **state) {
    (void)state;
    char *all = NULL;
    il_error err;
    assert_int_equal(il_experiment_doc_table(NULL, &all, &err), IL_OK);
    assert_contains(all,
                    "## [training]\n\n| Key | Type | Default | Range | Meaning |\n|---|---|---|---|---|\n");
    assert_contains(all, "\n| `epochs` | whole number | `2000` | 1 to 100000000 | ");
    assert_contains(all, "\n| `learning_rate` | number | `0.5` | above 0, up to 1000 | ");
    assert_contains(all, "\n| `momentum` | number | `0` | 0 up to (not including) 1 | ");
    assert_contains(all, "\n| `batch_size` | whole number or `full` | `full` | `full` or 0 to 1000000000 | ");
    assert_contains(all, "\n| `scale` | word | `auto` | `auto`, `standardize`, `unit`, `none` | ");
    assert_contains(all, "\n| `description` | text | see below | ");
    assert_contains(
        all, "\n| `list` | list of whole numbers | (not set) | 1 to 1000 items, each 0 to 2^64 - 1 | ");
    const char *const *keys = il_experiment_keys();
    for (size_t k = 0; keys[k]; k++) {
        char row[96];
        snprintf(row, sizeof row, "\n| `%s` |", strchr(keys[k], '.') + 1);
        assert_contains(all, row);
    }
    free(all);
    char *table = NULL;
    assert_int_equal(il_experiment_doc_table("trainig", &table, &err), IL_ERR_USAGE);
    assert_null(table);
    assert_contains(err.msg, "did you mean [training]?");
}

static void test_keys_name_every_row_of_the_table_in_its_order(void **state) {
    (void)state;
    const char *const *keys = il_experiment_keys();
    size_t n = 0;
    for (; keys[n]; n++) {
        char path[128];
        assert_true(n < il__n_keys);
        snprintf(path, sizeof path, "%s.%s", il__keys[n].section, il__keys[n].key);
        assert_string_equal(keys[n], path);
    }
    assert_int_equal(n, il__n_keys);
}

static void test_every_default_is_accepted_and_written_back_as_the_table_gives_it(void **state) {
    (void)state;
    il_experiment *exp = new_experiment();
    for (size_t k = 0; k < il__n_keys; k++) {
        char *value = NULL;
        il_error err;
        assert_int_equal(il_experiment_get(exp, il__keys[k].section, il__keys[k].key, &value, &err), IL_OK);
        if (strcmp(value, il__keys[k].def) != 0)
            fail_msg("[%s] %s: the default \"%s\" is written back as \"%s\"", il__keys[k].section,
                     il__keys[k].key, il__keys[k].def, value);
        free(value);
        /* and each default, given in a file, is accepted */
        if (!il__keys[k].def[0]) continue;
        char *text = malloc(strlen(il__keys[k].def) * 2 + 200);
        assert_non_null(text);
        /* the first line after "key =", any further line indented: how a list or the description
         * goes on over several lines */
        sprintf(text, "[%s]\n%s =", il__keys[k].section, il__keys[k].key);
        for (const char *line = il__keys[k].def; *line;) {
            size_t len = strcspn(line, "\n");
            sprintf(text + strlen(text), "%s%.*s\n", line == il__keys[k].def ? " " : "  ", (int)len, line);
            line += len + (line[len] == '\n');
        }
        il_experiment *back = new_experiment();
        parse_ok(back, text);
        assert_null(il_experiment_difference(exp, back));
        free(back);
        free(text);
    }
    free(exp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_experiment_is_esl_sum_of_sigmoids_with_five_inits_and_ten_seeds),
        cmocka_unit_test(test_default_ini_text_parses_to_exactly_the_default_experiment),
        cmocka_unit_test(test_an_empty_file_gives_the_default_experiment),
        cmocka_unit_test(test_every_key_is_read_from_a_file),
        cmocka_unit_test(test_lists_and_the_description_continue_over_indented_lines),
        cmocka_unit_test(test_spaces_around_colon_and_slash_in_an_init_are_ignored),
        cmocka_unit_test(test_seed_count_runs_seeds_one_to_count),
        cmocka_unit_test(test_no_hidden_layer_is_written_as_zero_or_empty),
        cmocka_unit_test(test_crlf_line_endings_and_a_byte_order_mark_are_read),
        cmocka_unit_test(test_an_inline_comment_needs_a_space_before_the_semicolon),
        cmocka_unit_test(test_every_kind_of_bad_file_is_refused_naming_file_line_and_key),
        cmocka_unit_test(test_every_bad_fixture_is_in_the_table),
        cmocka_unit_test(test_a_missing_file_is_an_io_error_naming_the_path),
        cmocka_unit_test(test_a_file_with_a_nul_byte_is_refused),
        cmocka_unit_test(test_the_first_mistake_is_the_one_reported),
        cmocka_unit_test(test_values_with_odd_characters_are_refused_or_quoted_safely),
        cmocka_unit_test(test_set_overrides_a_key_with_the_same_validation),
        cmocka_unit_test(test_cli_flags_name_themselves_in_messages),
        cmocka_unit_test(test_a_seeds_override_replaces_the_whole_seed_set),
        cmocka_unit_test(test_check_refuses_what_a_file_could_not_say),
        cmocka_unit_test(test_bias_applies_to_every_init_whichever_comes_first),
        cmocka_unit_test(test_written_ini_reads_back_to_the_same_experiment),
        cmocka_unit_test(test_write_ini_writes_a_file_that_loads_back),
        cmocka_unit_test(test_difference_names_the_first_key_that_differs),
        cmocka_unit_test(test_docs_key_tables_are_the_tables_the_key_table_makes),
        cmocka_unit_test(test_doc_table_has_a_row_per_key_with_its_default),
        cmocka_unit_test(test_keys_name_every_row_of_the_table_in_its_order),
        cmocka_unit_test(test_every_default_is_accepted_and_written_back_as_the_table_gives_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
