/* fuzz_idx.c - libFuzzer target for the IDX reader: header parsing, gzip inflation with its header-bound
 * cap, and the images/labels pairing, all on bytes held in memory.
 *
 * Input: 2 bytes giving where the images file ends (big-endian, modulo what is left), the images file,
 * then the labels file. Either may be gzip. Bit 7 of the first byte picks max_classes 10, else 0 (256).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "data/loaders.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    size_t rest = size - 2;
    size_t split = (((size_t)(data[0] & 0x7f) << 8) | data[1]) % (rest + 1);
    size_t max_classes = (data[0] & 0x80) ? 10 : 0;
    const uint8_t *images = data + 2, *labels = data + 2 + split;
    il_error err;
    il_dataset ds;
    size_t k = 0;
    if (il__idx_pair_from_memory(&ds, images, split, "images", labels, rest - split, "labels", max_classes,
                                 &k, &err) == IL_OK) {
        /* What the loader promises: one-hot rows over k classes, labels below k. */
        for (size_t i = 0; i < ds.n; i++) {
            if (ds.labels[i] < 0 || (size_t)ds.labels[i] >= k ||
                ds.y[i * ds.t + (size_t)ds.labels[i]] != 1.0f)
                __builtin_trap();
        }
        il_dataset_free(&ds);
    } else if (err.msg[0] == '\0') {
        __builtin_trap(); /* a failure must say why */
    }
    unsigned n_dims = 0;
    size_t dims[4];
    const unsigned char *payload = NULL;
    if (il__idx_parse(data + 2, rest, "whole", &n_dims, dims, &payload, &err) == IL_OK) {
        size_t product = 1;
        for (unsigned d = 0; d < n_dims; d++)
            product *= dims[d];
        if (payload + product != data + size) __builtin_trap(); /* the payload fills the file exactly */
    }
    return 0;
}
