/* images.c - image folders root/<class name>/<image files>, decoded with stb_image (PNG, JPEG, BMP, GIF,
 * TGA, PSD, HDR, PIC, PNM) as gray or RGB, all at one size or resized with stb_image_resize to a given one.
 *
 * Classes are the subfolders, numbered in strcmp order of their names, and the files of each class are
 * read in strcmp order, so the dataset is the same on every machine. Files without an image extension
 * (a README, Thumbs.db) are skipped; a file with one must decode. No test split here: data.c holds out
 * a fraction of the examples.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <stb_image.h>
#include <stb_image_resize.h>

#include "core/files.h"
#include "core/parse.h"
#include "data/loaders.h"

/* Limits that keep one hostile file from costing more than a real image would: 64 MiB of file (a
 * photograph is a few MiB) and 64 megapixels of declared size. The first IMAGE_HEAD_BYTES of a file are
 * judged before the rest is read. */
#define MAX_IMAGE_FILE_BYTES ((size_t)64 << 20)
#define IMAGE_HEAD_BYTES     ((size_t)64 << 10)
#define MAX_IMAGE_SIDE       16384
#define MAX_IMAGE_PIXELS     ((uint64_t)64 << 20)
/* No format stb_image reads packs more pixel values into one byte of the file (deflate stops near 1032,
 * GIF's LZW near 2730): a file that claims more is made to, and would cost seconds and gigabytes. */
#define MAX_VALUES_PER_BYTE 4096

static const char *const image_extensions[] = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga", ".psd",
                                               ".hdr", ".pic", ".pnm",  ".pgm", ".ppm", NULL};
#define EXTENSION_LIST ".png .jpg .jpeg .bmp .gif .tga .psd .hdr .pic .pnm .pgm .ppm"

/* ---- folders ---------------------------------------------------------------------------------------- */

typedef struct {
    char **names; /* (count) sorted with strcmp */
    size_t count, cap;
} name_list;

static void names_free(name_list *l) {
    for (size_t i = 0; i < l->count; i++)
        free(l->names[i]);
    free(l->names);
    memset(l, 0, sizeof *l);
}

static int names_add(name_list *l, const char *name) {
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        char **grown = realloc(l->names, cap * sizeof *grown);
        if (!grown) return 0;
        l->names = grown;
        l->cap = cap;
    }
    char *copy = il__strdup(name);
    if (!copy) return 0;
    l->names[l->count++] = copy;
    return 1;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *join_path(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p) return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

static int has_image_extension(const char *name) {
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name) return 0;
    for (int i = 0; image_extensions[i]; i++)
        if (strcasecmp(dot, image_extensions[i]) == 0) return 1;
    return 0;
}

/* The subfolders and the image files of dir, each sorted; *others counts the files skipped. Names
 * starting with '.' (hidden files, editor droppings) are not looked at. */
static il_status list_folder(const char *dir, name_list *folders, name_list *images, size_t *others,
                             il_error *err) {
    *others = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return il_fail(
                err, IL_ERR_IO,
                "image folder %s does not exist; expected a folder holding one subfolder of images "
                "per class",
                dir);
        if (errno == ENOTDIR)
            return il_fail(err, IL_ERR_IO,
                           "%s is a file, not a folder; expected a folder holding one subfolder of images "
                           "per class",
                           dir);
        return il_fail(err, IL_ERR_IO, "cannot open image folder %s: %s", dir, strerror(errno));
    }
    il_status st = IL_OK;
    struct dirent *e;
    while (st == IL_OK && (errno = 0, e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *path = join_path(dir, e->d_name);
        struct stat s;
        if (!path) {
            st = il_fail(err, IL_ERR_NOMEM, "out of memory listing %s", dir);
        } else if (stat(path, &s) != 0) {
            /* A dangling link or a file removed while listing: only an error when it looks like an image. */
            if (has_image_extension(e->d_name))
                st = il_fail(err, IL_ERR_IO, "cannot read image %s: %s", path, strerror(errno));
        } else if (S_ISDIR(s.st_mode)) {
            if (folders && !names_add(folders, e->d_name))
                st = il_fail(err, IL_ERR_NOMEM, "out of memory listing %s", dir);
        } else if (S_ISREG(s.st_mode) && has_image_extension(e->d_name)) {
            if (!names_add(images, e->d_name))
                st = il_fail(err, IL_ERR_NOMEM, "out of memory listing %s", dir);
        } else {
            (*others)++;
        }
        free(path);
    }
    if (st == IL_OK && errno != 0)
        st = il_fail(err, IL_ERR_IO, "cannot list image folder %s: %s", dir, strerror(errno));
    closedir(d);
    if (folders && folders->count > 1)
        qsort(folders->names, folders->count, sizeof *folders->names, compare_names);
    if (images->count > 1) qsort(images->names, images->count, sizeof *images->names, compare_names);
    return st;
}

