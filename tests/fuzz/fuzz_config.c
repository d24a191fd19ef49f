/* fuzz_config.c - libFuzzer target for the experiment config: arbitrary bytes as an INI file, as a --set
 * assignment and as the value of every key of the table must never crash, and whatever is accepted must
 * write out and read back to the same experiment.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initlab/experiment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property broken is a bug: stop with the message so the fuzzer keeps the input. */
static void broken(const char *what, const char *detail) {
    fprintf(stderr, "fuzz_config: %s: %s\n", what, detail);
    abort();
}

static void check_round_trip(const il_experiment *exp) {
    il_error err;
    char *text = NULL;
    if (il_experiment_format_ini(exp, &text, &err) != IL_OK)
        broken("an accepted experiment cannot be written", err.msg);
    il_experiment *back = malloc(sizeof *back);
    if (!back) abort();
    if (il_experiment_parse(back, text, "written.ini", &err) != IL_OK)
        broken("the written text is refused", err.msg);
    const char *diff = il_experiment_difference(exp, back);
    if (diff) broken("the written text reads back differently at", diff);
    free(back);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    il_experiment *exp = malloc(sizeof *exp);
    if (!text || !exp) abort();
    memcpy(text, data, size);
    text[size] = '\0'; /* a NUL inside ends the text, as it would for a C string */
    il_error err;

    if (il_experiment_parse(exp, text, "fuzz.ini", &err) == IL_OK) {
        if (il_experiment_check(exp, &err) != IL_OK) broken("a parsed experiment fails its check", err.msg);
        check_round_trip(exp);
    } else if (err.msg[0] == '\0') {
        broken("a refusal without a message", "");
    }

    /* the same bytes as one --set override on the default experiment */
    il_experiment_default(exp);
    if (il_experiment_set(exp, text, &err) == IL_OK) {
        if (il_experiment_check(exp, &err) == IL_OK) check_round_trip(exp);
    } else if (err.msg[0] == '\0') {
        broken("a refused --set without a message", "");
    }

    /* the same bytes as the value of each key in turn, as a flag would give it */
    const char *const *keys = il_experiment_keys();
    for (size_t k = 0; keys[k]; k++) {
        char section[64];
        snprintf(section, sizeof section, "%s", keys[k]);
        char *key = strchr(section, '.');
        *key++ = '\0';
        il_experiment_default(exp);
        if (il_experiment_set_key(exp, section, key, text, "--flag", &err) == IL_OK) {
            if (il_experiment_check(exp, &err) == IL_OK) check_round_trip(exp);
        } else if (err.msg[0] == '\0') {
            broken("a refused value without a message", keys[k]);
        }
    }

    free(exp);
    free(text);
    return 0;
}
