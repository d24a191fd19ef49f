/* model.c - save and load a network in initlab's small binary format, and export its weights as CSV.
 *
 * Every integer and float is written byte by byte in little-endian order, so a file moves between hosts
 * unchanged; the layout is documented in docs/model-format.md. Loading trusts nothing in the file: each
 * field is range-checked against the header's own claims and the file's real size before anything is
 * allocated, and a CRC-32 over every preceding byte catches the alterations a range check cannot see.
 */
#include "initlab/model.h"

#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/files.h"
#include "initlab/fileio.h"

_Static_assert(CHAR_BIT == 8, "the model format is defined in 8-bit bytes");
_Static_assert(sizeof(float) == 4, "the model format stores IEEE-754 binary32 floats");

/* ---- the format's constants ------------------------------------------------------------------------ */

#define MODEL_MAGIC_SIZE 8
static const unsigned char model_magic[MODEL_MAGIC_SIZE] = {'I', 'N', 'I', 'T', 'L', 'A', 'B', '\0'};
#define MODEL_VERSION 1u
/* A model file larger than this is refused before it is read: no network of a teaching lab is near it,
 * and it keeps a wrong path (a disk image, a device) from being swallowed into memory. */
#define MODEL_MAX_FILE_BYTES ((uint64_t)2 << 30)
/* The longest header, at IL_MAX_LAYERS layers: magic, version, L, sizes, hidden codes, output, n_params. */
#define MODEL_MAX_HEADER_BYTES                                                                               \
    (MODEL_MAGIC_SIZE + 4 + 4 + 4 * (IL_MAX_LAYERS + 1) + 4 * (IL_MAX_LAYERS - 1) + 4 + 8)

/* Codes stored in the file. They are part of the format, so they are spelled out here rather than taken
 * from the order of the il_act / il_output enums, which may grow or be reordered. */
static const il_act hidden_codes[] = {IL_ACT_IDENTITY, IL_ACT_SIGMOID, IL_ACT_TANH, IL_ACT_RELU};
#define N_HIDDEN_CODES (sizeof hidden_codes / sizeof hidden_codes[0])

static const il_output output_codes[] = {IL_OUT_IDENTITY, IL_OUT_SIGMOID, IL_OUT_SOFTMAX};
#define N_OUTPUT_CODES (sizeof output_codes / sizeof output_codes[0])

static int hidden_code_of(il_act act, uint32_t *code) {
    for (uint32_t c = 0; c < N_HIDDEN_CODES; c++)
        if (hidden_codes[c] == act) {
            *code = c;
            return 1;
        }
    return 0;
}

static int output_code_of(il_output out, uint32_t *code) {
    for (uint32_t c = 0; c < N_OUTPUT_CODES; c++)
        if (output_codes[c] == out) {
            *code = c;
            return 1;
        }
    return 0;
}

/* Byte offsets of the header fields for L layers (see model.h). The header ends where params begin. */
static size_t offset_sizes(void) {
    return MODEL_MAGIC_SIZE + 4 + 4;
}
static size_t offset_hidden(size_t L) {
    return offset_sizes() + 4 * (L + 1);
}
static size_t offset_output(size_t L) {
    return offset_hidden(L) + 4 * (L - 1);
}
static size_t offset_n_params(size_t L) {
    return offset_output(L) + 4;
}
static size_t offset_params(size_t L) {
    return offset_n_params(L) + 8;
}

/* Parameters implied by the shapes: sum over layers of I*O weights + O biases. 0 on uint64 overflow
 * (a valid spec never implies 0, since every size is >= 1). */
static uint64_t implied_params(const uint64_t *sizes, size_t L) {
    uint64_t total = 0;
    for (size_t l = 0; l < L; l++) {
        uint64_t I = sizes[l], O = sizes[l + 1];
        if (I != 0 && O > (UINT64_MAX - O) / I) return 0; /* I*O + O = (I+1)*O must fit */
        uint64_t layer = I * O + O;
        if (layer > UINT64_MAX - total) return 0;
        total += layer;
    }
    return total;
}

/* ---- little-endian encoding ------------------------------------------------------------------------ */

static void put_u32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v & 0xFF);
    p[1] = (unsigned char)((v >> 8) & 0xFF);
    p[2] = (unsigned char)((v >> 16) & 0xFF);
    p[3] = (unsigned char)((v >> 24) & 0xFF);
}

