/* idx.c - IDX (MNIST format) files, plain or gzip-compressed, and the "read a whole file (il__read_file),
 * gunzip it if needed" helper the other file loaders share.
 *
 * An IDX file is a 4-byte magic number (00 00 TYPE NDIMS), NDIMS big-endian uint32 sizes, then the data
 * in row-major order. initlab reads unsigned-byte files (TYPE 0x08): images (N, rows, cols) and labels
 * (N). Nothing in a file is trusted: every size is checked against the bytes actually present before
 * anything is allocated, and a gzip stream is never inflated past what its IDX header declares.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/files.h"
#include "data/loaders.h"

/* DEFLATE cannot expand by more than 1032:1 (a 258-byte match in about two bits), so a gzip file of
 * C bytes never holds more than about 1032 * C bytes; a header that declares more is lying. */
#define DEFLATE_MAX_RATIO 1032u
#define GZIP_SLACK        1024u
/* The most an IDX file may hold, plain or decompressed: EMNIST ByClass, the largest IDX set in common
 * use, has 697932 x 28 x 28 = 547 MB of images. */
#define IDX_MAX_FILE_BYTES ((uint64_t)1 << 30)
/* How much of an IDX file is read before its header is judged: enough to inflate the header of a gzip
 * file whose gzip header holds a long file name. */
#define IDX_HEAD_BYTES ((size_t)64 << 10)

static int is_gzip(const unsigned char *bytes, size_t size) {
    return size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

/* ---- limits --------------------------------------------------------------------------------------- */

il_status il__data_check_size(size_t n, size_t d, size_t t, const char *name, il_error *err) {
    /* d, t < 2^32 in every loader, so (d + t) * 4 cannot wrap; n * that is checked by division. */
    uint64_t per_example = ((uint64_t)d + t) * sizeof(float);
    if (per_example && (uint64_t)n > IL_DATA_MAX_FILE_BYTES / per_example)
        return il_fail(
            err, IL_ERR_FORMAT,
            "%s: %zu examples x (%zu inputs + %zu targets) would need %.0f MiB of memory, more than "
            "the %llu MiB initlab loads",
            name, n, d, t, (double)n * (double)per_example / 1048576.0,
            (unsigned long long)(IL_DATA_MAX_FILE_BYTES >> 20));
    return IL_OK;
}

/* ---- the IDX header ------------------------------------------------------------------------------- */

typedef struct {
    unsigned n_dims;
    size_t dims[4];
    size_t header_len;  /* 4 + 4 * n_dims */
    size_t payload_len; /* product of dims (one byte per value) */
} idx_header;

static const char *idx_type_name(unsigned type) {
    switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "16-bit integer";
    case 0x0C: return "32-bit integer";
    case 0x0D: return "32-bit float";
    case 0x0E: return "64-bit float";
    }
    return "not an IDX data type";
}

/* "60000 x 28 x 28" into buf. */
static const char *dims_text(char *buf, size_t size, const idx_header *h) {
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned k = 0; k < h->n_dims && used < size; k++) {
        int n = snprintf(buf + used, size - used, k ? " x %zu" : "%zu", h->dims[k]);
        if (n < 0) break;
        used += (size_t)n;
    }
    return buf;
}

/* Check the header at the start of b (size bytes available so far) and compute the payload length.
 * where is appended to byte offsets ("" or " of the decompressed data"). */
