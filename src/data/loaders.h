/* loaders.h - internal interface between the dataset dispatcher (data.c) and the file parsers and
 * generators. Every loader fills an il_data's train (and test, where the source has one) and returns
 * a status; on failure the il_data is left for il_data_free and err names file, place and expectation.
 */
#ifndef INITLAB_DATA_LOADERS_H
#define INITLAB_DATA_LOADERS_H

#include "initlab/data.h"

/* IDX (MNIST format) images + labels, plain or gzip (detected by magic bytes 1f 8b, not by name).
 * Images become (N, rows*cols) floats 0..255 (scaling is done later by preparation), labels one-hot.
 * max_classes: labels must be < max_classes (10 for MNIST-like sets). */
il_status il_idx_load_pair(il_dataset *out, const char *images_path, const char *labels_path,
                           size_t max_classes, size_t *n_classes, il_error *err);
/* Parse an IDX file already in memory (used by the loader and the fuzz target). Writes the dimension
 * count, dims (up to 4) and a pointer to the payload; checks sizes and overflow. */
il_status il_idx_parse(const unsigned char *bytes, size_t size, const char *name, unsigned *n_dims,
                       size_t dims[4], const unsigned char **payload, il_error *err);
/* Read a whole file, gunzipping if it starts with the gzip magic, with a size cap. */
il_status il_read_maybe_gz(const char *path, size_t max_bytes, unsigned char **bytes, size_t *size,
                           il_error *err);

/* CSV with a header row. features: column names separated by ';' (NULL or "" = every column but the
 * label); label: the target column. Classification when the label column holds class names or when
 * as_classes is set, else regression. */
typedef struct {
    const char *features;
    const char *label;
    int regression; /* 1 = numeric target, 0 = classes (names or integers) */
} il_csv_options;
il_status il_csv_load(il_data *out, const char *path, const il_csv_options *opt, il_error *err);
/* Same on text in memory (fuzz target). */
il_status il_csv_parse(il_data *out, const char *text, size_t size, const char *name,
                       const il_csv_options *opt, il_error *err);

/* Image folder root/<class>/<files>, read with stb_image; channels 1 (gray) or 3 (RGB); width/height
 * 0 = all images must share the first image's size, else resize to width x height. */
typedef struct {
    int channels;
    size_t width, height;
} il_image_options;
il_status il_images_load(il_data *out, const char *root, const il_image_options *opt, il_error *err);

/* Synthetic sources; train_n/test_n as asked; rng seeded by the caller from the data seed. */
#endif