static void put_u64(unsigned char *p, uint64_t v) {
    put_u32(p, (uint32_t)(v & 0xFFFFFFFFu));
    put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p) {
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* A float travels as the little-endian bytes of its IEEE-754 bit pattern (NaN payloads included). */
static void put_f32(unsigned char *p, float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    put_u32(p, bits);
}

static float get_f32(const unsigned char *p) {
    uint32_t bits = get_u32(p);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* zlib's crc32 takes a uInt length; feed large blocks in pieces. */
static uint32_t crc_update(uint32_t crc, const unsigned char *p, size_t n) {
    uLong c = crc;
    while (n > 0) {
        uInt piece = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, piece);
        p += piece;
        n -= piece;
    }
    return (uint32_t)c;
}

/* ---- saving ---------------------------------------------------------------------------------------- */

/* Refuse a net whose spec or parameter count is inconsistent: writing it would produce a file that the
 * loader must reject. Fills the header fields on success. */
static il_status check_net_for_saving(const il_net *net, const char *path, uint32_t *hidden, uint32_t *output,
                                      uint64_t *n_params, il_error *err) {
    il_error inner;
    if (il_net_spec_check(&net->spec, &inner) != IL_OK)
        return il_fail(err, IL_ERR_USAGE, "%s: cannot save this network: %s", path, inner.msg);
    size_t L = net->spec.n_layers;
    uint64_t sizes[IL_MAX_LAYERS + 1];
    for (size_t i = 0; i <= L; i++) {
        if ((uint64_t)net->spec.sizes[i] > UINT32_MAX)
            return il_fail(err, IL_ERR_USAGE,
                           "%s: cannot save this network: layer size %zu is %zu, more than the format's "
                           "limit of %" PRIu32,
                           path, i, net->spec.sizes[i], (uint32_t)UINT32_MAX);
        sizes[i] = net->spec.sizes[i];
    }
    for (size_t l = 0; l + 1 < L; l++)
        if (!hidden_code_of(net->spec.hidden[l], &hidden[l]))
            return il_fail(err, IL_ERR_USAGE,
                           "%s: cannot save this network: hidden layer %zu has unknown "
                           "activation %d",
                           path, l, (int)net->spec.hidden[l]);
    if (!output_code_of(net->spec.output, output))
        return il_fail(err, IL_ERR_USAGE, "%s: cannot save this network: unknown output kind %d", path,
                       (int)net->spec.output);
    *n_params = implied_params(sizes, L);
    if (*n_params == 0 || *n_params != (uint64_t)net->n_params)
        return il_fail(err, IL_ERR_USAGE,
                       "%s: cannot save this network: it holds %zu parameters but its layer sizes imply "
                       "%" PRIu64,
                       path, net->n_params, *n_params);
    return IL_OK;
}

/* Write n floats little-endian through a small staging buffer, folding them into the running CRC. */
static void write_floats(FILE *f, const float *v, size_t n, uint32_t *crc) {
    unsigned char buf[4096]; /* (1024 floats x 4 bytes) */
    while (n > 0) {
        size_t k = n < sizeof buf / 4 ? n : sizeof buf / 4;
        for (size_t i = 0; i < k; i++)
            put_f32(buf + 4 * i, v[i]);
        *crc = crc_update(*crc, buf, 4 * k);
        fwrite(buf, 1, 4 * k, f);
        v += k;
        n -= k;
    }
}

il_status il_model_save(const il_net *net, const char *path, il_error *err) {
    if (!net || !path) return il_fail(err, IL_ERR_USAGE, "il_model_save: no network or no path given");
    uint32_t hidden[IL_MAX_LAYERS] = {0}, output = 0;
    uint64_t n_params = 0;
    il_status st = check_net_for_saving(net, path, hidden, &output, &n_params, err);
    if (st != IL_OK) return st;

    size_t L = net->spec.n_layers;
    unsigned char header[MODEL_MAX_HEADER_BYTES];
    memcpy(header, model_magic, MODEL_MAGIC_SIZE);
    put_u32(header + MODEL_MAGIC_SIZE, MODEL_VERSION);
    put_u32(header + MODEL_MAGIC_SIZE + 4, (uint32_t)L);
    for (size_t i = 0; i <= L; i++)
        put_u32(header + offset_sizes() + 4 * i, (uint32_t)net->spec.sizes[i]);
    for (size_t l = 0; l + 1 < L; l++)
        put_u32(header + offset_hidden(L) + 4 * l, hidden[l]);
    put_u32(header + offset_output(L), output);
    put_u64(header + offset_n_params(L), n_params);

    il_atomic_file af;
    st = il_atomic_open(&af, path, err);
    if (st != IL_OK) return st;
    uint32_t crc = crc_update((uint32_t)crc32(0L, Z_NULL, 0), header, offset_params(L));
    fwrite(header, 1, offset_params(L), af.f);
    /* The parameter block in the order w0 b0 w1 b1 ..., taken through the layer views so the file's
     * order does not depend on how the net arranges its memory. Write errors stick in the FILE and are
     * reported by il_atomic_commit. */
    for (size_t l = 0; l < L; l++) {
        size_t I = net->spec.sizes[l], O = net->spec.sizes[l + 1];
        write_floats(af.f, net->w[l], I * O, &crc);
        write_floats(af.f, net->b[l], O, &crc);
    }
    unsigned char tail[4];
    put_u32(tail, crc);
    fwrite(tail, 1, sizeof tail, af.f);
    return il_atomic_commit(&af, err);
}

/* ---- loading --------------------------------------------------------------------------------------- */

/* A cursor over the file's bytes that refuses to step past the end, naming what it wanted there. */
typedef struct {
    const unsigned char *bytes; /* (size) */
    size_t size;
    size_t pos;
    const char *path;
} reader;

static il_status need(const reader *r, size_t n, const char *what, il_error *err) {
    if (r->size - r->pos >= n) return IL_OK;
    return il_fail(err, IL_ERR_FORMAT,
                   "%s: truncated at byte %zu: expected %s (%zu bytes) but the file has only %zu bytes",
                   r->path, r->pos, what, n, r->size);
}

static il_status read_u32(reader *r, uint32_t *v, const char *what, il_error *err) {
    il_status st = need(r, 4, what, err);
    if (st != IL_OK) return st;
    *v = get_u32(r->bytes + r->pos);
    r->pos += 4;
    return IL_OK;
}

/* Show up to 8 bytes as a C-style string literal body, for a message about a wrong magic. */
static void describe_bytes(char *out, size_t out_size, const unsigned char *p, size_t n) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used + 5 < out_size; i++) {
        int w = (p[i] >= 0x20 && p[i] < 0x7F && p[i] != '"' && p[i] != '\\')
                    ? snprintf(out + used, out_size - used, "%c", p[i])
                    : snprintf(out + used, out_size - used, "\\x%02X", p[i]);
        if (w < 0) break;
        used += (size_t)w;
    }
}

