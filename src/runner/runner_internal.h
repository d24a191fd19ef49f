/* runner_internal.h - what the runner's source files share with each other and with the results layer
 * above (src/results reads what the runner writes): the names and headers of the result files, the
 * meta file, the run ids and the small folder chores. The CSV files are read back with core/csv.h.
 */
#ifndef INITLAB_LAB_RUNNER_INTERNAL_H
#define INITLAB_LAB_RUNNER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/files.h"
#include "initlab/data.h"
#include "initlab/rng.h"
#include "initlab/runner.h"

/* ---- file names and headers (docs/results.md describes every column) ----------------------------------- */

#define IL_RUNS_DIR "runs"

#define IL_RUN_COLUMNS                                                                                       \
    "run,init,init_spec,seed,status,diverged_epoch,epochs,steps,train_loss,test_loss,test_accuracy,"         \
    "test_mse,relative_test_error,linearity_start,linearity_end,saturated_start,saturated_end,dead_start,"   \
    "dead_end,distinct_units_start,distinct_units_end,hidden_units,weight_norm_start,weight_norm_end,"       \
    "seconds"
#define IL_CURVE_COLUMNS                                                                                     \
    "init,seed,epoch,step,train_loss,test_loss,test_accuracy,test_mse,relative_test_error,linearity,"        \
    "weight_norm,param_norm,grad_norm,probe_loss,saturated,linear_region,dead,distinct_units"
#define IL_LAYER_COLUMNS                                                                                     \
    "init,seed,epoch,step,layer,activation,units,weight_norm,grad_norm,preact_mean,preact_std,act_mean,"     \
    "act_std,saturated,linear_region,dead,distinct_units"
#define IL_HISTOGRAM_COLUMNS "init,seed,epoch,step,layer,activation,bin,lo,hi,count"
#define IL_TIMING_COLUMNS    "init,seed,epoch,step,seconds"

/* The per-run files, in the order a run writes them; run.csv last marks the run complete. */
typedef struct {
    const char *name;   /* file name inside runs/<id>/ and, merged, in the results folder */
    const char *header; /* first line, without newline */
    int optional;       /* 1 = may be absent (timing.csv under no_timing) */
} il_result_file;

/* IL_RESULT_FILE_COUNT entries; the last one is run.csv, whose merged form is runs.csv. */
#define IL_RESULT_FILE_COUNT 5
extern const il_result_file il__result_files[IL_RESULT_FILE_COUNT];

/* ---- plan internals ------------------------------------------------------------------------------------ */

/* The run id "<label>__seed<seed>" (see runner.h) into buf. */
void il__run_id(const il_experiment *exp, size_t init_index, uint64_t seed, char *buf, size_t size);

/* ---- memory (run_memory.c) ----------------------------------------------------------------------------- */

/* The sizes of one run: rows of a training batch, rows of the net's workspace (a batch or an evaluation
 * chunk, whichever is larger) and probe samples; il_run_single allocates by these. */
typedef struct {
    size_t batch, max_batch, n_probe;
} il__run_shape;
void il__run_shape_of(const il_experiment *exp, const il_data *data, il__run_shape *shape);
/* The machine's physical memory in bytes (SIZE_MAX when the system does not say). */
size_t il__machine_memory_bytes(void);
/* IL_ERR_USAGE, with the bytes needed and the bytes the machine has, when jobs runs of the network spec
 * at once, with the data, need more than machine_bytes; allocates nothing. */
il_status il__run_memory_check(const il_experiment *exp, const il_data *data, const il_net_spec *spec,
                               size_t jobs, size_t machine_bytes, il_error *err);

/* ---- small file helpers -------------------------------------------------------------------------------- */

/* 1 if path is a folder holding at least one entry other than . and .. */
int il__dir_has_entries(const char *path);
/* 1 if name is what an interrupted atomic write leaves: NAME.tmp.XXXXXX (a file) or, for a run folder,
 * <id>.tmp.XXXXXX (a folder). */
int il__is_temporary(const char *name);
/* Remove what interrupted writes left in folder dir: temporary files (NAME.tmp.*) and temporary run
 * folders (<id>.tmp.*, with the files in them). Nothing else is touched. */