static il_status idx_read_header(const unsigned char *b, size_t size, const char *name, const char *where,
                                 idx_header *h, il_error *err) {
    memset(h, 0, sizeof *h);
    if (size == 0)
        return il_fail(err, IL_ERR_FORMAT,
                       "%s is empty (0 bytes%s); expected an IDX file starting with the magic number "
                       "00 00 08 01 (labels) or 00 00 08 03 (images)",
                       name, where);
    if (size < 4 || b[0] != 0 || b[1] != 0) {
        if (size >= 2 && (b[0] != 0 || b[1] != 0))
            return il_fail(err, IL_ERR_FORMAT,
                           "%s is not an IDX file: bytes 0-1%s are %02x %02x, expected 00 00 (the IDX magic "
                           "number is 00 00 08 01 for labels, 00 00 08 03 for images)",
                           name, where, b[0], b[1]);
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: truncated header: the file ends at byte offset %zu%s, an IDX file starts with a "
                       "4-byte magic number",
                       name, size, where);
    }
    if (b[2] != 0x08)
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: byte 2%s gives the data type 0x%02x (%s); initlab reads unsigned-byte IDX files "
                       "(type 0x08)",
                       name, where, b[2], idx_type_name(b[2]));
    h->n_dims = b[3];
    if (h->n_dims < 1 || h->n_dims > 4)
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: byte 3%s gives %u dimensions; expected 1 to 4 (1 for labels, 3 for images)", name,
                       where, h->n_dims);
    h->header_len = 4 + 4 * (size_t)h->n_dims;
    if (size < h->header_len)
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: truncated header: %u dimensions need a %zu-byte header, the file ends at byte "
                       "offset %zu%s",
                       name, h->n_dims, h->header_len, size, where);
    for (unsigned k = 0; k < h->n_dims; k++) {
        const unsigned char *p = b + 4 + 4 * k;
        h->dims[k] = ((size_t)p[0] << 24) | ((size_t)p[1] << 16) | ((size_t)p[2] << 8) | p[3];
        if (h->dims[k] == 0)
            return il_fail(err, IL_ERR_FORMAT, "%s: dimension %u (bytes %u-%u%s) is 0; expected at least 1",
                           name, k + 1, 4 + 4 * k, 7 + 4 * k, where);
    }
    /* Multiply in 64 bits against the cap, so the product can neither wrap nor exceed what we read. */
    uint64_t product = 1;
    for (unsigned k = 0; k < h->n_dims; k++) {
        if (product > IDX_MAX_FILE_BYTES / h->dims[k]) {
            char text[128];
            return il_fail(err, IL_ERR_FORMAT,
                           "%s: the dimensions in bytes 4-%u%s (%s) multiply to more than %llu bytes, the "
                           "most initlab reads from an IDX file; the header is corrupt",
                           name, 3 + 4 * h->n_dims, where, dims_text(text, sizeof text, h),
                           (unsigned long long)IDX_MAX_FILE_BYTES);
        }
        product *= h->dims[k];
    }
    h->payload_len = (size_t)product;
    return IL_OK;
}

/* The whole file: a valid header and exactly payload_len bytes after it. */
static il_status idx_check_file(const unsigned char *bytes, size_t size, const char *name, const char *where,
                                idx_header *h, il_error *err) {
    il_status st = idx_read_header(bytes, size, name, where, h, err);
    if (st != IL_OK) return st;
    char text[128];
    size_t data = size - h->header_len, end = h->header_len + h->payload_len;
    if (data < h->payload_len)
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: truncated: the header declares %s = %zu bytes of data after the %zu-byte header, "
                       "but the file ends at byte offset %zu%s, %zu bytes short",
                       name, dims_text(text, sizeof text, h), h->payload_len, h->header_len, size, where,
                       h->payload_len - data);
    if (data > h->payload_len)
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: %zu unexpected bytes after the data: the header declares %s = %zu bytes, so the "
                       "file should end at byte offset %zu%s, but it has %zu bytes; the header does not "
                       "match the file",
                       name, data - h->payload_len, dims_text(text, sizeof text, h), h->payload_len, end,
                       where, size);
    return IL_OK;
}

il_status il__idx_parse(const unsigned char *bytes, size_t size, const char *name, unsigned *n_dims,
                        size_t dims[4], const unsigned char **payload, il_error *err) {
    idx_header h;
    il_status st = idx_check_file(bytes, size, name, "", &h, err);
    if (st != IL_OK) return st;
    *n_dims = h.n_dims;
    for (unsigned k = 0; k < 4; k++)
        dims[k] = h.dims[k];
    *payload = bytes + h.header_len;
    return IL_OK;
}