/* ---- one image -------------------------------------------------------------------------------------- */

static uint32_t get_be32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static il_status too_large(const char *path, uint64_t w, uint64_t h, il_error *err) {
    return il_fail(err, IL_ERR_FORMAT,
                   "image %s says it is %llux%llu pixels: too large; initlab reads images of at most %d "
                   "pixels a side and %llu megapixels",
                   path, (unsigned long long)w, (unsigned long long)h, MAX_IMAGE_SIDE,
                   (unsigned long long)(MAX_IMAGE_PIXELS >> 20));
}

/* The declared size of the image in bytes[0..size), checked before anything is decoded: a few header
 * bytes could otherwise ask for gigabytes. stb_image refuses a PNG whose size it finds too large, then
 * tries the other formats and reports "unknown image type"; the PNG header (the signature, then IHDR
 * with the width and height big-endian at bytes 16 and 20) is read here so that such a file is called
 * too large. */
static il_status check_image_info(const unsigned char *bytes, size_t size, const char *path, int *w, int *h,
                                  int *comp, il_error *err) {
    static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    char quoted[IL_QUOTE_SIZE]; /* stb_image's reason may hold the file's bytes (an unknown PNG chunk) */
    if (size == 0)
        return il_fail(err, IL_ERR_FORMAT,
                       "image %s is empty (0 bytes); expected a PNG, JPEG, BMP or GIF image", path);
    int info = stbi_info_from_memory(bytes, size > INT32_MAX ? INT32_MAX : (int)size, w, h, comp);
    if (!info && size >= 24 && memcmp(bytes, png_signature, 8) == 0 && memcmp(bytes + 12, "IHDR", 4) == 0) {
        uint64_t pw = get_be32(bytes + 16), ph = get_be32(bytes + 20);
        if (pw > MAX_IMAGE_SIDE || ph > MAX_IMAGE_SIDE || pw * ph > MAX_IMAGE_PIXELS)
            return too_large(path, pw, ph, err);
    }
    if (!info) {
        const char *why = stbi_failure_reason();
        return il_fail(
            err, IL_ERR_FORMAT,
            "cannot decode image %s (%s); expected a PNG, JPEG, BMP, GIF, TGA, PSD, HDR, PIC or PNM "
            "image",
            path, il__quote(quoted, sizeof quoted, why ? why : "unknown format"));
    }
    if (*w < 1 || *h < 1 || *w > MAX_IMAGE_SIDE || *h > MAX_IMAGE_SIDE ||
        (uint64_t)*w * (uint64_t)*h > MAX_IMAGE_PIXELS)
        return too_large(path, (uint64_t)(*w < 0 ? 0 : *w), (uint64_t)(*h < 0 ? 0 : *h), err);
    return IL_OK;
}

/* The first bytes of an image file: every format stb_image reads states its size in its first bytes,
 * except JPEG, whose size may follow 64 KiB segments of metadata; any other head that does not state a
 * size initlab reads is refused before the rest is read. */
static il_status image_judge(const unsigned char *head, size_t len, const char *path, void *ctx,
                             size_t *max_bytes, il_error *err) {
    (void)ctx;
    (void)max_bytes;
    if (len >= 2 && head[0] == 0xFF && head[1] == 0xD8) return IL_OK;
    int w = 0, h = 0, comp = 0;
    return check_image_info(head, len, path, &w, &h, &comp, err);
}

/* The header of a binary PNM (P5 gray, P6 RGB), read as stb_image reads it: blanks and '#' comments,
 * width, height, largest value, one byte, then the pixels. Returns the channels (1 or 3), or 0 when bytes
 * are no binary PNM; *largest is the largest value (capped at 65536) and *pixels_at where pixels start.
 * stb_image 2.27 has two faults here that initlab keeps away from: a file that ends before its pixels
 * leaves the rest as whatever its buffer held, and a 16-bit file (largest value > 255) asked for in the
 * other color is converted as if it were 8-bit, reading past its buffer. */
