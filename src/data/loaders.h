/* loaders.h - internal interface between the dataset dispatcher (data.c) and the file parsers and
 * generators. Every loader fills an il_data's train (and test, where the source has one) and returns
 * a status; on failure the il_data is left for il_data_free and err names file, place and expectation.
 */
#ifndef INITLAB_DATA_LOADERS_H
#define INITLAB_DATA_LOADERS_H

#include "core/files.h"
#include "initlab/data.h"

/* The most a loader reads from one file (after decompression), and the most memory the inputs and
 * targets of one loaded dataset may take: 4 GiB each. */
#define IL_DATA_MAX_FILE_BYTES ((uint64_t)4 << 30)

/* Refuse (IL_ERR_FORMAT, naming the file) a dataset of n examples x (d + t) floats larger than
 * IL_DATA_MAX_FILE_BYTES, before it is allocated. */
il_status il__data_check_size(size_t n, size_t d, size_t t, const char *name, il_error *err);

/* IDX (MNIST format) images + labels, plain or gzip (detected by magic bytes 1f 8b, not by name).
 * Images become (N, rows*cols) floats 0..255 (scaling is done later by preparation), labels one-hot.
 * max_classes: labels must be < max_classes (10 for MNIST-like sets; 0 means 256, any byte).
 * *n_classes = 1 + the largest label present, which is also the one-hot width out->t.
 * The images file needs 2 to 4 dimensions (N, then the pixel grid, flattened), the labels file 1 (N).
 * On failure out is left empty (safe to il_dataset_free) and *n_classes untouched. */
il_status il__idx_load_pair(il_dataset *out, const char *images_path, const char *labels_path,
                            size_t max_classes, size_t *n_classes, il_error *err);
/* The same on two files held in memory, each plain or gzip (used by the loader and the fuzz target);
 * the names are only for the messages. */
il_status il__idx_pair_from_memory(il_dataset *out, const unsigned char *images, size_t images_size,
                                   const char *images_name, const unsigned char *labels, size_t labels_size,
                                   const char *labels_name, size_t max_classes, size_t *n_classes,
                                   il_error *err);
/* Parse an IDX file already in memory (used by the loader and the fuzz target). Writes the dimension
 * count, dims (up to 4) and a pointer to the payload; checks sizes and overflow. */
il_status il__idx_parse(const unsigned char *bytes, size_t size, const char *name, unsigned *n_dims,
                        size_t dims[4], const unsigned char **payload, il_error *err);
/* Read a whole file (il__read_file of core/files.h, which reads every file as it is), gunzipping if it starts
 * with the gzip magic, with a size cap (on the file and on the decompressed bytes). *bytes is malloc'ed and
 * followed by one NUL byte not counted in *size, so text can be used as a C string. On failure *bytes is
 * NULL. */
il_status il__read_maybe_gz(const char *path, size_t max_bytes, unsigned char **bytes, size_t *size,
                            il_error *err);
/* The same with a format's judgement of the file's first head_bytes (il__read_file_judged): the cap
 * then bounds a pipe or device too before it is all read. */
il_status il__read_maybe_gz_judged(const char *path, size_t max_bytes, size_t head_bytes,
                                   il__file_judge judge, void *ctx, unsigned char **bytes, size_t *size,
                                   il_error *err);

/* CSV with a header row. features: column names separated by ';' (NULL or "" = every column but the
 * label); label: the target column. Classification when the label column holds class names or when
 * as_classes is set, else regression. */
typedef struct {
    const char *features;
    const char *label;
    int regression; /* 1 = numeric target, 0 = classes (names or integers) */
} il__csv_options;
/* Fills out->train (no test split), task, n_classes and class_names (classification: sorted names, or
 * "0".."K-1" when the labels are whole numbers >= 0, used as the class indices, K = largest + 1 <= 1000),
 * bayes_error (NAN) and description; y is one-hot over the K classes, or the target (T = 1). Features
 * keep the order the features list gives. The file may be gzip-compressed. On failure out is untouched. */
il_status il__csv_load(il_data *out, const char *path, const il__csv_options *opt, il_error *err);
/* Same on text in memory (fuzz target). */
il_status il__csv_parse(il_data *out, const char *text, size_t size, const char *name,
                        const il__csv_options *opt, il_error *err);

/* Image folder root/<class>/<files>, read with stb_image; channels 1 (gray) or 3 (RGB); width/height
 * 0 = all images must share the first image's size, else resize to width x height.
 * Classes are the subfolders in strcmp order of their names (out->class_names), files are read in
 * strcmp order within each class; files without an image extension (.png .jpg .jpeg .bmp .gif .tga
 * .psd .hdr .pic .pnm .pgm .ppm) and names starting with '.' are skipped. x is (N, H*W*C) floats 0..255,
 * channels interleaved per pixel, rows top to bottom; y one-hot over the K classes. Fills out->train,
 * task, n_classes, class_names, bayes_error (NAN) and description; no test split. On failure out is
 * untouched. */
typedef struct {
    int channels;
    size_t width, height;
} il__image_options;
il_status il__images_load(il_data *out, const char *root, const il__image_options *opt, il_error *err);

/* Synthetic sources; train_n/test_n as asked; rng seeded by the caller from the data seed. */
#endif