/* Parse and check the header. On success spec is filled, *n_params is what it claims and r->pos is the
 * offset of the first parameter. Nothing is allocated. */
static il_status parse_header(reader *r, il_net_spec *spec, uint64_t *n_params, il_error *err) {
    const char *path = r->path;
    if (r->size == 0)
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: the file is empty: expected an initlab model, which starts with \"INITLAB\\0\"",
                       path);
    size_t m = r->size < MODEL_MAGIC_SIZE ? r->size : MODEL_MAGIC_SIZE;
    if (memcmp(r->bytes, model_magic, m) != 0) {
        char found[64];
        describe_bytes(found, sizeof found, r->bytes, m);
        return il_fail(
            err, IL_ERR_FORMAT,
            "%s: byte 0: expected the magic \"INITLAB\\0\" that starts an initlab model, found \"%s\" "
            "(this is not an initlab model file)",
            path, found);
    }
    il_status st = need(r, MODEL_MAGIC_SIZE, "the magic \"INITLAB\\0\"", err);
    if (st != IL_OK) return st;
    r->pos = MODEL_MAGIC_SIZE;

    uint32_t version, L32;
    size_t at = r->pos;
    if ((st = read_u32(r, &version, "the format version", err)) != IL_OK) return st;
    if (version != MODEL_VERSION)
        return il_fail(err, IL_ERR_FORMAT, "%s: byte %zu: expected version %u, found %" PRIu32 "%s", path, at,
                       MODEL_VERSION, version,
                       version > MODEL_VERSION ? " (written by a newer initlab?)" : "");
    at = r->pos;
    if ((st = read_u32(r, &L32, "the number of layers", err)) != IL_OK) return st;
    if (L32 < 1 || L32 > IL_MAX_LAYERS)
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: byte %zu: expected a number of layers from 1 to %d, found %" PRIu32, path, at,
                       IL_MAX_LAYERS, L32);
    size_t L = L32;
    memset(spec, 0, sizeof *spec);
    spec->n_layers = L;

    uint64_t sizes[IL_MAX_LAYERS + 1];
    for (size_t i = 0; i <= L; i++) {
        char what[64];
        snprintf(what, sizeof what, "sizes[%zu]", i);
        uint32_t s;
        at = r->pos;
        if ((st = read_u32(r, &s, what, err)) != IL_OK) return st;
        if (s < 1)
            return il_fail(err, IL_ERR_FORMAT, "%s: byte %zu: expected sizes[%zu] (%s) >= 1, found 0", path,
                           at, i,
                           i == 0   ? "the number of inputs"
                           : i == L ? "the number of outputs"
                                    : "a hidden width");
        sizes[i] = s;
        spec->sizes[i] = s;
    }
    for (size_t l = 0; l + 1 < L; l++) {
        char what[64];
        snprintf(what, sizeof what, "the activation code of hidden layer %zu", l);
        uint32_t code;
        at = r->pos;
        if ((st = read_u32(r, &code, what, err)) != IL_OK) return st;
        if (code >= N_HIDDEN_CODES)
            return il_fail(err, IL_ERR_FORMAT,
                           "%s: byte %zu: expected the activation code of hidden layer %zu (0 identity, "
                           "1 sigmoid, 2 tanh, 3 relu), found %" PRIu32,
                           path, at, l, code);
        spec->hidden[l] = hidden_codes[code];
    }
    uint32_t out_code;
    at = r->pos;
    if ((st = read_u32(r, &out_code, "the output code", err)) != IL_OK) return st;
    if (out_code >= N_OUTPUT_CODES)
        return il_fail(
            err, IL_ERR_FORMAT,
            "%s: byte %zu: expected the output code (0 identity, 1 sigmoid, 2 softmax), found %" PRIu32, path,
            at, out_code);
    spec->output = output_codes[out_code];

    at = r->pos;
    if ((st = need(r, 8, "the number of parameters", err)) != IL_OK) return st;
    *n_params = get_u64(r->bytes + r->pos);
    r->pos += 8;
    uint64_t implied = implied_params(sizes, L);
    if (implied == 0 || implied != *n_params) {
        char shape[128];
        size_t used = 0;
        shape[0] = '\0';
        size_t shown = 0; /* sizes that fit the message; each takes at most 11 characters */
        for (; shown <= L && used + 16 < sizeof shape; shown++)
            used += (size_t)snprintf(shape + used, sizeof shape - used, "%s%" PRIu64, shown ? "," : "",
                                     sizes[shown]);
        if (shown <= L) snprintf(shape + used, sizeof shape - used, ",...");
        if (implied == 0)
            return il_fail(err, IL_ERR_FORMAT,
                           "%s: byte %zu: the layer sizes %s imply more parameters than can be counted", path,
                           at, shape);
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: byte %zu: expected n_params = %" PRIu64
                       " (what the layer sizes %s imply), found %" PRIu64,
                       path, at, implied, shape, *n_params);
    }
    return IL_OK;
}