static int pnm_header(const unsigned char *p, size_t size, uint64_t *largest, size_t *pixels_at) {
    if (size < 2 || p[0] != 'P' || (p[1] != '5' && p[1] != '6')) return 0;
    size_t i = 2;
    for (int field = 0; field < 3; field++) {
        while (i < size && ((p[i] && strchr(" \t\n\v\f\r", p[i])) || p[i] == '#'))
            if (p[i++] == '#')
                while (i < size && p[i] != '\n' && p[i] != '\r')
                    i++;
        for (*largest = 0; i < size && p[i] >= '0' && p[i] <= '9'; i++)
            *largest = *largest < 65536 ? *largest * 10 + (uint64_t)(p[i] - '0') : *largest;
    }
    *pixels_at = i + 1;
    return p[1] == '6' ? 3 : 1;
}

/* 1 (and *at, *claimed set) if bytes are a PNG with a chunk that says it holds more bytes than the file
 * has left: stb_image would first grow its buffer to the claimed length, up to 2 GiB for a file of a few
 * hundred bytes. Chunks: 4-byte big-endian length, 4-byte type, data, 4-byte CRC; IEND ends the walk. */
static int png_chunk_overruns(const unsigned char *p, size_t size, size_t *at, uint64_t *claimed) {
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (size < 8 || memcmp(p, signature, 8) != 0) return 0;
    for (size_t i = 8; size - i >= 8;) {
        uint64_t len = (uint64_t)p[i] << 24 | (uint64_t)p[i + 1] << 16 | (uint64_t)p[i + 2] << 8 | p[i + 3];
        if (len + 12 > size - i) {
            *at = i;
            *claimed = len;
            return 1;
        }
        if (memcmp(p + i + 4, "IEND", 4) == 0) return 0;
        i += 12 + (size_t)len;
    }
    return 0;
}

/* 1 if bytes hold a TGA whose pixels do not fit in the file. TGA has no signature: stb_image takes a file
 * for one when no other format's signature matches (so the signatures are checked first). Header: ID
 * length (byte 0), color-map type and image type (1, 2), color-map length (5-6, little-endian) and entry
 * bits (7), width (12-13), height (14-15), bits per pixel (16); the pixels follow the ID and the color map.
 * stb_image 2.27 leaves the pixels of a TGA that ends early as whatever its buffer held: refused here when
 * the header itself is cut short, the pixels would start past the end, or, uncompressed (types 1-3), end
 * past it. */
static int tga_truncated(const unsigned char *p, size_t size) {
    static const char *const signatures[] = {
        "\x89PNG", "\xff\xd8", "BM", "GIF8", "8BPS", "#?RADIANCE", "#?RGBE", "\x53\x80\xf6\x34", "P5", "P6"};
    for (size_t i = 0; i < sizeof signatures / sizeof *signatures; i++) {
        size_t n = strlen(signatures[i]);
        if (size >= n && memcmp(p, signatures[i], n) == 0) return 0;
    }
    if (size < 18) return 1; /* not even its header: stb_image still decodes such a file */
    uint64_t id = p[0], map_type = p[1], type = p[2];
    uint64_t map_len = (uint64_t)p[5] | (uint64_t)p[6] << 8, map_bits = p[7];
    uint64_t w = (uint64_t)p[12] | (uint64_t)p[13] << 8, h = (uint64_t)p[14] | (uint64_t)p[15] << 8,
             bits = p[16];
    uint64_t start = 18 + id + (map_type ? map_len * ((map_bits + 7) / 8) : 0);
    if (start > size) return 1;
    if (type >= 1 && type <= 3) return size - start < w * h * ((bits + 7) / 8);
    return 0;
}

