/* faults_lab.h - what the fault tests share: a small regression experiment on a CSV file of their own
 * in a scratch folder (a "lab"), running the built initlab on it, snapshots of a folder (every entry,
 * its type, mode, link target and checksum) to prove that nothing changed, and small shell chores.
 * Include after <setjmp.h>, <stdarg.h>, <stddef.h> and <cmocka.h>. Every helper fails the running test on
 * error.
 */
#ifndef INITLAB_FAULTS_LAB_H
#define INITLAB_FAULTS_LAB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims_util.h"
#include "testutil.h"

/* ---- a small experiment on a CSV file ---------------------------------------------------------------- */

/* 40 rows of y = x1 - 2 x2 + noise-free wiggle; shift changes every value (other data, same shape). */
static inline void write_data(const char *path, double shift) {
    char text[8192];
    size_t used = (size_t)snprintf(text, sizeof text, "x1,x2,y\n");
    for (int i = 0; i < 40; i++) {
        double x1 = (i % 7) / 7.0 + shift, x2 = (i % 5) / 5.0 - shift;
        used += (size_t)snprintf(text + used, sizeof text - used, "%.4f,%.4f,%.4f\n", x1, x2,
                                 x1 - 2 * x2 + 0.1 * (i % 3));
    }
    assert_int_equal(tu_write_file(path, text, used), 0);
}

typedef struct {
    char *scratch;
    char data[4096], ini[4096], out[4096];
} lab;

/* A lab with the given [network] hidden list. */
static inline void lab_make_network(lab *l, const char *tag, const char *hidden) {
    l->scratch = tu_make_tmpdir(tag);
    assert_non_null(l->scratch);
    snprintf(l->data, sizeof l->data, "%s/data.csv", l->scratch);
    snprintf(l->ini, sizeof l->ini, "%s/exp.ini", l->scratch);
    snprintf(l->out, sizeof l->out, "%s/results", l->scratch);
    write_data(l->data, 0.0);
    char ini[8192];
    int n =
        snprintf(ini, sizeof ini,
                 "[experiment]\nname = faults\n[data]\nsource = csv:file=%s,label=y,task=regression\n"
                 "[network]\nhidden = %s\nactivation = tanh\n[training]\nepochs = 4\nlearning_rate = 0.1\n"
                 "batch_size = 10\n[inits]\nlist = uniform, xavier\n[seeds]\ncount = 2\n",
                 l->data, hidden);
    assert_int_equal(tu_write_file(l->ini, ini, (size_t)n), 0);
}

static inline void lab_make(lab *l, const char *tag) {
    lab_make_network(l, tag, "3");
}

static inline void lab_free(lab *l) {
    cu_remove_scratch(l->scratch);
}

/* Run `initlab run <ini> --out <out> --jobs 2 --no-timing -q EXTRA`; returns the exit status and the
 * output (malloc'ed) in *output when not NULL. */
static inline int lab_run_into(const lab *l, const char *out_dir, const char *extra, char **output) {
    char command[12288];
    snprintf(command, sizeof command, "'%s' run '%s' --out '%s' --jobs 2 --no-timing -q %s 2>&1", tu_exe(),
             l->ini, out_dir, extra);
    char *out = NULL;
    int status = tu_run(command, &out);
    if (output)
        *output = out;
    else
        free(out);
    return status;
}

static inline int lab_run(const lab *l, const char *extra, char **output) {
    return lab_run_into(l, l->out, extra, output);
}

/* `initlab SUBCOMMAND ARGS 2>&1`; the exit status, the output in *output (malloc'ed) when not NULL. */
static inline int lab_initlab(const char *args, char **output) {
    char command[16384];
    int n = snprintf(command, sizeof command, "'%s' %s 2>&1", tu_exe(), args);
    if (n < 0 || (size_t)n >= sizeof command) fail_msg("command too long: %s", args);
    char *out = NULL;
    int status = tu_run(command, &out);
    if (output)
        *output = out;
    else
        free(out);
    return status;
}

static inline void lab_run_ok(const lab *l, const char *extra) {
    char *out = NULL;
    int status = lab_run(l, extra, &out);
    if (status != 0) fail_msg("initlab run %s exited %d:\n%s", extra, status, out ? out : "");
    free(out);
}

/* Every entry under dir with its type and link target, and the checksum of every regular file: two
 * equal snapshots mean nothing in the folder changed. */
static inline char *snapshot(const char *dir) {
    char command[8400];
    snprintf(command, sizeof command,
             "cd '%s' && find . -printf '%%y %%p %%l %%m\\n' 2>&1 | sort && find . -type f -exec sha256sum "
             "{} + 2>&1 | sort",
             dir);
    char *out = NULL;
    tu_run(command, &out);
    assert_non_null(out);
    return out;
}

static inline void assert_same_snapshot(const char *before, const char *dir) {
    char *after = snapshot(dir);
    if (strcmp(before, after) != 0) fail_msg("the folder changed:\nbefore:\n%s\nafter:\n%s", before, after);
    free(after);
}

static inline size_t rows_of(const char *dir, const char *file) {
    cu_csv csv;
    cu_csv_load(&csv, dir, file);
    size_t n = csv.n_rows;
    cu_csv_free(&csv);
    return n;
}

/* Run a shell script in folder dir (made first if need be); fails the test when it fails. */
static inline void run_in(const char *dir, const char *script) {
    char command[12288];
    int n = snprintf(command, sizeof command, "mkdir -p '%s' && cd '%s' && %s", dir, dir, script);
    if (n < 0 || (size_t)n >= sizeof command) fail_msg("command too long: %s", script);
    char *out = NULL;
    if (tu_run(command, &out) != 0) fail_msg("%s: %s", command, out ? out : "");
    free(out);
}

static inline size_t count_temporaries(const char *dir) {
    char command[4300];
    snprintf(command, sizeof command, "find '%s' -name '*.tmp.*' | wc -l", dir);
    char *out = NULL;
    assert_int_equal(tu_run(command, &out), 0);
    size_t n = (size_t)atoi(out);
    free(out);
    return n;
}

#endif
