/* data.c - the dataset dispatcher: parses a spec "NAME[:key=value,...]" (or a path), checks every option
 * against what the source accepts, calls the generator or file loader, then splits, caps and scales the
 * inputs (prepare.c) and writes a one-line description. Also the list of sources for `initlab list`.
 * It does not parse files itself (loaders.h) nor draw numbers itself (synthetic.h).
 */
#include "initlab/data.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/files.h"
#include "core/parse.h"
#include "data/loaders.h"
#include "data/prepare.h"
#include "data/synthetic.h"
#include "initlab/rng.h"

/* ---- the sources ------------------------------------------------------------------------------------ */

enum {
    SRC_ESL_SIGMOIDS,
    SRC_ESL_RADIAL,
    SRC_XOR,
    SRC_CIRCLES,
    SRC_SPIRALS,
    SRC_MOONS,
    SRC_FASHION_MNIST,
    SRC_MNIST,
    SRC_IDX,
    SRC_IMAGES,
    SRC_CSV,
    SRC_COUNT
};

static const char *const source_names[SRC_COUNT + 1] = {
    [SRC_ESL_SIGMOIDS] = "esl-sigmoids",
    [SRC_ESL_RADIAL] = "esl-radial",
    [SRC_XOR] = "xor",
    [SRC_CIRCLES] = "circles",
    [SRC_SPIRALS] = "spirals",
    [SRC_MOONS] = "moons",
    [SRC_FASHION_MNIST] = "fashion-mnist",
    [SRC_MNIST] = "mnist",
    [SRC_IDX] = "idx",
    [SRC_IMAGES] = "images",
    [SRC_CSV] = "csv",
    [SRC_COUNT] = NULL,
};

static const char *const source_descriptions[SRC_COUNT + 1] = {
    [SRC_ESL_SIGMOIDS] =
        "ESL 11.6 regression Y = sigmoid(a1'X) + sigmoid(a2'X) + noise, X in R^2, signal/noise "
        "variance 4 (train=100, test=10000, snr=4)",
    [SRC_ESL_RADIAL] = "ESL 11.6 regression Y = product of 10 normal densities phi(X_m) + noise, X in R^10 "
                       "(train=100, test=10000, snr=4)",
    [SRC_XOR] =
        "XOR: the 4-point truth table, or with n= Gaussian blobs around the 4 corners (n, test, noise)",
    [SRC_CIRCLES] = "two concentric circles, inner radius = factor (n, test, noise, factor)",
    [SRC_SPIRALS] = "two interleaved spirals (n, test, noise, turns)",
    [SRC_MOONS] = "two interleaving half circles (n, test, noise)",
    [SRC_FASHION_MNIST] = "Fashion-MNIST 28x28 clothing images, 10 classes, 60000 train / 10000 test (dir)",
    [SRC_MNIST] = "MNIST digits from a folder with the standard IDX file names, plain or .gz (dir)",
    [SRC_IDX] = "any IDX image/label file pair, plain or .gz (images, labels, test-images, test-labels)",
    [SRC_IMAGES] = "a folder of images, one subfolder per class (dir, size=WxH, color=gray|rgb)",
    [SRC_CSV] = "a CSV file with a header row (file, label, features=a;b;c, task, test-file, "
                "targets=binary|one-hot)",
    [SRC_COUNT] = NULL,
};

/* The options each source accepts, in the order the messages list them. */
static const char *const esl_keys[] = {"train", "test", "snr", NULL};
static const char *const xor_keys[] = {"n", "test", "noise", NULL};
static const char *const circles_keys[] = {"n", "test", "noise", "factor", NULL};
static const char *const spirals_keys[] = {"n", "test", "noise", "turns", NULL};
static const char *const moons_keys[] = {"n", "test", "noise", NULL};
static const char *const dir_keys[] = {"dir", NULL};
static const char *const idx_keys[] = {"images", "labels", "test-images", "test-labels", NULL};
static const char *const images_keys[] = {"dir", "size", "color", NULL};
static const char *const csv_keys[] = {"file", "label", "features", "task", "test-file", "targets", NULL};

static const char *const *const source_keys[SRC_COUNT] = {
    [SRC_ESL_SIGMOIDS] = esl_keys,  [SRC_ESL_RADIAL] = esl_keys,  [SRC_XOR] = xor_keys,
    [SRC_CIRCLES] = circles_keys,   [SRC_SPIRALS] = spirals_keys, [SRC_MOONS] = moons_keys,
    [SRC_FASHION_MNIST] = dir_keys, [SRC_MNIST] = dir_keys,       [SRC_IDX] = idx_keys,
    [SRC_IMAGES] = images_keys,     [SRC_CSV] = csv_keys,
};

/* Image sources: their inputs are pixels 0..255, which IL_SCALE_AUTO and IL_SCALE_UNIT divide by 255. */
static int source_has_pixels(int source) {
    return source == SRC_FASHION_MNIST || source == SRC_MNIST || source == SRC_IDX || source == SRC_IMAGES;
}

const char *const *il_data_source_names(void) {
    return source_names;
}

const char *const *il_data_source_descriptions(void) {
    return source_descriptions;
}