/* Decode path as channels-per-pixel bytes (malloc'ed, stbi_image_free it). */
static il_status decode_image(const char *path, int channels, unsigned char **pixels, int *w, int *h,
                              il_error *err) {
    *pixels = NULL;
    char *text = NULL;
    size_t size = 0;
    il_status st = il__read_file_judged(path, MAX_IMAGE_FILE_BYTES, IMAGE_HEAD_BYTES, image_judge, NULL,
                                        &text, &size, err);
    if (st != IL_OK) return st;
    unsigned char *bytes = (unsigned char *)text;
    int comp = 0;
    char quoted[IL_QUOTE_SIZE];
    uint64_t largest = 0;
    size_t pixels_at = 0;
    int pnm = 0; /* channels of a binary PNM, else 0 */
    st = check_image_info(bytes, size, path, w, h, &comp, err);
    if (st != IL_OK) {
        /* refused from its declared size or format */
    } else if ((uint64_t)*w * (uint64_t)*h * (uint64_t)(comp > 0 ? comp : 1) >
               MAX_VALUES_PER_BYTE * (uint64_t)size) {
        st = il_fail(err, IL_ERR_FORMAT,
                     "image %s says it is %dx%d pixels, more than a file of %zu bytes can hold; the file is "
                     "damaged or truncated",
                     path, *w, *h, size);
    } else if (png_chunk_overruns(bytes, size, &pixels_at, &largest)) {
        st = il_fail(
            err, IL_ERR_FORMAT,
            "cannot decode image %s: its PNG chunk at byte %zu says it holds %llu bytes, more than the "
            "file has left; the file is damaged or truncated",
            path, pixels_at, (unsigned long long)largest);
    } else if ((pnm = pnm_header(bytes, size, &largest, &pixels_at)) != 0 &&
               (pixels_at > size ||
                size - pixels_at < (uint64_t)*w * (uint64_t)*h * (uint64_t)pnm * (largest > 255 ? 2 : 1))) {
        st = il_fail(err, IL_ERR_FORMAT,
                     "image %s ends before the %dx%d pixels its PNM header promises; the file is damaged or "
                     "truncated",
                     path, *w, *h);
    } else if (pnm && largest > 255 && pnm != channels) {
        st = il_fail(err, IL_ERR_FORMAT,
                     "image %s is a 16-bit %s PNM (largest value %llu); initlab reads it only as %s: ask for "
                     "color=%s, or save the image with 8 bits per value",
                     path, pnm == 3 ? "RGB" : "gray", (unsigned long long)largest, pnm == 3 ? "rgb" : "gray",
                     pnm == 3 ? "rgb" : "gray");
    } else if (tga_truncated(bytes, size)) {
        st = il_fail(err, IL_ERR_FORMAT,
                     "image %s ends before the %dx%d pixels its TGA header promises; the file is damaged or "
                     "truncated",
                     path, *w, *h);
    } else {
        int dw = 0, dh = 0;
        *pixels = stbi_load_from_memory(bytes, (int)size, &dw, &dh, &comp, channels);
        if (!*pixels) {
            const char *why = stbi_failure_reason();
            st = il_fail(err, IL_ERR_FORMAT, "cannot decode image %s (%s); the file is damaged or truncated",
                         path, il__quote(quoted, sizeof quoted, why ? why : "unknown error"));
        } else if (dw != *w || dh != *h) {
            st = il_fail(err, IL_ERR_FORMAT, "image %s: its header says %dx%d pixels but it decodes to %dx%d",
                         path, *w, *h, dw, dh);
            stbi_image_free(*pixels);
            *pixels = NULL;
        }
    }
    free(bytes);
    return st;
}

/* ---- the loader ------------------------------------------------------------------------------------- */