void il__remove_temporaries(const char *dir);
/* The same for the temporaries of one name only (prefix.tmp.*), e.g. of one run while others write. */
void il__remove_temporaries_of(const char *dir, const char *prefix);
/* FNV-1a 64-bit hash of bytes (the fingerprints); il__fnv1a_more goes on from hash h. */
uint64_t il__fnv1a(const void *bytes, size_t size);
uint64_t il__fnv1a_more(uint64_t h, const void *bytes, size_t size);

/* ---- meta --------------------------------------------------------------------------------------------
 * meta is an INI file without sections, read with inih: "key = value" lines, '#' or ';' starts a
 * comment line. A value too long for an INI line goes on over lines indented by 4; the pieces join
 * without a separator (the writer breaks only between two non-blank characters). */

typedef struct {
    size_t n;
    char **keys;
    char **values;
} il__meta;

/* Read path into meta. IL_ERR_IO if it cannot be read, IL_ERR_FORMAT naming the line of a line that is
 * not "key = value" or is too long; on failure meta holds nothing. A key given twice keeps the last. */
il_status il__meta_read(il__meta *meta, const char *path, il_error *err);
void il__meta_free(il__meta *meta);
/* The value of key, or NULL. */
const char *il__meta_get(const il__meta *meta, const char *key);
/* Add key or replace its value. Stored as it reads back: blanks (newlines too) become spaces, none at
 * either end and none right before a ';' (an INI comment would start there). */
il_status il__meta_set(il__meta *meta, const char *key, const char *value, il_error *err);
void il__meta_remove(il__meta *meta, const char *key);
/* Write meta atomically, with a comment line on top. */
il_status il__meta_write(const il__meta *meta, const char *path, il_error *err);

/* The data fingerprint: FNV-1a (over 64-bit words for the example arrays) of the loaded examples as the runs
 * see them (the training and test sets' sizes, inputs and targets after any scaling, the task and the Bayes
 * error), as 16 hex digits. */
void il__data_fingerprint(const il_data *data, char hex[17]);

/* The meta keys a folder's runs depend on, with what each stands for in a message ("the data"):
 * --resume and `initlab merge` refuse a folder that differs from the present run in one of them. */
typedef struct {
    const char *key;
    const char *what;
} il__dependency;
#define IL_DEPENDENCY_COUNT 4
extern const il__dependency il__dependencies[IL_DEPENDENCY_COUNT];
/* Index into il__dependencies of the first key whose value differs between a and b (a key missing
 * from one of them differs too), or -1 when they agree on all. */
int il__meta_dependency_difference(const il__meta *a, const il__meta *b);

/* The configuration fingerprint of exp: FNV-1a of its INI text with the [output] settings (jobs,
 * out_dir) neutralized, as 16 hex digits. */
il_status il__fingerprint(const il_experiment *exp, char hex[17], il_error *err);
/* The first setting in which two experiments differ ([output] aside), as a phrase for a message, e.g.
 * `[training] learning_rate is "0.1" in one and "0.2" in the other`; "" when none is found. */
void il__describe_difference(const il_experiment *a, const il_experiment *b, char *buf, size_t size);

/* dir/runs/<id>, or dir/runs/<id>/<file> when file is not NULL, into buf (il__path_join's contract). */
il_status il__run_path(char *buf, size_t size, const char *dir, const char *id, const char *file,
                       il_error *err);
/* Whether runs/<id>/ in dir holds a complete run: *complete = 1 when run.csv and every non-optional
 * file are there, 0 when the run is absent or a file is missing. A run that cannot be told is an error,
 * never "not done": IL_ERR_IO naming the path when runs/ or the run's folder cannot be read, or holds
 * something other than a folder or a regular file under a run's name (*complete is then 0). */
il_status il__run_state(const char *dir, const char *id, int *complete, il_error *err);

/* A folder that appears whole or not at all (a run's files, a merged results folder): it is filled as
 * a fresh temporary folder beside dir (il__folder_stage_open: dir.tmp.XXXXXX, parents made if needed,
 * its path into tmp), which then replaces dir (il__folder_stage_commit: a dir left by an earlier
 * attempt is removed first, as long as it holds only result files and temporaries; an empty one is
 * fine). On any failure of commit, and on il__folder_stage_abort, the temporary folder is removed
 * with what it holds and dir stays as it was. */
il_status il__folder_stage_open(const char *dir, char *tmp, size_t size, il_error *err);
il_status il__folder_stage_commit(const char *tmp, const char *dir, il_error *err);
void il__folder_stage_abort(const char *tmp);

#endif
