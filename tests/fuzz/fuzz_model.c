/* fuzz_model.c - libFuzzer target for the saved-model loader (il_model_load) on a file holding the bytes.
 * A model that loads must save back to exactly the bytes it was loaded from (the format has one way to
 * write each network); a refusal must say why, on one line, naming the file.
 *
 * Input: one byte of options (bit 0: replace the last 4 bytes by the CRC-32 of the others, so mutations
 * get past the checksum to the checks behind it; bits 1-2: max_batch - 1), then the file's bytes.
 * The loader reads by path, so the bytes go through a file in the scratch folder: that also exercises the
 * one file reader it uses, as a user's file would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "initlab/model.h"
#include "scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    size_t n = size - 1;
    unsigned char *bytes = malloc(n ? n : 1);
    if (!bytes) abort();
    memcpy(bytes, data + 1, n);
    if ((data[0] & 1) && n >= 4) {
        uLong crc = crc32(crc32(0L, Z_NULL, 0), bytes, (uInt)(n - 4));
        for (int i = 0; i < 4; i++)
            bytes[n - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
    }
    size_t max_batch = (size_t)((data[0] >> 1) & 3) + 1;
    char path[4096], back_path[4096];
    fz_path(path, sizeof path, "model.bin");
    fz_path(back_path, sizeof back_path, "saved-again.bin");
    fz_write(path, bytes, n);

    il_net *net = (il_net *)(uintptr_t)1; /* must become NULL on failure */
    il_error err;
    il_error_clear(&err);
    if (il_model_load(&net, path, max_batch, &err) == IL_OK) {
        if (!net || net->max_batch != max_batch) __builtin_trap();
        if (il_model_save(net, back_path, &err) != IL_OK) __builtin_trap(); /* a loaded net saves */
        size_t m = 0;
        char *again = fz_read(back_path, &m);
        if (!again || m != n || memcmp(again, bytes, n) != 0) __builtin_trap();
        free(again);
        il_net_free(net);
    } else {
        if (net) __builtin_trap();
        if (err.msg[0] == '\0' || strchr(err.msg, '\n') || !strstr(err.msg, "model.bin")) __builtin_trap();
    }
    free(bytes);
    return 0;
}