void il_data_options_default(il_data_options *opt) {
    memset(opt, 0, sizeof *opt);
    opt->seed = 1;
    opt->scale = IL_SCALE_AUTO;
    opt->test_fraction = 0.2;
    opt->max_train = 0;
    opt->max_test = 0;
}

/* Where fashion-mnist looks without dir=; the build sets it to where the dataset package installs it. */
#ifndef INITLAB_FASHION_MNIST_DIR
#define INITLAB_FASHION_MNIST_DIR "fashion-mnist"
#endif

/* Largest set a generator will make (train or test): 10 million examples (400 MB for esl-radial). */
#define MAX_GENERATED ((size_t)10000000)
#define MAX_OPTIONS   16

/* ---- small helpers ---------------------------------------------------------------------------------- */

/* Append printf-style text to buf (size bytes, NUL-terminated), silently truncating. */
static void appendf(char *buf, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void appendf(char *buf, size_t size, const char *fmt, ...) {
    size_t used = strlen(buf);
    if (used + 1 >= size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

/* "a, b, c" from a NULL-terminated list, into buf. */
static void join_list(char *buf, size_t size, const char *const *items) {
    buf[0] = '\0';
    for (size_t i = 0; items[i]; i++)
        appendf(buf, size, "%s%s", i ? ", " : "", items[i]);
}

static char *trim(char *s) {
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* ---- the spec --------------------------------------------------------------------------------------- */

typedef struct {
    const char *key;
    const char *value;
} spec_option;

typedef struct {
    char *text; /* owned copy of the spec, cut in place into name, keys and values */
    int source; /* SRC_* */
    size_t n_options;
    spec_option option[MAX_OPTIONS + 1]; /* + 1 for the dir/file a path spec implies */
} parsed_spec;

static const char *spec_get(const parsed_spec *spec, const char *key) {
    for (size_t i = 0; i < spec->n_options; i++)
        if (strcmp(spec->option[i].key, key) == 0) return spec->option[i].value;
    return NULL;
}

static il_status unknown_source(const char *name, il_error *err) {
    char list[512];
    join_list(list, sizeof list, source_names);
    return il_fail(err, IL_ERR_USAGE,
                   "unknown data source '%s'; known sources: %s (or give the path of a CSV file or of a "
                   "folder, e.g. ./my-data.csv)",
                   name, list);
}

/* A name that is not a source but names a file or folder: a folder with the standard MNIST file names
 * is read as "mnist", any other folder as "images", a file as "csv". */
static int path_source(const char *path, const char **implied_key) {
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    if (S_ISDIR(st.st_mode)) {
        *implied_key = "dir";
        char probe[4096];
        static const char *const idx_names[] = {"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"};
        for (size_t i = 0; i < 2; i++) {
            if (il__path_join(probe, sizeof probe, path, idx_names[i], NULL) == IL_OK &&
                stat(probe, &st) == 0 && S_ISREG(st.st_mode))
                return SRC_MNIST;
        }
        return SRC_IMAGES;
    }
    if (S_ISREG(st.st_mode)) {
        *implied_key = "file";
        return SRC_CSV;
    }
    return -1;
}

/* Cut "NAME[:key=value,key=value...]" into spec; every key must be one the source accepts, given once
 * and with a value. */
static il_status parse_spec(parsed_spec *spec, const char *text, il_error *err) {
    memset(spec, 0, sizeof *spec);
    if (!text) return il_fail(err, IL_ERR_USAGE, "no data source given");
    spec->text = il__strdup(text);
    if (!spec->text) return il_fail(err, IL_ERR_NOMEM, "out of memory reading the data spec");
    char *colon = strchr(spec->text, ':');
    char *rest = NULL;
    if (colon) {
        *colon = '\0';
        rest = colon + 1;
    }
    char *name = trim(spec->text);
    if (!*name) {
        char list[512];
        join_list(list, sizeof list, source_names);
        return il_fail(err, IL_ERR_USAGE,
                       "empty data spec '%s': expected NAME[:key=value,...] with NAME one of %s", text, list);
    }
    spec->source = -1;
    for (int s = 0; s < SRC_COUNT; s++)
        if (strcasecmp(name, source_names[s]) == 0) spec->source = s;
    const char *implied_key = NULL;
    if (spec->source < 0 && (strchr(name, '/') || strchr(name, '.'))) {
        errno = 0;
        spec->source = path_source(name, &implied_key);
        if (spec->source < 0)
            return il_fail(err, IL_ERR_IO,
                           "data '%s' is neither a known source nor an existing file or folder (%s)", name,
                           errno ? strerror(errno) : "not a regular file or folder");
    }
    if (spec->source < 0) return unknown_source(name, err);
    const char *source = source_names[spec->source];
    const char *const *keys = source_keys[spec->source];

    for (char *item = rest; item && *item;) {
        char *comma = strchr(item, ',');
        if (comma) *comma = '\0';
        char *eq = strchr(item, '=');
        char *key = trim(item);
        if (!eq) {
            /* An empty item (a trailing or doubled comma) is harmless; a bare word is not. */
            if (*key)
                return il_fail(err, IL_ERR_USAGE,
                               "data source '%s': option '%s' has no value (expected key=value)", source,
                               key);
        } else {
            *eq = '\0';
            key = trim(item);
            char *value = trim(eq + 1);
            const char *canonical = NULL; /* the key as the source spells it */
            for (size_t k = 0; keys[k]; k++)
                if (strcasecmp(key, keys[k]) == 0) canonical = keys[k];
            if (!canonical) {
                char list[256];
                join_list(list, sizeof list, keys);
                return il_fail(err, IL_ERR_USAGE, "data source '%s' has no option '%s'; valid options: %s",
                               source, key, list);
            }
            if (!*value)
                return il_fail(err, IL_ERR_USAGE, "data source '%s': option '%s' has an empty value", source,
                               canonical);
            if (spec_get(spec, canonical))
                return il_fail(err, IL_ERR_USAGE, "data source '%s': option '%s' is given twice", source,
                               canonical);
            if (spec->n_options == MAX_OPTIONS)
                return il_fail(err, IL_ERR_USAGE, "data source '%s': more than %d options", source,
                               MAX_OPTIONS);
            spec->option[spec->n_options].key = canonical;
            spec->option[spec->n_options].value = value;
            spec->n_options++;
        }
        item = comma ? comma + 1 : NULL;
    }
    if (implied_key) {
        if (spec_get(spec, implied_key))
            return il_fail(err, IL_ERR_USAGE, "data '%s' is already a path; drop the option %s=", name,
                           implied_key);
        spec->option[spec->n_options].key = implied_key;
        spec->option[spec->n_options].value = name;
        spec->n_options++;
    }
    return IL_OK;
}

/* Where a message about option key of the spec is: "data source 'circles': option 'noise'". */
static const char *option_place(char *buf, size_t size, const parsed_spec *spec, const char *key,
                                const char *meaning) {
    snprintf(buf, size, "data source '%s': option '%s'%s%s", source_names[spec->source], key,
             meaning ? " " : "", meaning ? meaning : "");
    return buf;
}

/* A whole number option in [lo, hi], or dflt when absent (the one strict parser, core/parse.h). */
static il_status option_size(const parsed_spec *spec, const char *key, size_t dflt, size_t lo, size_t hi,
                             size_t *out, il_error *err) {
    const char *value = spec_get(spec, key);
    *out = dflt;
    if (!value) return IL_OK;
    char where[160];
    return il__parse_size(value, IL_WHOLE(lo, hi), option_place(where, sizeof where, spec, key, NULL), out,
                          err);
}

/* A real-valued option in range, or dflt when absent; meaning (may be NULL) says what it is. */
static il_status option_real(const parsed_spec *spec, const char *key, double dflt, il_range range,
                             const char *meaning, double *out, il_error *err) {
    const char *value = spec_get(spec, key);
    *out = dflt;
    if (!value) return IL_OK;
    char where[160];
    return il__parse_real(value, range, option_place(where, sizeof where, spec, key, meaning), out, err);
}

static il_status bad_range(const parsed_spec *spec, const char *key, const char *expected, il_error *err) {
    return il_fail(err, IL_ERR_USAGE, "data source '%s': option '%s' must be %s, got '%s'",
                   source_names[spec->source], key, expected, spec_get(spec, key));
}

static il_status set_class_names(il_data *data, const char *const *names, size_t k, il_error *err) {
    data->class_names = calloc(k, sizeof *data->class_names);
    if (!data->class_names) return il_fail(err, IL_ERR_NOMEM, "out of memory for class names");
    for (size_t i = 0; i < k; i++) {
        data->class_names[i] = il__strdup(names[i]);
        if (!data->class_names[i]) return il_fail(err, IL_ERR_NOMEM, "out of memory for class names");
    }
    return IL_OK;
}

/* "0", "1", ... "k-1" */
static il_status set_number_class_names(il_data *data, size_t k, il_error *err) {
    data->class_names = calloc(k, sizeof *data->class_names);
    if (!data->class_names) return il_fail(err, IL_ERR_NOMEM, "out of memory for class names");
    for (size_t i = 0; i < k; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%zu", i);
        data->class_names[i] = il__strdup(buf);
        if (!data->class_names[i]) return il_fail(err, IL_ERR_NOMEM, "out of memory for class names");
    }
    return IL_OK;
}

/* Two independent generator streams from the data seed, one for the training set and one for the test
 * set, so that asking for more training examples never changes the test set (and vice versa). */
static void seed_generators(il_rng *train_rng, il_rng *test_rng, uint64_t seed) {
    il_rng root;
    il_rng_seed(&root, seed, IL_STREAM_GEN);
    uint64_t train_seed = il_rng_next(&root);
    uint64_t test_seed = il_rng_next(&root);
    il_rng_seed(train_rng, train_seed, IL_STREAM_GEN);
    il_rng_seed(test_rng, test_seed, IL_STREAM_GEN);
}

/* ---- synthetic sources ------------------------------------------------------------------------------ */

static il_status load_esl(il_data *out, const parsed_spec *spec, const il_data_options *opt, il_error *err) {
    il_esl_model model = spec->source == SRC_ESL_RADIAL ? IL_ESL_RADIAL : IL_ESL_SIGMOIDS;
    size_t n_train, n_test;
    double snr;
    il_status st = option_size(spec, "train", 100, 1, MAX_GENERATED, &n_train, err);
    if (st == IL_OK) st = option_size(spec, "test", 10000, 1, MAX_GENERATED, &n_test, err);
    if (st == IL_OK)
        st = option_real(spec, "snr", 4.0, IL_RANGE_OPEN_LOW(0.0, INFINITY),
                         "(signal variance / noise variance)", &snr, err);
    if (st != IL_OK) return st;

    /* Var(ε) = Var f(X) / SNR: the Bayes error, the smallest expected squared error on new data. */
    double noise_variance = il__esl_signal_variance(model) / snr;
    il_rng train_rng, test_rng;
    seed_generators(&train_rng, &test_rng, opt->seed);
    st = il__esl_generate(&out->train, model, n_train, noise_variance, &train_rng, err);
    if (st == IL_OK) st = il__esl_generate(&out->test, model, n_test, noise_variance, &test_rng, err);
    if (st != IL_OK) return st;
    out->task = IL_TASK_REGRESSION;
    out->n_classes = 0;
    out->bayes_error = noise_variance;
    snprintf(out->description, sizeof out->description, "ESL 11.6 %s (p = %zu, SNR %g)",
             model == IL_ESL_RADIAL ? "radial function" : "sum of sigmoids", il__esl_inputs(model), snr);
    return IL_OK;
}

static il_status load_toy(il_data *out, const parsed_spec *spec, const il_data_options *opt, il_error *err) {
    static const char *const xor_names[] = {"0", "1"};
    static const char *const circle_names[] = {"outer", "inner"};
    static const char *const spiral_names[] = {"spiral 1", "spiral 2"};
    static const char *const moon_names[] = {"upper", "lower"};
    il_toy_options toy = {.shape = IL_TOY_XOR, .noise = 0.2, .factor = 0.5, .turns = 1.5};
    const char *const *names = xor_names;
    switch (spec->source) {
    case SRC_CIRCLES:
        toy.shape = IL_TOY_CIRCLES;
        toy.noise = 0.1;
        names = circle_names;
        break;
    case SRC_SPIRALS:
        toy.shape = IL_TOY_SPIRALS;
        toy.noise = 0.05;
        names = spiral_names;
        break;
    case SRC_MOONS:
        toy.shape = IL_TOY_MOONS;
        toy.noise = 0.1;
        names = moon_names;
        break;
    default: break;
    }
    out->task = IL_TASK_CLASSIFICATION;
    out->n_classes = 2;
    il_status st = set_class_names(out, names, 2, err);
    if (st != IL_OK) return st;

    if (spec->source == SRC_XOR && spec->n_options == 0) {
        /* The truth table itself: 4 points, and the same 4 as the test set (there is nothing else to
         * test on; the question is whether the net can represent XOR at all). */
        st = il__xor_truth_table(&out->train, err);
        if (st == IL_OK) st = il__xor_truth_table(&out->test, err);
        snprintf(out->description, sizeof out->description, "XOR truth table (test set = the same 4 points)");
        return st;
    }

    size_t min_n = toy.shape == IL_TOY_XOR ? 4 : 2, n, n_test;
    st = option_size(spec, "n", 400, min_n, MAX_GENERATED, &n, err);
    if (st == IL_OK) st = option_size(spec, "test", n, min_n, MAX_GENERATED, &n_test, err);
    if (st == IL_OK)
        st = option_real(spec, "noise", toy.noise, IL_RANGE_CLOSED(0.0, INFINITY),
                         "(sd of the Gaussian noise)", &toy.noise, err);
    if (st == IL_OK && toy.shape == IL_TOY_CIRCLES)
        st = option_real(spec, "factor", toy.factor, IL_RANGE_OPEN(0.0, 1.0), "(inner radius / outer radius)",
                         &toy.factor, err);
    if (st == IL_OK && toy.shape == IL_TOY_SPIRALS)
        st = option_real(spec, "turns", toy.turns, IL_RANGE_OPEN_LOW(0.0, INFINITY), NULL, &toy.turns, err);
    if (st != IL_OK) return st;

    il_rng train_rng, test_rng;
    seed_generators(&train_rng, &test_rng, opt->seed);
    st = il__toy_generate(&out->train, &toy, n, &train_rng, err);
    if (st == IL_OK) st = il__toy_generate(&out->test, &toy, n_test, &test_rng, err);
    if (st != IL_OK) return st;
    switch (toy.shape) {
    case IL_TOY_XOR:
        snprintf(out->description, sizeof out->description, "XOR blobs (noise %g)", toy.noise);
        break;
    case IL_TOY_CIRCLES:
        snprintf(out->description, sizeof out->description, "circles (factor %g, noise %g)", toy.factor,
                 toy.noise);
        break;
    case IL_TOY_SPIRALS:
        snprintf(out->description, sizeof out->description, "spirals (turns %g, noise %g)", toy.turns,
                 toy.noise);
        break;
    case IL_TOY_MOONS:
        snprintf(out->description, sizeof out->description, "moons (noise %g)", toy.noise);
        break;
    }
    return IL_OK;
}

/* ---- file sources ----------------------------------------------------------------------------------- */

/* Rebuild ds's targets from its labels with t columns: one-hot over t classes, or the label itself as
 * 0.0/1.0 when t = 1 (binary). Used when the training and test files of a source disagree on the number
 * or order of classes. */
static il_status targets_from_labels(il_dataset *ds, size_t t, il_error *err) {
    il_dataset re;
    memset(&re, 0, sizeof re);
    il_status st = il_dataset_alloc(&re, ds->n, ds->d, t, 1, err);
    if (st != IL_OK) return st;
    memcpy(re.x, ds->x, ds->n * ds->d * sizeof *ds->x);
    memcpy(re.labels, ds->labels, ds->n * sizeof *ds->labels);
    memset(re.y, 0, ds->n * t * sizeof *re.y);
    for (size_t i = 0; i < ds->n; i++) {
        if (t == 1)
            re.y[i] = (float)re.labels[i];
        else
            re.y[i * t + (size_t)re.labels[i]] = 1.0f;
    }
    il_dataset_free(ds);
    *ds = re;
    return IL_OK;
}

/* dir/base or dir/base.gz, whichever exists (plain first). */
static int find_idx_file(char *path, size_t size, const char *dir, const char *base) {
    struct stat st;
    char packed[256];
    snprintf(packed, sizeof packed, "%s.gz", base);
    if (il__path_join(path, size, dir, base, NULL) == IL_OK && stat(path, &st) == 0 && S_ISREG(st.st_mode))
        return 1;
    return il__path_join(path, size, dir, packed, NULL) == IL_OK && stat(path, &st) == 0 &&
           S_ISREG(st.st_mode);
}

/* Load an IDX training pair and, when test_images is given, a test pair; the classes of both are made
 * to agree (max_classes bounds the labels). */
static il_status load_idx_pairs(il_data *out, const char *images, const char *labels, const char *test_images,
                                const char *test_labels, size_t max_classes, il_error *err) {
    size_t k_train = 0, k_test = 0;
    il_status st = il__idx_load_pair(&out->train, images, labels, max_classes, &k_train, err);
    if (st != IL_OK) return st;
    if (test_images) {
        st = il__idx_load_pair(&out->test, test_images, test_labels, max_classes, &k_test, err);
        if (st != IL_OK) return st;
        if (out->test.d != out->train.d)
            return il_fail(err, IL_ERR_FORMAT,
                           "%s: test images have %zu pixels each, the training images (%s) %zu", test_images,
                           out->test.d, images, out->train.d);
    }
    size_t k = k_train > k_test ? k_train : k_test;
    if (k < 2)
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: every label is the same class; classification needs at least 2", labels);
    if (!out->train.labels || (out->test.n && !out->test.labels))
        return il_fail(err, IL_ERR_FORMAT, "%s: the loader kept no labels", labels);
    /* Make both splits one-hot over the same k classes (a test file may lack the highest class). */
    if (out->train.t != k && (st = targets_from_labels(&out->train, k, err)) != IL_OK) return st;
    if (out->test.n && out->test.t != k && (st = targets_from_labels(&out->test, k, err)) != IL_OK) return st;
    out->task = IL_TASK_CLASSIFICATION;
    out->n_classes = k;
    return IL_OK;
}

static il_status load_mnist_like(il_data *out, const parsed_spec *spec, il_error *err) {
    static const char *const bases[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    static const char *const fashion_names[10] = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                                  "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                                  "Bag",         "Ankle boot"};
    int fashion = spec->source == SRC_FASHION_MNIST;
    const char *dir = spec_get(spec, "dir");
    if (!dir && fashion) {
        dir = INITLAB_FASHION_MNIST_DIR;
    }
    if (!dir)
        return il_fail(
            err, IL_ERR_USAGE,
            "data source 'mnist' needs the folder of the IDX files: mnist:dir=PATH (with %s(.gz), %s(.gz), "
            "%s(.gz), %s(.gz))",
            bases[0], bases[1], bases[2], bases[3]);
    char path[4][4096];
    for (int f = 0; f < 4; f++) {
        if (find_idx_file(path[f], sizeof path[f], dir, bases[f])) continue;
        if (fashion && !spec_get(spec, "dir"))
            return il_fail(
                err, IL_ERR_IO,
                "Fashion-MNIST not found: no %s or %s.gz in %s; install the dataset-fashion-mnist "
                "package, or give the folder holding the four IDX files with fashion-mnist:dir=PATH",
                bases[f], bases[f], dir);
        return il_fail(err, IL_ERR_IO,
                       "%s: no %s or %s.gz in this folder (%s:dir= needs the four standard "
                       "IDX files, plain or gzipped)",
                       dir, bases[f], bases[f], source_names[spec->source]);
    }
    il_status st = load_idx_pairs(out, path[0], path[1], path[2], path[3], 10, err);
    if (st != IL_OK) return st;
    /* Both sets have 10 classes even if a (cut-down) file lacks the last ones. */
    if (out->n_classes < 10) {
        if ((st = targets_from_labels(&out->train, 10, err)) != IL_OK) return st;
        if ((st = targets_from_labels(&out->test, 10, err)) != IL_OK) return st;
        out->n_classes = 10;
    }
    st = fashion ? set_class_names(out, fashion_names, 10, err) : set_number_class_names(out, 10, err);
    if (st != IL_OK) return st;
    snprintf(out->description, sizeof out->description, "%s", fashion ? "Fashion-MNIST" : "MNIST");
    return IL_OK;
}

static il_status load_idx(il_data *out, const parsed_spec *spec, il_error *err) {
    const char *images = spec_get(spec, "images"), *labels = spec_get(spec, "labels");
    const char *test_images = spec_get(spec, "test-images"), *test_labels = spec_get(spec, "test-labels");
    if (!images || !labels)
        return il_fail(err, IL_ERR_USAGE,
                       "data source 'idx' needs images=FILE and labels=FILE (IDX, plain or .gz)%s",
                       images ? "; labels= is missing" : "; images= is missing");
    if (!test_images != !test_labels)
        return il_fail(
            err, IL_ERR_USAGE,
            "data source 'idx': give both test-images= and test-labels=, or neither (then a fraction "
            "of the training set is held out)");
    /* Labels of a generic IDX label file are bytes, so up to 256 classes. */
    il_status st = load_idx_pairs(out, images, labels, test_images, test_labels, 256, err);
    if (st != IL_OK) return st;
    st = set_number_class_names(out, out->n_classes, err);
    if (st != IL_OK) return st;
    snprintf(out->description, sizeof out->description, "IDX files");
    return IL_OK;
}

static il_status load_image_folder(il_data *out, const parsed_spec *spec, il_error *err) {
    const char *dir = spec_get(spec, "dir");
    if (!dir)
        return il_fail(err, IL_ERR_USAGE, "data source 'images' needs dir=FOLDER (one subfolder per class)");
    il__image_options io = {.channels = 1, .width = 0, .height = 0};
    const char *color = spec_get(spec, "color");
    if (color) {
        if (strcasecmp(color, "gray") == 0 || strcasecmp(color, "grey") == 0)
            io.channels = 1;
        else if (strcasecmp(color, "rgb") == 0)
            io.channels = 3;
        else
            return bad_range(spec, "color", "gray or rgb", err);
    }
    const char *size = spec_get(spec, "size");
    if (size) {
        /* WIDTHxHEIGHT: two whole numbers of the one grammar (core/parse.h) around an 'x'. */
        const char *x = strpbrk(size, "xX");
        uint64_t w = 0, h = 0;
        char *width = x ? il__strndup(size, (size_t)(x - size)) : NULL;
        int ok = width && il__scan_whole(width, &w) == 1 && il__scan_whole(x + 1, &h) == 1;
        free(width);
        if (!ok || w < 1 || h < 1 || w > 4096 || h > 4096)
            return bad_range(spec, "size", "WIDTHxHEIGHT in pixels, each 1 to 4096, e.g. 28x28", err);
        io.width = w;
        io.height = h;
    }
    il_status st = il__images_load(out, dir, &io, err);
    if (st != IL_OK) return st;
    snprintf(out->description, sizeof out->description, "image folder (%s)",
             io.channels == 3 ? "rgb" : "gray");
    return IL_OK;
}

/* Give test the class numbering of train: a CSV test file numbers its classes on its own, so a name is
 * looked up in the training classes and the targets rebuilt. */
static il_status align_test_classes(il_data *out, il_data *test_data, const char *train_file,
                                    const char *test_file, il_error *err) {
    il_dataset *test = &test_data->train;
    if (!out->class_names || !test_data->class_names) {
        if (test_data->n_classes > out->n_classes)
            return il_fail(err, IL_ERR_FORMAT, "%s: has %zu classes, the training file %s only %zu",
                           test_file, test_data->n_classes, train_file, out->n_classes);
        return test->t == out->train.t ? IL_OK : targets_from_labels(test, out->train.t, err);
    }
    if (test_data->n_classes > SIZE_MAX / sizeof(int32_t))
        return il_fail(err, IL_ERR_NOMEM, "%s: too many classes", test_file);
    int32_t *map = malloc((test_data->n_classes ? test_data->n_classes : 1) * sizeof *map); /* (K_test) */
    if (!map) return il_fail(err, IL_ERR_NOMEM, "out of memory for class names");
    for (size_t k = 0; k < test_data->n_classes; k++) {
        map[k] = -1;
        for (size_t j = 0; j < out->n_classes; j++)
            if (strcmp(test_data->class_names[k], out->class_names[j]) == 0) map[k] = (int32_t)j;
        if (map[k] < 0) {
            il_status st =
                il_fail(err, IL_ERR_FORMAT, "%s: class '%s' does not occur in the training file %s",
                        test_file, test_data->class_names[k], train_file);
            free(map);
            return st;
        }
    }
    for (size_t i = 0; i < test->n; i++) {
        int32_t l = test->labels[i];
        if (l < 0 || (size_t)l >= test_data->n_classes) {
            free(map);
            return il_fail(err, IL_ERR_FORMAT, "%s: row %zu has an invalid class index %d", test_file, i + 1,
                           (int)l);
        }
        test->labels[i] = map[l];
    }
    free(map);
    return targets_from_labels(test, out->train.t, err);
}

static il_status load_csv_source(il_data *out, const parsed_spec *spec, il_error *err) {
    const char *file = spec_get(spec, "file"), *label = spec_get(spec, "label");
    if (!file)
        return il_fail(err, IL_ERR_USAGE, "data source 'csv' needs file=PATH (a CSV file with a header row)");
    if (!label)
        return il_fail(err, IL_ERR_USAGE,
                       "data source 'csv' needs label=COLUMN, the name of the target column of %s", file);
    il__csv_options co = {.features = spec_get(spec, "features"), .label = label, .regression = 0};
    const char *task = spec_get(spec, "task");
    if (task) {
        if (strcasecmp(task, "regression") == 0)
            co.regression = 1;
        else if (strcasecmp(task, "classification") != 0)
            return bad_range(spec, "task", "classification or regression", err);
    }
    /* Two classes give one 0/1 target (class 1 = the second class) for a sigmoid output, as the
     * built-in two-class sets do; targets=one-hot keeps a column per class (for softmax). */
    const char *targets = spec_get(spec, "targets");
    int one_hot = 0;
    if (targets) {
        if (co.regression)
            return il_fail(err, IL_ERR_USAGE,
                           "data source 'csv': targets=%s applies to classes, not to task=regression",
                           targets);
        if (strcasecmp(targets, "one-hot") == 0)
            one_hot = 1;
        else if (strcasecmp(targets, "binary") != 0)
            return bad_range(spec, "targets", "binary (one 0/1 target, two classes) or one-hot", err);
    }
    il_status st = il__csv_load(out, file, &co, err);
    if (st != IL_OK) return st;
    out->task = co.regression ? IL_TASK_REGRESSION : IL_TASK_CLASSIFICATION;
    if (!co.regression && targets && !one_hot && out->n_classes != 2)
        return il_fail(err, IL_ERR_USAGE,
                       "%s: targets=binary needs exactly two classes; label column '%s' holds %zu (use "
                       "targets=one-hot)",
                       file, label, out->n_classes);
    if (!co.regression && !one_hot && out->n_classes == 2 &&
        (st = targets_from_labels(&out->train, 1, err)) != IL_OK)
        return st;
    const char *test_file = spec_get(spec, "test-file");
    if (test_file) {
        il_data test_data;
        memset(&test_data, 0, sizeof test_data);
        st = il__csv_load(&test_data, test_file, &co, err);
        if (st == IL_OK && test_data.train.d != out->train.d)
            st = il_fail(err, IL_ERR_FORMAT, "%s: has %zu feature columns, the training file %s has %zu",
                         test_file, test_data.train.d, file, out->train.d);
        if (st == IL_OK && !co.regression) st = align_test_classes(out, &test_data, file, test_file, err);
        if (st == IL_OK && test_data.train.t != out->train.t)
            st = il_fail(err, IL_ERR_FORMAT, "%s: has %zu targets per row, the training file %s has %zu",
                         test_file, test_data.train.t, file, out->train.t);
        if (st == IL_OK) {
            il_dataset_free(&out->test);
            out->test = test_data.train;
            memset(&test_data.train, 0, sizeof test_data.train);
        }
        il_data_free(&test_data);
        if (st != IL_OK) return st;
    }
    snprintf(out->description, sizeof out->description, "CSV (%s)",
             co.regression ? "regression" : "classification");
    return IL_OK;
}

/* ---- the dispatcher --------------------------------------------------------------------------------- */

static il_status check_options(const il_data_options *opt, il_error *err) {
    if (!(opt->test_fraction > 0.0 && opt->test_fraction < 1.0))
        return il_fail(err, IL_ERR_USAGE, "test fraction must be between 0 and 1 (exclusive), got %g",
                       opt->test_fraction);
    if ((unsigned)opt->scale > IL_SCALE_AUTO)
        return il_fail(err, IL_ERR_USAGE, "unknown input scaling %d (none, standardize, unit or auto)",
                       (int)opt->scale);
    return IL_OK;
}

/* What any loader must have produced, so that nothing after it (or in the trainer) can index out of
 * bounds. */
static il_status check_loaded(const il_data *data, const char *source, il_error *err) {
    const il_dataset *tr = &data->train, *te = &data->test;
    if (tr->n == 0 || tr->d == 0 || tr->t == 0 || !tr->x || !tr->y)
        return il_fail(err, IL_ERR_FORMAT, "data source '%s' produced no training examples", source);
    if (te->n > 0 && (te->d != tr->d || te->t != tr->t || !te->x || !te->y))
        return il_fail(
            err, IL_ERR_FORMAT,
            "data source '%s': test examples have %zu inputs and %zu targets, training examples %zu and %zu",
            source, te->d, te->t, tr->d, tr->t);
    if (data->task == IL_TASK_CLASSIFICATION) {
        if (data->n_classes < 2 || !tr->labels || (te->n > 0 && !te->labels))
            return il_fail(err, IL_ERR_FORMAT,
                           "data source '%s': classification needs labels and at least 2 classes", source);
        const il_dataset *sets[2] = {tr, te};
        for (int s = 0; s < 2; s++)
            for (size_t i = 0; i < sets[s]->n; i++)
                if (sets[s]->labels[i] < 0 || (size_t)sets[s]->labels[i] >= data->n_classes)
                    return il_fail(
                        err, IL_ERR_FORMAT, "data source '%s': %s example %zu has label %d, not in 0..%zu",
                        source, s ? "test" : "training", i + 1, (int)sets[s]->labels[i], data->n_classes - 1);
    }
    return IL_OK;
}

static const char *scale_words(il_scale scale, int pixels) {
    switch (scale) {
    case IL_SCALE_STANDARDIZE: return "inputs standardized with training mean and sd";
    case IL_SCALE_UNIT:
        return pixels ? "pixels divided by 255" : "inputs scaled to [0, 1] by training min and max";
    default: return "inputs not scaled";
    }
}

il_status il_data_load(il_data *out, const char *spec_text, const il_data_options *opt, il_error *err) {
    memset(out, 0, sizeof *out);
    out->bayes_error = NAN;
    il_data_options defaults;
    if (!opt) {
        il_data_options_default(&defaults);
        opt = &defaults;
    }
    il_status st = check_options(opt, err);
    if (st != IL_OK) return st;
    parsed_spec spec;
    st = parse_spec(&spec, spec_text, err);
    if (st != IL_OK) {
        free(spec.text);
        return st;
    }
    const char *source = source_names[spec.source];
    int pixels = source_has_pixels(spec.source);

    switch (spec.source) {
    case SRC_ESL_SIGMOIDS:
    case SRC_ESL_RADIAL: st = load_esl(out, &spec, opt, err); break;
    case SRC_XOR:
    case SRC_CIRCLES:
    case SRC_SPIRALS:
    case SRC_MOONS: st = load_toy(out, &spec, opt, err); break;
    case SRC_FASHION_MNIST:
    case SRC_MNIST: st = load_mnist_like(out, &spec, err); break;
    case SRC_IDX: st = load_idx(out, &spec, err); break;
    case SRC_IMAGES: st = load_image_folder(out, &spec, err); break;
    default: st = load_csv_source(out, &spec, err); break;
    }
    /* Where a file source read from, for the end of the description (last, so that a long path is what
     * gets cut when the line is full, never the counts). */
    char origin[512] = "";
    const char *from = spec_get(&spec, "dir");
    if (!from) from = spec_get(&spec, "file");
    if (!from) from = spec_get(&spec, "images");
    if (!from && spec.source == SRC_FASHION_MNIST) from = INITLAB_FASHION_MNIST_DIR;
    if (from) snprintf(origin, sizeof origin, "%s", from);
    free(spec.text);
    if (st == IL_OK) st = check_loaded(out, source, err);

    int split = 0;
    if (st == IL_OK && out->test.n == 0) {
        split = 1;
        st = il__data_split(&out->train, &out->test, opt->test_fraction, opt->seed, err);
        if (st != IL_OK) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err ? err->msg : "");
            st = il_fail(err, st, "data source '%s' has no test set of its own, and splitting failed: %s",
                         source, why);
        }
    }
    if (st == IL_OK) st = il__dataset_keep_first(&out->train, opt->max_train, err);
    if (st == IL_OK) st = il__dataset_keep_first(&out->test, opt->max_test, err);
    il_scale scale =
        opt->scale == IL_SCALE_AUTO ? (pixels ? IL_SCALE_UNIT : IL_SCALE_STANDARDIZE) : opt->scale;
    if (st == IL_OK) st = il__scale_inputs(&out->train, &out->test, scale, pixels, err);
    if (st != IL_OK) {
        il_data_free(out);
        return st;
    }

    snprintf(out->name, sizeof out->name, "%s", source);
    char line[sizeof out->description];
    snprintf(line, sizeof line, "%s", out->description[0] ? out->description : source);
    appendf(line, sizeof line, ": %zu train, %zu test", out->train.n, out->test.n);
    if (split) appendf(line, sizeof line, " (%g%% held out)", 100.0 * opt->test_fraction);
    appendf(line, sizeof line, ", %zu inputs, ", out->train.d);
    if (out->task == IL_TASK_REGRESSION)
        appendf(line, sizeof line, "regression");
    else
        appendf(line, sizeof line, "%zu classes", out->n_classes);
    if (isfinite(out->bayes_error))
        appendf(line, sizeof line, ", noise variance (Bayes error) %.4g", out->bayes_error);
    appendf(line, sizeof line, "; %s", scale_words(scale, pixels));
    if (origin[0]) appendf(line, sizeof line, "; from %s", origin);
    snprintf(out->description, sizeof out->description, "%s", line);
    return IL_OK;
}

void il_data_free(il_data *data) {
    if (!data) return;
    il_dataset_free(&data->train);
    il_dataset_free(&data->test);
    if (data->class_names) {
        for (size_t k = 0; k < data->n_classes; k++)
            free(data->class_names[k]);
        free(data->class_names);
    }
    memset(data, 0, sizeof *data);
    data->bayes_error = NAN;
}
