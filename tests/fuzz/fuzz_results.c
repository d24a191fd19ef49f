/* fuzz_results.c - libFuzzer target for the readers of a results folder that resume, merge and report
 * trust: the meta reader (il__meta_read), the results CSV reader (il__csvread_*), the summary
 * (il_summary_read), the report's reading of the merged files (il__report_read) and the collection of
 * the per-run files into merged ones (il_results_collect). The bytes replace one file of a real results
 * folder, tests/fuzz/results-tiny (2 runs on XOR, made by `initlab run` of its own config.ini), copied into
 * the scratch folder; every reader then runs on the folder, and the folder is put back as it was. Whatever
 * meta accepts must write out and read back to the same keys and values; a refusal must say why; nothing may
 * crash, read out of bounds or leak.
 *
 * Input: one byte choosing the file (its value modulo the number of files in `files` below), then the
 * file's new bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "initlab/experiment.h"
#include "initlab/results.h"
#include "initlab/summary.h"
#include "report/report_results.h"
#include "runner/runner_internal.h"
#include "scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIXTURE INITLAB_SOURCE_DIR "/tests/fuzz/results-tiny"

/* The files an input may replace; per-run files (under runs/) are what il_results_collect reads. */
static const char *const files[] = {
    "meta",
    "config.ini",
    "runs.csv",
    "curves.csv",
    "layers.csv",
    "histograms.csv",
    "runs/xavier__seed1/curves.csv",
    "runs/xavier__seed1/layers.csv",
    "runs/xavier__seed1/histograms.csv",
    "runs/xavier__seed1/timing.csv",
    "runs/xavier__seed1/run.csv",
};
#define N_FILES (sizeof files / sizeof files[0])

/* The top-level files as they are in the fixture, to put back what il_results_collect rewrote. */
static const char *const merged[] = {
    "runs.csv",
    "curves.csv",
    "layers.csv",
    "histograms.csv",
    "timing.csv",
    "train_loss_wide.csv",
    "test_loss_wide.csv",
    "test_accuracy_wide.csv",
    "linearity_wide.csv",
    "saturated_wide.csv",
    "linear_region_wide.csv",
    "distinct_units_wide.csv",
    "grad_norm_wide.csv",
    "weight_norm_wide.csv",
    "meta",
    "config.ini",
};
#define N_MERGED (sizeof merged / sizeof merged[0])

static char dir[4096];
static il_experiment *exp_of_fixture;
static struct {
    char *bytes;
    size_t size;
} original[N_FILES], original_merged[N_MERGED];

static void set_up(void) {
    if (dir[0]) return;
    fz_path(dir, sizeof dir, "results");
    fz_copy_tree(FIXTURE, dir);
    for (size_t i = 0; i < N_FILES; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", FIXTURE, files[i]);
        if (!(original[i].bytes = fz_read(path, &original[i].size))) abort();
    }
    for (size_t i = 0; i < N_MERGED; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", FIXTURE, merged[i]);
        original_merged[i].bytes = fz_read(path, &original_merged[i].size); /* NULL: not in the fixture */
    }
    exp_of_fixture = malloc(sizeof *exp_of_fixture);
    il_error err;
    if (!exp_of_fixture || il_experiment_load(exp_of_fixture, FIXTURE "/config.ini", &err) != IL_OK) abort();
}

/* Every cell of every row as text, as a number and as a count: errors are fine, crashes are not. */
static void read_every_cell(const char *path) {
    il__csvread r;
    il_error err;
    if (il__csvread_open(&r, path, &err) != IL_OK) {
        if (err.msg[0] == '\0') __builtin_trap();
        return;
    }
    static const char *const wanted[] = {"init", "seed", "epoch", "step"};
    int cols[4];
    if (il__csvread_columns(&r, wanted, 4, cols, "the file of initlab run", &err) != IL_OK && !err.msg[0])
        __builtin_trap();
    int got = 0;
    while (il__csvread_next(&r, &got, &err) == IL_OK && got) {
        for (size_t c = 0; c < r.n_cols; c++) {
            double v;
            size_t n;
            if (!il__csvread_text(&r, (int)c)) __builtin_trap();
            if (il__csvread_number(&r, (int)c, &v, &err) != IL_OK && !err.msg[0]) __builtin_trap();
            if (il__csvread_count(&r, (int)c, &n, &err) != IL_OK && !err.msg[0]) __builtin_trap();
        }
    }
    il__csvread_close(&r);
}

/* What meta accepts writes out and reads back the same. */
static void check_meta(const char *path) {
    il__meta meta, back;
    il_error err;
    il_error_clear(&err);
    if (il__meta_read(&meta, path, &err) != IL_OK) {
        if (err.msg[0] == '\0' || meta.n != 0) __builtin_trap();
        return;
    }
    char again[4096];
    fz_path(again, sizeof again, "meta-again");
    if (il__meta_write(&meta, again, &err) != IL_OK) __builtin_trap();
    if (il__meta_read(&back, again, &err) != IL_OK) {
        fprintf(stderr, "fuzz_results: the written meta is refused: %s\n", err.msg);
        __builtin_trap();
    }
    if (back.n != meta.n) __builtin_trap();
    for (size_t i = 0; i < meta.n; i++)
        if (strcmp(meta.keys[i], back.keys[i]) != 0 || strcmp(meta.values[i], back.values[i]) != 0) {
            fprintf(stderr, "fuzz_results: meta key '%s' reads back as '%s' = '%s', was '%s'\n", meta.keys[i],
                    back.keys[i], back.values[i], meta.values[i]);
            __builtin_trap();
        }
    il__meta_free(&back);
    il__meta_free(&meta);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    set_up();
    size_t which = data[0] % N_FILES;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, files[which]);
    fz_write(path, data + 1, size - 1);

    if (which == 0)
        check_meta(path);
    else if (which != 1)
        read_every_cell(path);

    il_error err;
    il_error_clear(&err);
    il__report_results res;
    if (il__report_read(&res, dir, &err) == IL_OK)
        il__report_free(&res);
    else if (err.msg[0] == '\0')
        __builtin_trap();

    il_summary s;
    il_error_clear(&err);
    if (il_summary_read(&s, dir, &err) == IL_OK)
        il_summary_free(&s);
    else if (err.msg[0] == '\0')
        __builtin_trap();

    int collected = which >= 6; /* a per-run file: merge them again */
    if (collected) {
        size_t complete = 0;
        il_error_clear(&err);
        if (il_results_collect(exp_of_fixture, dir, &complete, &err) != IL_OK && err.msg[0] == '\0')
            __builtin_trap();
    }

    fz_write(path, original[which].bytes, original[which].size);
    for (size_t i = 0; collected && i < N_MERGED; i++) {
        char top[4096];
        snprintf(top, sizeof top, "%s/%s", dir, merged[i]);
        if (original_merged[i].bytes) fz_write(top, original_merged[i].bytes, original_merged[i].size);
    }
    return 0;
}