/* ---- gzip ----------------------------------------------------------------------------------------- */

/* The message for a gzip stream that holds more than it may. */
static il_status too_much(il_error *err, const char *name, uint64_t limit, const idx_header *h) {
    char text[128];
    if (h)
        return il_fail(
            err, IL_ERR_FORMAT,
            "%s: decompresses to more than the %s = %zu bytes its IDX header declares; expected the "
            "data to end at byte offset %llu of the decompressed data",
            name, dims_text(text, sizeof text, h), h->payload_len, (unsigned long long)limit);
    return il_fail(err, IL_ERR_FORMAT, "%s decompresses to more than %llu bytes, the most initlab reads",
                   name, (unsigned long long)limit);
}

/* Inflate a gzip file held in memory (one member or several back to back, as `cat a.gz b.gz` makes)
 * into a malloc'ed buffer with a NUL byte after it. The output may not exceed limit bytes. With idx set,
 * the IDX header is checked as soon as it has been inflated and the limit becomes exactly the size it
 * declares, after checking that the compressed bytes could hold that much: a lying header can make us
 * neither allocate nor inflate more than the file justifies. */
static il_status gunzip(const unsigned char *in, size_t in_size, const char *name, uint64_t limit, int idx,
                        unsigned char **out, size_t *out_size, il_error *err) {
    *out = NULL;
    *out_size = 0;
    uint64_t possible = (uint64_t)in_size * DEFLATE_MAX_RATIO + GZIP_SLACK;
    if (limit > possible) limit = possible;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return il_fail(err, IL_ERR_NOMEM, "out of memory starting to decompress %s", name);
    /* Start at a size the compressed bytes justify and double as real output arrives, up to limit + 1:
     * one byte more than allowed is how "too much data" is seen. */
    uint64_t start = 65536 + 2 * (uint64_t)in_size;
    size_t cap = (size_t)(start < limit + 1 ? start : limit + 1), len = 0;
    unsigned char *buf = malloc(cap + 1);
    il_status st = buf ? IL_OK : il_fail(err, IL_ERR_NOMEM, "out of memory decompressing %s", name);
    size_t in_pos = 0;
    int header_known = !idx, ended = 0;
    idx_header h;
    memset(&h, 0, sizeof h);
    while (st == IL_OK && !ended) {
        /* How far this round may write: up to the end of the IDX header while it is unknown (byte 3
         * gives its length; an invalid count stops at 4 bytes so it is reported at once), else the
         * whole buffer. */
        size_t want = cap;
        if (!header_known) want = len < 4 || buf[3] < 1 || buf[3] > 4 ? 4 : 4 + 4 * (size_t)buf[3];
        if (len == want && !header_known) {
            st = idx_read_header(buf, len, name, " of the decompressed data", &h, err);
            if (st != IL_OK) break;
            header_known = 1;
            uint64_t declared = (uint64_t)h.header_len + h.payload_len;
            if (declared > possible) {
                char text[128];
                st = il_fail(err, IL_ERR_FORMAT,
                             "%s: truncated or corrupt: its IDX header declares %s = %zu bytes of data, more "
                             "than its %zu bytes of gzip data can hold (at most %llu)",
                             name, dims_text(text, sizeof text, &h), h.payload_len, in_size,
                             (unsigned long long)possible);
                break;
            }
            /* From here on at most the declared bytes plus the one that would prove there are more;
             * the buffer still grows only as real output arrives. */
            limit = declared;
            if ((uint64_t)cap > limit + 1) cap = (size_t)(limit + 1);
            continue;
        }
        if (len == cap) {
            if ((uint64_t)len > limit) {
                st = too_much(err, name, limit, idx && header_known ? &h : NULL);
                break;
            }
            size_t grown_cap = (uint64_t)cap * 2 < limit + 1 ? cap * 2 : (size_t)(limit + 1);
            unsigned char *grown = realloc(buf, grown_cap + 1);
            if (!grown) {
                st = il_fail(err, IL_ERR_NOMEM, "out of memory decompressing %s", name);
                break;
            }
            buf = grown;
            cap = grown_cap;
            continue;
        }
        /* zlib counts in uInt: at most 1 GiB in and out per round. */
        size_t chunk_in = in_size - in_pos, chunk_out = want - len;
        if (chunk_in > ((size_t)1 << 30)) chunk_in = (size_t)1 << 30;
        if (chunk_out > ((size_t)1 << 30)) chunk_out = (size_t)1 << 30;
        zs.next_in = (Bytef *)(uintptr_t)(in + in_pos);
        zs.avail_in = (uInt)chunk_in;
        zs.next_out = buf + len;
        zs.avail_out = (uInt)chunk_out;
        int rc = inflate(&zs, Z_NO_FLUSH);
        in_pos += chunk_in - zs.avail_in;
        len += chunk_out - zs.avail_out;
        if (rc == Z_STREAM_END) {
            if (in_pos == in_size)
                ended = 1;
            else if (is_gzip(in + in_pos, in_size - in_pos))
                inflateReset(&zs); /* another gzip member follows */
            else
                st = il_fail(err, IL_ERR_FORMAT,
                             "%s: %zu bytes of unexpected data after the end of the gzip stream at byte "
                             "offset %zu",
                             name, in_size - in_pos, in_pos);
        } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
            st = il_fail(err, IL_ERR_FORMAT, "%s: corrupt gzip data near byte offset %zu (%s)", name, in_pos,
                         zs.msg ? zs.msg : "invalid deflate stream");
        } else if (rc == Z_MEM_ERROR) {
            st = il_fail(err, IL_ERR_NOMEM, "out of memory decompressing %s", name);
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            st = il_fail(err, IL_ERR_FORMAT, "%s: cannot decompress it (zlib error %d near byte offset %zu)",
                         name, rc, in_pos);
        } else if (chunk_in == zs.avail_in && chunk_out == zs.avail_out && in_pos < in_size) {
            st = il_fail(err, IL_ERR_FORMAT, "%s: corrupt gzip data near byte offset %zu", name, in_pos);
        } else if (zs.avail_out > 0 && in_pos == in_size) {
            /* Room to write, nothing left to read, and the stream has not ended. */
            st = il_fail(err, IL_ERR_FORMAT,
                         "%s: the gzip data ends early at byte offset %zu (the file is truncated); %zu bytes "
                         "were decompressed before it ended",
                         name, in_size, len);
        }
    }
    inflateEnd(&zs);
    if (st == IL_OK && (uint64_t)len > limit)
        st = too_much(err, name, limit, idx && header_known ? &h : NULL);
    if (st != IL_OK) {
        free(buf);
        return st;
    }
    buf[len] = '\0';
    *out = buf;
    *out_size = len;
    return IL_OK;
}

