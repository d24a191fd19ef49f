/* experiment.h - an experiment: data, network, training, the initializers to compare, seeds, logging,
 * output. Read from an INI file (inih) or from the embedded default; every key has a default and is
 * documented in docs/config.md. Validation happens here, before any run starts: an unknown key, a
 * wrong type or an out-of-range value is refused with the file, the line and the key.
 */
#ifndef INITLAB_EXPERIMENT_H
#define INITLAB_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "initlab/data.h"
#include "initlab/init.h"
#include "initlab/net.h"
#include "initlab/status.h"

#define IL_MAX_INITS 32
#define IL_MAX_SEEDS 1000
#define IL_NAME_MAX  64

typedef struct {
    char label[IL_NAME_MAX];           /* column name in wide CSVs, e.g. "uniform" or "uniform-0.01" */
    il_init_spec layer[IL_MAX_LAYERS]; /* one spec per layer (the same for all unless given per layer) */
} il_init_entry;

typedef struct {
    char name[IL_NAME_MAX]; /* [experiment] name */
    char description[1024]; /* [experiment] description: what it shows, shown in the report */
    /* [data] */
    char data[512];           /* source spec, as for il_data_load */
    il_data_options data_opt; /* scale, test fraction, caps, data seed */
    /* [network] */
    size_t n_hidden;              /* number of hidden layers */
    size_t hidden[IL_MAX_LAYERS]; /* hidden widths; input and output widths come from the data */
    il_act activation;            /* hidden activation */
    int output;                   /* il_output, or -1 = chosen from the task (identity / sigmoid / softmax) */
    /* [training] */
    size_t epochs;
    size_t batch_size; /* 0 = full batch */
    il_sgd_options sgd;
    double divergence_loss; /* a loss above this (or NaN/Inf) marks the run diverged */
    /* [inits] */
    size_t n_inits;
    il_init_entry inits[IL_MAX_INITS];
    /* [seeds] */
    size_t n_seeds;
    uint64_t seeds[IL_MAX_SEEDS];
    /* [logging] */
    size_t log_every_epochs; /* default 1 */
    size_t log_every_steps;  /* 0 = off; else also log every N steps during the first epoch(s) */
    size_t probe_samples;    /* number of probe samples drawn from the training set */
    /* [output] */
    char out_dir[1024]; /* parent folder of results */
    size_t jobs;        /* 0 = number of cores */
} il_experiment;

/* The embedded default experiment (ESL sum of sigmoids, 10 sigmoid units, five inits, 10 seeds). */
void il_experiment_default(il_experiment *exp);
/* The INI text of the default experiment (also written as config.ini into results). */
const char *il_experiment_default_ini(void);

/* Parse an INI file on top of the defaults. Errors name path:line and the [section] key. */
il_status il_experiment_load(il_experiment *exp, const char *path, il_error *err);
/* Parse INI text (name is used in messages). */
il_status il_experiment_parse(il_experiment *exp, const char *text, const char *name, il_error *err);
/* Apply one override "section.key=value" (from --set) with the same validation. */
il_status il_experiment_set(il_experiment *exp, const char *assignment, il_error *err);
/* Cross-field checks (e.g. at least one init and seed). */
il_status il_experiment_check(const il_experiment *exp, il_error *err);
/* Write the experiment as used, as INI text that il_experiment_parse reads back to the same values. */
il_status il_experiment_write_ini(const il_experiment *exp, const char *path, il_error *err);

#endif
