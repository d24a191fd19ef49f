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
    size_t n_specs; /* schemes written in the list: 1 = layer[0] for every layer (all of layer[] holds it);
                       otherwise one per layer ("xavier/he"), equal to the network's layer count; the
                       entries after the last given layer repeat it, so layer[l] is always usable */
} il_init_entry;

typedef struct {
    char name[IL_NAME_MAX]; /* [experiment] name */
    char description[1024]; /* [experiment] description: what it shows, shown in the report; lines are
                               separated by '\n', each trimmed, no blank lines */
    /* [data] */
    char data[512];           /* source spec, as for il_data_load */
    il_data_options data_opt; /* scale ("auto" reads as standardize), test_fraction, max_train, max_test,
                                 seed (of the data only: every run shares the data) */
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

/* The defaults of every key: the embedded default experiment (ESL sum of sigmoids, 10 sigmoid units,
 * five inits, 10 seeds) as far as its keys go, logging every epoch. Every field of *exp is set. */
void il_experiment_default(il_experiment *exp);
/* The INI text of the embedded default experiment that `initlab run` runs without a file, with
 * comments: il_experiment_default with [logging] every_epochs = 10, so the 50 runs take seconds. */
const char *il_experiment_default_ini(void);

/* Parse an INI file on top of the defaults: exp is set to il_experiment_default, then every key of the
 * file is applied, then the cross-field checks run. Errors name path:line and the [section] key, e.g.
 *   x.ini:12: [training] learning_rate: expected a positive number up to 1000, got "-0.1"
 * On failure *exp is untouched. IL_ERR_IO when the file cannot be read, IL_ERR_USAGE for its content. */
il_status il_experiment_load(il_experiment *exp, const char *path, il_error *err);
/* Parse INI text, as il_experiment_load (name is used in messages, e.g. the file name). */
il_status il_experiment_parse(il_experiment *exp, const char *text, const char *name, il_error *err);
/* Apply one override "section.key=value" (from --set) with the same validation as the file; errors
 * name "--set section.key". On failure *exp is untouched. Run il_experiment_check after the last one. */
il_status il_experiment_set(il_experiment *exp, const char *assignment, il_error *err);
/* Apply one key from a CLI flag: il_experiment_set_key(exp, "training", "epochs", "50", "--epochs", err).
 * where names the flag in messages (NULL: "--set section.key"). --seeds N is ("seeds", "count", N);
 * a seeds key replaces the whole seed set, whichever of count or list was used before. */
il_status il_experiment_set_key(il_experiment *exp, const char *section, const char *key, const char *value,
                                const char *where, il_error *err);
/* Every check a file gets, on a filled struct: each value in its range and writable as INI, at least
 * one init and one seed, unique labels and seeds, per-layer init lists as long as the network is deep,
 * one bias for all inits. IL_ERR_USAGE naming the [section] key. */
il_status il_experiment_check(const il_experiment *exp, il_error *err);

/* The experiment as INI text that il_experiment_parse reads back to the same values: every key, one
 * section after the other. *text is malloc'ed (caller frees); NULL on failure. */
il_status il_experiment_format_ini(const il_experiment *exp, char **text, il_error *err);
/* Write il_experiment_format_ini's text to path atomically (the file appears whole or not at all). */
il_status il_experiment_write_ini(const il_experiment *exp, const char *path, il_error *err);

/* The keys a file may hold, as "section.key", in the order of docs/config.md; NULL-terminated. */
const char *const *il_experiment_keys(void);
/* The value of one key as it would be written to INI, malloc'ed into *value ("" for the seeds key that
 * is not in use: count when the seeds are a list, list when they are 1..count). IL_ERR_USAGE if the
 * key is unknown. */
il_status il_experiment_get(const il_experiment *exp, const char *section, const char *key, char **value,
                            il_error *err);
/* NULL if a and b describe the same experiment (every key formats the same), else the first key that
 * differs, as "section.key" (a static string). */
const char *il_experiment_difference(const il_experiment *a, const il_experiment *b);

/* The reference tables of docs/config.md in Markdown, made from the same key table as everything above:
 * "| Key | Type | Default | Range | Meaning |" and a row per key, for one section ("training"), or for
 * every section (NULL), each under its "## [section]" heading. *text is malloc'ed (caller frees); NULL
 * on failure: IL_ERR_USAGE for an unknown section, IL_ERR_NOMEM. */
il_status il_experiment_doc_table(const char *section, char **text, il_error *err);

#endif