il_status il__read_maybe_gz(const char *path, size_t max_bytes, unsigned char **bytes, size_t *size,
                            il_error *err) {
    return il__read_maybe_gz_judged(path, max_bytes, 0, NULL, NULL, bytes, size, err);
}

il_status il__read_maybe_gz_judged(const char *path, size_t max_bytes, size_t head_bytes,
                                   il__file_judge judge, void *ctx, unsigned char **bytes, size_t *size,
                                   il_error *err) {
    char *text = NULL;
    size_t raw_size = 0;
    *bytes = NULL;
    *size = 0;
    /* The plain read is the one file reader's, with its cap; only the gzip path is this file's own. */
    il_status st = il__read_file_judged(path, max_bytes, head_bytes, judge, ctx, &text, &raw_size, err);
    unsigned char *raw = (unsigned char *)text;
    if (st != IL_OK || !is_gzip(raw, raw_size)) {
        *bytes = raw;
        *size = raw_size;
        return st;
    }
    st = gunzip(raw, raw_size, path, max_bytes, 0, bytes, size, err);
    free(raw);
    return st;
}

/* ---- images and labels ---------------------------------------------------------------------------- */

/* One IDX file in memory, gunzipped when it starts with the gzip magic, checked whole. *owned is the
 * buffer to free (NULL when the input was used as is). */
