/* fuzz_layers.c - libFuzzer target for the layer list of `--layers` and [network] (the one list parser,
 * il__parse_size_list, and il_net_spec_parse_layers on it). Whatever is accepted must hold sizes in the
 * range asked, at most as many as allowed, and read back the same from the list written with commas; a
 * parsed network must pass il_net_spec_check; a refusal must say why.
 *
 * Input: one byte of options (bits 0-5: the most items allowed - 1; bits 6-7: the range, one of four),
 * then the list text (a NUL inside ends it, as it would for a flag).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "initlab/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const il_whole_range ranges[4] = {
    {1, IL_MAX_WIDTH}, /* widths of --layers */
    {0, 10},
    {1, 1},
    {0, UINT64_MAX},
};

/* The list written back as "a,b,c" must parse to the same sizes. */
static void check_round_trip(const size_t *sizes, size_t count, il_whole_range r, size_t max) {
    char text[(IL_MAX_LAYERS + 1) * 24];
    size_t used = 0;
    for (size_t i = 0; i < count; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%zu", i ? "," : "", sizes[i]);
    size_t back[IL_MAX_LAYERS + 1], n_back = 0;
    il_error err;
    if (il__parse_size_list(text, r, max, "again", back, &n_back, &err) != IL_OK) __builtin_trap();
    if (n_back != count || memcmp(back, sizes, count * sizeof *sizes) != 0) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    size_t max = (size_t)(data[0] & 0x3f) + 1; /* 1 to 64 items */
    il_whole_range r = ranges[data[0] >> 6];
    char *text = malloc(size);
    if (!text) abort();
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    size_t sizes[IL_MAX_LAYERS + 1];
    size_t count = 12345;
    il_error err;
    il_error_clear(&err);
    if (il__parse_size_list(text, r, max, "--layers", sizes, &count, &err) == IL_OK) {
        if (count < 1 || count > max) __builtin_trap();
        for (size_t i = 0; i < count; i++)
            if (sizes[i] < r.lo || sizes[i] > r.hi) __builtin_trap();
        check_round_trip(sizes, count, r, max);
    } else {
        if (err.msg[0] == '\0' || count != 12345) __builtin_trap(); /* *count untouched on failure */
        if (strchr(err.msg, '\n')) __builtin_trap();                /* one error, one line */
    }

    il_net_spec spec;
    memset(&spec, 0, sizeof spec);
    for (size_t l = 0; l < IL_MAX_LAYERS; l++)
        spec.hidden[l] = IL_ACT_TANH;
    spec.output = IL_OUT_IDENTITY;
    il_net_spec before = spec;
    if (il_net_spec_parse_layers(&spec, text, &err) == IL_OK) {
        if (spec.n_layers < 1 || spec.n_layers > IL_MAX_LAYERS) __builtin_trap();
        if (il_net_spec_check(&spec, &err) != IL_OK) __builtin_trap();
        for (size_t i = 0; i <= spec.n_layers; i++)
            if (spec.sizes[i] < 1 || spec.sizes[i] > IL_MAX_WIDTH) __builtin_trap();
    } else {
        if (err.msg[0] == '\0' || strchr(err.msg, '\n')) __builtin_trap();
        if (memcmp(&spec, &before, sizeof spec) != 0) __builtin_trap(); /* a refused list changes nothing */
    }
    free(text);
    return 0;
}
