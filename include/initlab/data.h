/* data.h - datasets: the container, the sources behind a name, and preparation.
 *
 * A dataset is N examples of D float inputs (row-major) with T float targets each: one-hot over
 * n_classes for classification, real values for regression. Classification sets also keep the integer
 * label of each example. Every source (ESL simulated models, toy sets, IDX/IDX.gz, image folders, CSV)
 * produces a train and a test dataset through il_data_load; loaders never trust their files.
 */
#ifndef INITLAB_DATA_H
#define INITLAB_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "initlab/status.h"

typedef enum { IL_TASK_CLASSIFICATION = 0, IL_TASK_REGRESSION } il_task;

typedef struct {
    size_t n;        /* N examples */
    size_t d;        /* D inputs per example */
    size_t t;        /* T targets per example (n_classes for classification, or 1 when binary) */
    float *x;        /* (N, D) */
    float *y;        /* (N, T) */
    int32_t *labels; /* (N) class index, classification only; NULL for regression */
} il_dataset;

/* What a source produced, with its provenance for the results' meta and the summary. */
typedef struct {
    il_dataset train;
    il_dataset test;
    il_task task;
    size_t n_classes;   /* classification: number of classes (>= 2); 0 for regression */
    char **class_names; /* n_classes names (sorted folder names, CSV class names, or "0".."9"); may be NULL.
                           Owned: a malloc'ed array of n_classes malloc'ed strings, freed by il_data_free */
    double bayes_error; /* noise variance of a simulated regression model; NAN when unknown */
    char name[64];      /* source name as listed by il_data_sources ("esl-sigmoids", "fashion-mnist", ...) */
    char description[256]; /* one line, e.g. "ESL 11.6 sum of sigmoids: 100 train, 10000 test, noise var
                              0.0..." */
} il_data;

/* How to prepare the inputs; statistics always come from the TRAINING split only (see docs/datasets.md).
 *   NONE: as the source gives them.
 *   STANDARDIZE: mean 0, sd 1 per input column (ESL 11.5.3); a constant column is only centred.
 *   UNIT: to [0, 1]: pixels divided by 255 for image sources (fashion-mnist, mnist, idx, images), else
 *         (x - min) / (max - min) per column with the training min and max.
 *   AUTO (the default): UNIT for image sources, STANDARDIZE for everything else. */
typedef enum { IL_SCALE_NONE = 0, IL_SCALE_STANDARDIZE, IL_SCALE_UNIT, IL_SCALE_AUTO } il_scale;
#define IL_SCALE_COUNT 4

/* The word of a scale mode as flags and config files write it ("none", "standardize", "unit", "auto"),
 * or NULL for a value outside il_scale; il_scale_parse is its inverse (-1 for an unknown word). */
const char *il_scale_name(il_scale scale);
int il_scale_parse(const char *word);

typedef struct {
    uint64_t seed;        /* generators, split and anything random in the source */
    il_scale scale;       /* IL_SCALE_AUTO by default; a caller may choose any of il_scale */
    double test_fraction; /* used when the source has no test split (default 0.2) */
    size_t max_train;     /* 0 = all; otherwise keep the first max_train training examples (after the
                             shuffle of a split; the file's first ones when the source has its own test set) */
    size_t max_test;      /* 0 = all */
} il_data_options;

/* Defaults: seed 1, scale IL_SCALE_AUTO, test_fraction 0.2, no caps. */
void il_data_options_default(il_data_options *opt);

/* Load or generate data from a spec "NAME[:key=value,key=value...]" or a path, e.g.
 *   "esl-sigmoids", "esl-radial:train=200", "xor", "circles:noise=0.1,factor=0.5", "spirals", "moons",
 *   "fashion-mnist", "fashion-mnist:dir=/path", "idx:images=a.gz,labels=b.gz,test-images=..,test-labels=..",
 *   "images:dir=data/fashion-sample,size=28x28,color=gray", "csv:file=my.csv,features=a;b,label=y".
 * A NAME that is no source but contains '/' or '.' is a path: a file reads as csv:file=PATH, a folder
 * holding train-images-idx3-ubyte(.gz) as mnist:dir=PATH, any other folder as images:dir=PATH.
 * Then: split off opt->test_fraction when the source has no test set, apply the caps, scale the inputs
 * with training statistics. Every option is described in docs/datasets.md.
 * On failure out is left empty (safe to il_data_free) and err names the file, the place and what was
 * expected. Options that do not apply to the source are refused (IL_ERR_USAGE). */
il_status il_data_load(il_data *out, const char *spec, const il_data_options *opt, il_error *err);
void il_data_free(il_data *data);

/* The sources a spec can name, for `initlab list`: NULL-terminated arrays of names and one-liners. */
const char *const *il_data_source_names(void);
const char *const *il_data_source_descriptions(void);

/* Dataset helpers. */
il_status il_dataset_alloc(il_dataset *ds, size_t n, size_t d, size_t t, int with_labels, il_error *err);
void il_dataset_free(il_dataset *ds);

#endif