static il_status idx_open(const unsigned char *bytes, size_t size, const char *name, unsigned char **owned,
                          const unsigned char **data, idx_header *h, il_error *err) {
    *owned = NULL;
    *data = bytes;
    const char *where = "";
    if (is_gzip(bytes, size)) {
        size_t unpacked_size = 0;
        il_status st = gunzip(bytes, size, name, IDX_MAX_FILE_BYTES, 1, owned, &unpacked_size, err);
        if (st != IL_OK) return st;
        *data = *owned;
        size = unpacked_size;
        where = " of the decompressed data";
    }
    il_status st = idx_check_file(*data, size, name, where, h, err);
    if (st != IL_OK) {
        free(*owned);
        *owned = NULL;
    }
    return st;
}

il_status il__idx_pair_from_memory(il_dataset *out, const unsigned char *images, size_t images_size,
                                   const char *images_name, const unsigned char *labels, size_t labels_size,
                                   const char *labels_name, size_t max_classes, size_t *n_classes,
                                   il_error *err) {
    memset(out, 0, sizeof *out);
    if (max_classes == 0 || max_classes > 256) max_classes = 256; /* a label is one byte */
    unsigned char *img_owned = NULL, *lab_owned = NULL;
    const unsigned char *img = NULL, *lab = NULL;
    idx_header hi, hl;
    il_status st = idx_open(images, images_size, images_name, &img_owned, &img, &hi, err);
    if (st == IL_OK) st = idx_open(labels, labels_size, labels_name, &lab_owned, &lab, &hl, err);
    if (st == IL_OK && hi.n_dims < 2)
        st =
            il_fail(err, IL_ERR_FORMAT,
                    "%s: an images file has 2 to 4 dimensions (the count, then rows x cols), this one has 1; "
                    "is it a labels file (are images= and labels= swapped)?",
                    images_name);
    if (st == IL_OK && hl.n_dims != 1)
        st = il_fail(err, IL_ERR_FORMAT,
                     "%s: a labels file has 1 dimension (the count), this one has %u; is it an images file "
                     "(are images= and labels= swapped)?",
                     labels_name, hl.n_dims);
    if (st == IL_OK && hl.dims[0] != hi.dims[0])
        st = il_fail(err, IL_ERR_FORMAT,
                     "%s holds %zu labels but %s holds %zu images; expected one label per image", labels_name,
                     hl.dims[0], images_name, hi.dims[0]);
    if (st != IL_OK) {
        free(img_owned);
        free(lab_owned);
        return st;
    }
    size_t n = hi.dims[0], d = hi.payload_len / n; /* N images of D pixels (N >= 1: no dimension is 0) */
    const unsigned char *pixels = img + hi.header_len, *label_bytes = lab + hl.header_len;
    size_t largest = 0;
    for (size_t i = 0; st == IL_OK && i < n; i++) {
        if (label_bytes[i] >= max_classes)
            st = il_fail(err, IL_ERR_FORMAT,
                         "%s: label %u of item %zu (byte offset %zu%s) is out of range; expected 0 to %zu",
                         labels_name, label_bytes[i], i, hl.header_len + i,
                         lab_owned ? " of the decompressed data" : "", max_classes - 1);
        else if (label_bytes[i] > largest)
            largest = label_bytes[i];
    }
    size_t k = largest + 1; /* one-hot width: classes 0..largest */
    if (st == IL_OK) st = il__data_check_size(n, d, k, images_name, err);
    if (st == IL_OK) st = il_dataset_alloc(out, n, d, k, 1, err);
    if (st == IL_OK) {
        for (size_t i = 0; i < n * d; i++)
            out->x[i] = (float)pixels[i];
        for (size_t i = 0; i < n; i++) {
            out->labels[i] = label_bytes[i];
            out->y[i * k + label_bytes[i]] = 1.0f;
        }
        *n_classes = k;
    }
    free(img_owned);
    free(lab_owned);
    return st;
}

