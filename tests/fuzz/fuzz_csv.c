/* fuzz_csv.c - libFuzzer target for the CSV tokenizer and the dataset loader on it (quotes, line ends,
 * header, numbers, classes). The tokenizer must give the same records, the same lines and the same error
 * from the text in memory and from a stream read in small chunks.
 *
 * Input: one byte of options (bit 0: regression; bit 1: features "a;b" instead of every other column;
 * bit 2: the label is column "a" instead of "y"; bit 3: keep blanks around cells; bits 4-7: the stream's
 * chunk size - 4), then the CSV text.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "data/loaders.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Text and stream tokenizers over the same bytes agree record by record, and on the error. */
static void check_stream_matches_text(const char *text, size_t size, size_t chunk, int trim) {
    FILE *f = fmemopen((void *)(uintptr_t)text, size, "rb");
    if (!f) return; /* fmemopen refuses size 0 on some libcs */
    il__csv_tokenizer a, b;
    il__csv_tokenize_text(&a, text, size, "fuzz.csv", trim);
    if (il__csv_tokenize_stream(&b, f, chunk, "fuzz.csv", trim, NULL) != IL_OK) {
        fclose(f);
        return;
    }
    il_error ea, eb;
    for (;;) {
        int got_a = 0, got_b = 0;
        il_status sa = il__csv_next(&a, &got_a, &ea), sb = il__csv_next(&b, &got_b, &eb);
        if (sa != sb || got_a != got_b) __builtin_trap();
        if (sa != IL_OK) {
            if (strcmp(ea.msg, eb.msg) != 0) __builtin_trap();
            break;
        }
        if (!got_a) break;
        if (a.record_line != b.record_line || a.n_fields != b.n_fields) __builtin_trap();
        for (size_t i = 0; i < a.n_fields; i++)
            if (strcmp(il__csv_field(&a, i), il__csv_field(&b, i)) != 0) __builtin_trap();
    }
    il__csv_free(&a);
    il__csv_free(&b);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    check_stream_matches_text((const char *)data + 1, size - 1, 4 + (data[0] >> 4), !(data[0] & 8));
    il__csv_options opt = {.features = (data[0] & 2) ? "a;b" : NULL,
                           .label = (data[0] & 4) ? "a" : "y",
                           .regression = data[0] & 1};
    il_data out;
    memset(&out, 0, sizeof out);
    il_error err;
    il_error_clear(&err);
    if (il__csv_parse(&out, (const char *)data + 1, size - 1, "fuzz.csv", &opt, &err) == IL_OK) {
        const il_dataset *ds = &out.train;
        if (ds->n == 0 || ds->d == 0) __builtin_trap();
        for (size_t i = 0; i < ds->n * ds->d; i++)
            if (!isfinite(ds->x[i])) __builtin_trap();
        if (!opt.regression) {
            if (out.n_classes < 2 || !out.class_names) __builtin_trap();
            for (size_t i = 0; i < ds->n; i++)
                if (ds->labels[i] < 0 || (size_t)ds->labels[i] >= out.n_classes) __builtin_trap();
            /* Class names are "0".."K-1" (numbered labels) or distinct names in strcmp order. */
            int numbered = 1;
            for (size_t c = 0; c < out.n_classes && numbered; c++) {
                char index[24];
                snprintf(index, sizeof index, "%zu", c);
                numbered = strcmp(out.class_names[c], index) == 0;
            }
            for (size_t c = 1; c < out.n_classes && !numbered; c++)
                if (strcmp(out.class_names[c - 1], out.class_names[c]) >= 0) __builtin_trap();
        }
        il_dataset_free(&out.train);
        for (size_t c = 0; c < out.n_classes; c++)
            free(out.class_names[c]);
        free(out.class_names);
    } else if (err.msg[0] == '\0') {
        __builtin_trap(); /* a failure must say why */
    }
    return 0;
}