/* The head of a model file (its longest possible header) gives its exact size: the header, n_params
 * floats and the checksum. Anything wrong with the header is reported from the head, so a wrong file
 * (a device, a FIFO, a disk image) costs a few hundred bytes of reading; 64 KiB of slack lets junk after
 * the checksum be named precisely by il_model_load. */
static il_status model_judge(const unsigned char *head, size_t len, const char *path, void *ctx,
                             size_t *max_bytes, il_error *err) {
    (void)ctx;
    reader r = {head, len, 0, path};
    il_net_spec spec;
    uint64_t n_params = 0;
    il_status st = parse_header(&r, &spec, &n_params, err);
    if (st != IL_OK) return st;
    if (n_params <= (MODEL_MAX_FILE_BYTES - r.pos - 4) / 4) {
        uint64_t limit = (uint64_t)r.pos + 4 * n_params + 4 + ((uint64_t)64 << 10);
        if (limit < *max_bytes) *max_bytes = (size_t)limit;
        return IL_OK;
    }
    /* A claim no model file may hold: a short file is left to il_model_load's "truncated" message, a
     * longer one (a stream) is refused here rather than read up to the cap. */
    if (len < MODEL_MAX_HEADER_BYTES) return IL_OK;
    return il_fail(err, IL_ERR_FORMAT,
                   "%s: the header says %" PRIu64 " parameters, more than the %" PRIu64
                   " bytes a model file may hold",
                   path, n_params, (uint64_t)MODEL_MAX_FILE_BYTES);
}

