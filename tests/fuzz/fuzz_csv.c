/* fuzz_csv.c - libFuzzer target for the CSV reader (quotes, line ends, header, numbers, classes).
 *
 * Input: one byte of options (bit 0: regression; bit 1: features "a;b" instead of every other column;
 * bit 2: the label is column "a" instead of "y"), then the CSV text.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/loaders.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
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