/* The first bytes of an IDX file (plain or gzip) decide how large it may be: a plain file is its header
 * plus the bytes the header declares (and 64 KiB, to name junk after them precisely); a gzip file at most
 * that plus what stored deflate blocks and gzip members add (5 bytes per 64 KiB block and a few dozen per
 * member; 1/16 and 1 MiB of slack cover every real file). A head that is not an IDX header at all is refused
 * at once, so an endless stream (a FIFO, /dev/zero, /dev/urandom) costs the 64 KiB of the head. */
static il_status idx_judge(const unsigned char *head, size_t len, const char *path, void *ctx,
                           size_t *max_bytes, il_error *err) {
    (void)ctx;
    idx_header h;
    if (!is_gzip(head, len)) {
        il_status st = idx_read_header(head, len, path, "", &h, err);
        /* The slack lets a file with a little junk after its data get the precise message of
         * idx_check_file; a stream stops there. */
        if (st == IL_OK) *max_bytes = h.header_len + h.payload_len + IDX_HEAD_BYTES;
        return st;
    }
    /* Inflate just the IDX header (at most 4 + 4 * 4 bytes). */
    unsigned char out[4 + 4 * 4];
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return il_fail(err, IL_ERR_NOMEM, "out of memory starting to decompress %s", path);
    zs.next_in = (Bytef *)(uintptr_t)head;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = 4;
    int rc = inflate(&zs, Z_NO_FLUSH);
    size_t got = 4 - zs.avail_out, need = 4;
    if (got == 4 && out[3] >= 1 && out[3] <= 4) {
        need = 4 + 4 * (size_t)out[3];
        if (rc == Z_OK) {
            zs.avail_out = (uInt)(need - 4);
            rc = inflate(&zs, Z_NO_FLUSH);
            got = need - zs.avail_out;
        }
    }
    size_t in_pos = len - zs.avail_in;
    inflateEnd(&zs);
    if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT)
        return il_fail(err, IL_ERR_FORMAT, "%s: corrupt gzip data near byte offset %zu", path, in_pos);
    if (got < need) return IL_OK; /* a short head or stream: gunzip will say what is wrong with it */
    il_status st = idx_read_header(out, need, path, " of the decompressed data", &h, err);
    if (st != IL_OK) return st;
    uint64_t declared = (uint64_t)h.header_len + h.payload_len;
    uint64_t limit = declared + declared / 16 + ((uint64_t)1 << 20);
    if (limit < *max_bytes) *max_bytes = (size_t)limit;
    return IL_OK;
}

/* Read an IDX file whole, bounded by what its header declares (idx_judge). */
static il_status idx_read(const char *path, char **bytes, size_t *size, il_error *err) {
    return il__read_file_judged(path, IDX_MAX_FILE_BYTES, IDX_HEAD_BYTES, idx_judge, NULL, bytes, size, err);
}

il_status il__idx_load_pair(il_dataset *out, const char *images_path, const char *labels_path,
                            size_t max_classes, size_t *n_classes, il_error *err) {
    memset(out, 0, sizeof *out);
    char *images = NULL, *labels = NULL;
    size_t images_size = 0, labels_size = 0;
    il_status st = idx_read(images_path, &images, &images_size, err);
    if (st == IL_OK) st = idx_read(labels_path, &labels, &labels_size, err);
    if (st == IL_OK)
        st = il__idx_pair_from_memory(out, (const unsigned char *)images, images_size, images_path,
                                      (const unsigned char *)labels, labels_size, labels_path, max_classes,
                                      n_classes, err);
    free(images);
    free(labels);
    return st;
}