il_status il_model_load(il_net **out, const char *path, size_t max_batch, il_error *err) {
    if (!out) return il_fail(err, IL_ERR_USAGE, "il_model_load: no place for the network given");
    *out = NULL;
    if (!path) return il_fail(err, IL_ERR_USAGE, "il_model_load: no path given");
    if (max_batch < 1) return il_fail(err, IL_ERR_USAGE, "%s: max_batch must be >= 1, found 0", path);

    char *text;
    size_t size;
    il_status st = il__read_file_judged(path, MODEL_MAX_FILE_BYTES, MODEL_MAX_HEADER_BYTES, model_judge, NULL,
                                        &text, &size, err);
    if (st != IL_OK) return st;
    unsigned char *bytes = (unsigned char *)text;

    reader r = {bytes, size, 0, path};
    il_net_spec spec;
    uint64_t n_params = 0;
    st = parse_header(&r, &spec, &n_params, err);
    if (st != IL_OK) goto done;

    /* The file must hold exactly the header, n_params floats and the checksum. The file is at most
     * 2 GiB, so once n_params passes this test none of the products below can overflow. */
    size_t start = r.pos;
    if (n_params > (uint64_t)(size - start) / 4 || (size - start) - 4 * (size_t)n_params < 4) {
        if (n_params <= (UINT64_MAX - start - 4) / 4)
            st = il_fail(err, IL_ERR_FORMAT,
                         "%s: truncated: header says %" PRIu64 " parameters (%" PRIu64
                         " bytes from byte %zu) and "
                         "a 4-byte checksum, %" PRIu64 " bytes in all, but the file has %zu bytes",
                         path, n_params, 4 * n_params, start, start + 4 * n_params + 4, size);
        else
            st =
                il_fail(err, IL_ERR_FORMAT,
                        "%s: truncated: header says %" PRIu64 " parameters (4 bytes each from byte %zu), far "
                        "more than the file's %zu bytes",
                        path, n_params, start, size);
        goto done;
    }
    uint64_t expected = (uint64_t)start + 4 * n_params + 4;
    if ((uint64_t)size > expected) {
        st = il_fail(err, IL_ERR_FORMAT,
                     "%s: byte %" PRIu64 ": expected the end of the file after the checksum, found %" PRIu64
                     " more bytes",
                     path, expected, (uint64_t)size - expected);
        goto done;
    }
    size_t crc_at = size - 4;
    uint32_t stored = get_u32(bytes + crc_at);
    uint32_t computed = crc_update((uint32_t)crc32(0L, Z_NULL, 0), bytes, crc_at);
    if (stored != computed) {
        st = il_fail(err, IL_ERR_FORMAT,
                     "%s: checksum mismatch (stored 0x%08" PRIX32 ", computed 0x%08" PRIX32
                     "): the file was altered or damaged",
                     path, stored, computed);
        goto done;
    }
    il_error inner;
    if (il_net_spec_check(&spec, &inner) != IL_OK) {
        st = il_fail(err, IL_ERR_FORMAT, "%s: the network in the file is not valid: %s", path, inner.msg);
        goto done;
    }

    il_net *net = NULL;
    st = il_net_create(&net, &spec, max_batch, &inner);
    if (st != IL_OK) {
        il_fail(err, st, "%s: cannot create the network the file describes: %s", path, inner.msg);
        goto done;
    }
    const unsigned char *p = bytes + start;
    for (size_t l = 0; l < spec.n_layers; l++) {
        size_t I = spec.sizes[l], O = spec.sizes[l + 1];
        for (size_t k = 0; k < I * O; k++, p += 4)
            net->w[l][k] = get_f32(p);
        for (size_t k = 0; k < O; k++, p += 4)
            net->b[l][k] = get_f32(p);
    }
    *out = net;
done:
    free(bytes);
    return st;
}

/* ---- CSV export ------------------------------------------------------------------------------------ */

il_status il_model_export_csv(const il_net *net, const char *path, il_error *err) {
    if (!net || !path) return il_fail(err, IL_ERR_USAGE, "il_model_export_csv: no network or no path given");
    il_error inner;
    if (il_net_spec_check(&net->spec, &inner) != IL_OK)
        return il_fail(err, IL_ERR_USAGE, "%s: cannot export this network: %s", path, inner.msg);
    il_atomic_file af;
    il_status st = il_atomic_open(&af, path, err);
    if (st != IL_OK) return st;
    char num[32];
    fputs("layer,kind,row,col,value\n", af.f);
    for (size_t l = 0; l < net->spec.n_layers; l++) {
        size_t I = net->spec.sizes[l], O = net->spec.sizes[l + 1];
        const float *w = net->w[l]; /* (I, O) */
        const float *b = net->b[l]; /* (O) */
        for (size_t i = 0; i < I; i++)
            for (size_t j = 0; j < O; j++)
                fprintf(af.f, "%zu,w,%zu,%zu,%s\n", l, i, j, il_csv_number(num, sizeof num, w[i * O + j]));
        for (size_t j = 0; j < O; j++)
            fprintf(af.f, "%zu,b,,%zu,%s\n", l, j, il_csv_number(num, sizeof num, b[j]));
    }
    return il_atomic_commit(&af, err);
}
