/* summary.h - the summary of a results folder as data: one row per initializer with the means over its
 * seeds (final losses, accuracy or error relative to the Bayes error, distinct units, saturation,
 * linearity at the start and the end) and a verdict in words. il_summary_write (runner.h) prints these
 * rows as the text table of `initlab run`; the report shows the same rows, cell for cell, as an HTML
 * table. The verdict rules are in docs/results.md.
 *
 *     il_summary s;
 *     il_error err;
 *     if (il_summary_read(&s, "results/default", &err) == IL_OK) {
 *         for (size_t i = 0; i < s.n_rows; i++) printf("%s: %s\n", s.rows[i].init, s.rows[i].verdict);
 *         il_summary_free(&s);
 *     }
 */
#ifndef INITLAB_SUMMARY_H
#define INITLAB_SUMMARY_H

#include <stddef.h>

#include "initlab/experiment.h"
#include "initlab/status.h"

/* One initializer: means over its seeds, NAN where no run has a value. The final values (losses,
 * accuracy, MSE, relative error, linearity, saturation and dead share at the end, distinct units) are
 * over the finished runs; the start values and hidden_units over every run, a diverged one included. */
typedef struct {
    char init[IL_NAME_MAX]; /* the init's label, as in runs.csv */
    size_t runs, finished, diverged;
    double first_diverged_epoch, last_diverged_epoch; /* over the diverged runs; NAN when none diverged */
    double train_loss, test_loss, test_accuracy, test_mse, relative_test_error;
    double linearity_start, linearity_end;
    double saturated_start, saturated_end; /* shares of hidden unit-sample pairs in the flat part */
    double dead_start, dead_end;           /* shares of ReLU units silent on every probe sample */
    double distinct_units_end, hidden_units;
    int lowest_test_loss; /* 1 for the init with the lowest mean test loss, when there are several */
    char verdict[256];    /* the verdict rules that hold, joined by "; " ("trained normally" if none) */
} il_summary_row;

/* The columns of the table, in the order they are shown. */
typedef enum {
    IL_SUMMARY_INIT,
    IL_SUMMARY_RUNS,
    IL_SUMMARY_TRAIN_LOSS,
    IL_SUMMARY_TEST_LOSS,
    IL_SUMMARY_ACCURACY,
    IL_SUMMARY_TEST_BAYES,
    IL_SUMMARY_TEST_MSE,
    IL_SUMMARY_DISTINCT_UNITS,
    IL_SUMMARY_SATURATED,
    IL_SUMMARY_DEAD,
    IL_SUMMARY_LINEARITY,
    IL_SUMMARY_VERDICT,
    IL_SUMMARY_COLUMN_COUNT
} il_summary_column;

typedef struct {
    char *results_dir;       /* as given to il_summary_read */
    char *experiment;        /* meta experiment, or "(unnamed)" */
    char *data_description;  /* meta data_description; "" when meta has none */
    char *shard;             /* meta shard ("all", "all (merged)", "2/3"); "" when meta has none */
    int slice;               /* 1: the folder holds one slice of the plan (shard is not "all...") */
    size_t runs;             /* rows of runs.csv */
    size_t runs_in_plan;     /* meta runs_in_plan; 0 when meta does not say */
    char *hidden_activation; /* meta hidden_activation ("hidden" when meta has none) */
    size_t hidden_layers;    /* entries of meta hidden_layers */
    size_t n_rows;
    il_summary_row *rows; /* (n_rows) one per init, in the order of the plan */
    size_t n_columns;
    il_summary_column columns[IL_SUMMARY_COLUMN_COUNT]; /* the columns this folder has values for */
} il_summary;

/* Read runs.csv and meta of results_dir into s (every field filled, the verdicts made). Errors: IL_ERR_IO
 * when a file is missing or unreadable, IL_ERR_FORMAT for a missing column, a cell that is not a
 * number, an empty init or a status other than finished and diverged (file, line and column named),
 * IL_ERR_NOMEM. A runs.csv without rows gives a summary of no rows. On failure s holds nothing to free. */
il_status il_summary_read(il_summary *s, const char *results_dir, il_error *err);
void il_summary_free(il_summary *s);

/* The heading of column col, e.g. "test loss" or "linearity start -> end". */
const char *il_summary_header(il_summary_column col);
/* 1 for the columns of words (init, verdict), read left-aligned; 0 for the numbers. */
int il_summary_column_is_text(il_summary_column col);
/* The text of row's cell in column col into buf, exactly as the table prints it: "-" for a value that
 * does not exist, percentages as "93% -> 88%", distinct units as "4 of 4". */
void il_summary_cell(const il_summary *s, size_t row, il_summary_column col, char *buf, size_t size);

/* The lines above the table ("Experiment NAME: N runs in DIR ...", "Data: ...") and the notes below it
 * (what the columns mean; how to continue missing runs), each line ending in '\n': malloc'ed text the
 * caller frees, NULL when out of memory. */
char *il_summary_heading(const il_summary *s);
char *il_summary_notes(const il_summary *s);

#endif