il_status il__images_load(il_data *out, const char *root, const il__image_options *opt, il_error *err) {
    int c = opt ? opt->channels : 1;
    if (c != 1 && c != 3)
        return il_fail(err, IL_ERR_USAGE,
                       "image folder %s: %d color channels asked; expected 1 (gray) or 3 (rgb)", root, c);
    size_t want_w = opt ? opt->width : 0, want_h = opt ? opt->height : 0;
    int resize = want_w > 0 || want_h > 0;
    if (resize && (want_w < 1 || want_h < 1 || want_w > MAX_IMAGE_SIDE || want_h > MAX_IMAGE_SIDE))
        return il_fail(err, IL_ERR_USAGE,
                       "image folder %s: size %zux%zu asked; expected both width and height, 1 to %d pixels",
                       root, want_w, want_h, MAX_IMAGE_SIDE);

    name_list classes = {0}, loose = {0};
    name_list *files = NULL; /* (K) the images of each class */
    size_t others = 0, n = 0;
    il_status st = list_folder(root, &classes, &loose, &others, err);
    if (st == IL_OK && classes.count == 0) {
        if (loose.count)
            st = il_fail(err, IL_ERR_FORMAT,
                         "image folder %s holds %zu images but no class folders; expected one subfolder per "
                         "class, named for the class, holding its images (root/<class name>/<image files>)",
                         root, loose.count);
        else
            st =
                il_fail(err, IL_ERR_FORMAT,
                        "image folder %s holds no class folders; expected one subfolder per class, named for "
                        "the class, holding its images (root/<class name>/<image files>)",
                        root);
    }
    if (st == IL_OK && classes.count == 1)
        st = il_fail(err, IL_ERR_FORMAT,
                     "image folder %s holds only one class folder (%s); classification needs at least 2",
                     root, classes.names[0]);
    size_t k_classes = classes.count;
    if (st == IL_OK && !(files = calloc(k_classes, sizeof *files)))
        st = il_fail(err, IL_ERR_NOMEM, "out of memory listing %s", root);
    for (size_t k = 0; st == IL_OK && k < k_classes; k++) {
        char *dir = join_path(root, classes.names[k]);
        if (!dir) {
            st = il_fail(err, IL_ERR_NOMEM, "out of memory listing %s", root);
            break;
        }
        st = list_folder(dir, NULL, &files[k], &others, err);
        if (st == IL_OK && files[k].count == 0)
            st = il_fail(
                err, IL_ERR_FORMAT,
                "class folder %s holds no images; expected at least one file ending in " EXTENSION_LIST "%s",
                dir, others ? " (other files are skipped)" : "");
        n += files[k].count;
        free(dir);
    }

    /* Decode in order; the first image fixes the size unless a size was asked. */
    il_dataset ds;
    memset(&ds, 0, sizeof ds);
    size_t w = want_w, h = want_h, d = 0, i = 0;
    char *first_path = NULL;
    int first_w = 0, first_h = 0;
    unsigned char *resized = NULL; /* (H, W, C) */
    for (size_t k = 0; st == IL_OK && k < k_classes; k++) {
        char *dir = join_path(root, classes.names[k]);
        for (size_t f = 0; dir && st == IL_OK && f < files[k].count; f++, i++) {
            char *path = join_path(dir, files[k].names[f]);
            unsigned char *pixels = NULL; /* (h, w, C) as decoded */
            int iw = 0, ih = 0;
            if (!path) {
                st = il_fail(err, IL_ERR_NOMEM, "out of memory reading %s", dir);
                break;
            }
            st = decode_image(path, c, &pixels, &iw, &ih, err);
            if (st == IL_OK && i == 0) {
                if (!resize) {
                    w = (size_t)iw;
                    h = (size_t)ih;
                }
                d = w * h * (size_t)c;
                first_path = path;
                first_w = iw;
                first_h = ih;
                path = NULL; /* kept for messages */
                st = il__data_check_size(n, d, k_classes, root, err);
                if (st == IL_OK) st = il_dataset_alloc(&ds, n, d, k_classes, 1, err);
                if (st == IL_OK && resize && !(resized = malloc(d)))
                    st = il_fail(err, IL_ERR_NOMEM, "out of memory resizing the images of %s", root);
            } else if (st == IL_OK && !resize && ((size_t)iw != w || (size_t)ih != h)) {
                st = il_fail(
                    err, IL_ERR_FORMAT,
                    "image %s is %dx%d pixels but %s, the first image, is %dx%d; all images must have "
                    "one size, or ask for a size to resize them to",
                    path, iw, ih, first_path, first_w, first_h);
            }
            const unsigned char *src = pixels;
            if (st == IL_OK && resize && ((size_t)iw != w || (size_t)ih != h)) {
                if (!stbir_resize_uint8(pixels, iw, ih, 0, resized, (int)w, (int)h, 0, c))
                    st = il_fail(err, IL_ERR_NOMEM, "cannot resize image %s from %dx%d to %zux%zu", path, iw,
                                 ih, w, h);
                src = resized;
            }
            if (st == IL_OK) {
                float *row = ds.x + i * d; /* (H, W, C) flattened */
                for (size_t j = 0; j < d; j++)
                    row[j] = (float)src[j];
                ds.labels[i] = (int32_t)k;
                ds.y[i * k_classes + k] = 1.0f;
            }
            stbi_image_free(pixels);
            free(path);
        }
        if (!dir && st == IL_OK) st = il_fail(err, IL_ERR_NOMEM, "out of memory reading %s", root);
        free(dir);
    }
    free(resized);
    free(first_path);

    if (st == IL_OK) {
        out->train = ds;
        out->task = IL_TASK_CLASSIFICATION;
        out->n_classes = k_classes;
        out->class_names = classes.names; /* sorted folder names, now owned by out */
        classes.names = NULL;
        classes.count = 0;
        out->bayes_error = NAN;
        snprintf(out->description, sizeof out->description,
                 "images from %.150s: %zu images, %zu classes, %zux%zu %s", root, n, k_classes, w, h,
                 c == 3 ? "rgb" : "gray");
    } else {
        il_dataset_free(&ds);
    }
    if (files)
        for (size_t k = 0; k < k_classes; k++)
            names_free(&files[k]);
    free(files);
    names_free(&classes);
    names_free(&loose);
    return st;
}
