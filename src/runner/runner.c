/* runner.c - run a whole experiment: choose and guard the results folder, load the data once, write
 * config.ini and meta, then train the plan's runs in worker processes (fork, N at once, one BLAS thread
 * each) and reap them. A worker that crashes or diverges cannot hurt the others; a stop request (Ctrl-C)
 * lets the parent wait for the running ones and explain how to resume. The merged files are made by
 * the results layer above (il_results_collect), never from here.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "initlab/blas.h"
#include "initlab/fileio.h"
#include "initlab/version.h"
#include "runner/runner_internal.h"

/* Exit codes of a worker process. */
enum { WORKER_DONE = 0, WORKER_FAILED = 1, WORKER_STOPPED = 3 };

/* What a worker tells the parent through its pipe before it exits: one write, smaller than PIPE_BUF,
 * so it arrives whole or not at all. */
typedef struct {
    int32_t status;     /* il_status of il_run_single */
    int32_t run_status; /* il_run_status */
    double diverged_epoch, test_loss, seconds;
    char msg[1024];
} worker_message;

typedef struct {
    pid_t pid;
    int fd;            /* read end of the worker's pipe */
    size_t plan_index; /* which run */
    worker_message msg;
    size_t got; /* bytes of msg received */
} worker;

void il_runner_options_default(il_runner_options *opt) {
    memset(opt, 0, sizeof *opt);
}

static void progress(const il_runner_options *opt, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void progress(const il_runner_options *opt, const char *fmt, ...) {
    if (!opt->progress) return;
    char line[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    opt->progress(opt->progress_ctx, line);
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- the folder ---------------------------------------------------------------------------------------- */

static il_status choose_folder(const il_experiment *exp, const il_runner_options *opt, char *dir, size_t size,
                               il_error *err) {
    if (opt->out_path) {
        if (!*opt->out_path) return il_fail(err, IL_ERR_USAGE, "the results folder name is empty");
        if (strlen(opt->out_path) >= size)
            return il_fail(err, IL_ERR_USAGE, "%s: path too long", opt->out_path);
        snprintf(dir, size, "%s", opt->out_path);
        return IL_OK;
    }
    if (opt->resume)
        return il_fail(err, IL_ERR_USAGE,
                       "resuming needs the results folder to continue: name it with --out DIR");
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    const char *parent = *exp->out_dir ? exp->out_dir : ".";
    /* Two invocations in the same second get "-2", "-3", ...: never write into someone else's results. */
    for (int k = 1; k < 1000; k++) {
        char name[IL_NAME_MAX + 48];
        if (k == 1)
            snprintf(name, sizeof name, "%s-%s", exp->name, stamp);
        else
            snprintf(name, sizeof name, "%s-%s-%d", exp->name, stamp, k);
        il_status st = il__path_join(dir, size, parent, name, err);
        if (st != IL_OK) return st;
        struct stat sb;
        if (stat(dir, &sb) != 0) return IL_OK;
    }
    return il_fail(err, IL_ERR_IO, "%s: could not find a free folder name for %s-%s", parent, exp->name,
                   stamp);
}

/* BLAS threads of each worker: one, so that a run's numbers never depend on how many ran at once. */
#define RUN_BLAS_THREADS 1

/* What the folder holds when a run starts. */
typedef enum {
    FOLDER_NEW,     /* absent, empty, or a start that was interrupted before meta was written */
    FOLDER_STARTED, /* an initlab results folder (meta is there): only --resume continues it */
} folder_kind;

/* Whether a folder without meta is what an interrupted start leaves (runner order: runs/, config.ini,
 * meta, each written atomically): entries only an empty runs/, initlab temporaries and a config.ini of
 * this very configuration. Such a folder is adopted as new; anything else may be someone's files. */
static int interrupted_start(const char *dir, const char *fingerprint) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int ok = 1;
    struct dirent *e;
    char path[4096];
    while (ok && (e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || il__is_temporary(name)) continue;
        if (il__path_join(path, sizeof path, dir, name, NULL) != IL_OK) {
            ok = 0;
        } else if (strcmp(name, IL_RUNS_DIR) == 0) {
            struct stat sb;
            ok = lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && !il__dir_has_entries(path);
        } else if (strcmp(name, "config.ini") == 0) {
            il_experiment *there = malloc(sizeof *there);
            char found[17];
            ok = there && il_experiment_load(there, path, NULL) == IL_OK &&
                 il__fingerprint(there, found, NULL) == IL_OK && strcmp(found, fingerprint) == 0;
            free(there);
        } else {
            ok = 0;
        }
    }
    closedir(d);
    return ok;
}

/* The dependencies of this invocation's runs, as meta records them (il__dependencies). */
static il_status dependencies_now(il__meta *now, const char *fingerprint, const char *data_fingerprint,
                                  il_error *err) {
    char threads[24];
    snprintf(threads, sizeof threads, "%d", RUN_BLAS_THREADS);
    il_status st = il__meta_set(now, "version", INITLAB_VERSION, err);
    if (st == IL_OK) st = il__meta_set(now, "config_fingerprint", fingerprint, err);
    if (st == IL_OK) st = il__meta_set(now, "data_fingerprint", data_fingerprint, err);
    if (st == IL_OK) st = il__meta_set(now, "blas_threads_per_run", threads, err);
    return st;
}

/* Refuse to continue a folder whose runs depend on something else than this invocation's would: the
 * message names what changed. With data_fingerprint NULL the data is not compared (not loaded yet). */
static il_status check_dependencies(const char *dir, const il__meta *there, const il_experiment *exp,
                                    const char *fingerprint, const char *data_fingerprint, il_error *err) {
    il__meta now = {0};
    il_status st = dependencies_now(&now, fingerprint, data_fingerprint ? data_fingerprint : "", err);
    for (int i = 0; st == IL_OK && i < IL_DEPENDENCY_COUNT; i++) {
        const char *key = il__dependencies[i].key, *what = il__dependencies[i].what;
        if (!data_fingerprint && strcmp(key, "data_fingerprint") == 0) continue;
        const char *was = il__meta_get(there, key), *is = il__meta_get(&now, key);
        if (was && strcmp(was, is) == 0) continue;
        if (!was) {
            st = il_fail(err, IL_ERR_USAGE,
                         "%s: cannot resume: its meta does not record %s (%s); it was made by another "
                         "version of initlab. Choose another --out",
                         dir, what, key);
        } else if (strcmp(key, "config_fingerprint") == 0) {
            /* Say which setting differs when the folder's config.ini can be read. */
            char why[600] = "", path[4096];
            il_experiment *other = malloc(sizeof *other);
            if (other && il__path_join(path, sizeof path, dir, "config.ini", NULL) == IL_OK &&
                il_experiment_load(other, path, NULL) == IL_OK)
                il__describe_difference(other, exp, why, sizeof why);
            free(other);
            st = il_fail(err, IL_ERR_USAGE,
                         "%s: cannot resume: its runs come from a different configuration%s%s. Resume with "
                         "the same experiment file and --set options, or choose another --out",
                         dir, *why ? ": " : "", why);
        } else if (strcmp(key, "data_fingerprint") == 0) {
            const char *desc = il__meta_get(there, "data_description");
            st = il_fail(err, IL_ERR_USAGE,
                         "%s: cannot resume: the data changed since the folder was started: data %s now "
                         "gives other examples (data_fingerprint %s there, %s now; the folder's runs saw "
                         "\"%.200s\"). Restore the data the runs were trained on, or choose another --out",
                         dir, exp->data, was, is, desc ? desc : "?");
        } else {
            st = il_fail(err, IL_ERR_USAGE,
                         "%s: cannot resume: %s changed since the folder was started (%s %s there, %s now). "
                         "Continue it with what started it, or choose another --out",
                         dir, what, key, was, is);
        }
    }
    il__meta_free(&now);
    return st;
}

/* Refuse to touch a folder holding other results; on resume, insist on the same configuration,
 * program and BLAS threads (the data is compared once loaded). *there receives the folder's meta when
 * it has one (FOLDER_STARTED). */
static il_status guard_folder(const char *dir, int resume, const il_experiment *exp, const char *fingerprint,
                              folder_kind *kind, il__meta *there, il_error *err) {
    memset(there, 0, sizeof *there);
    *kind = FOLDER_NEW;
    struct stat sb;
    if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return il_fail(err, IL_ERR_USAGE, "%s: exists and is not a folder", dir);
    if (!il__dir_has_entries(dir)) return IL_OK;
    char path[4096];
    il_status st = il__path_join(path, sizeof path, dir, "meta", err);
    if (st != IL_OK) return st;
    struct stat mb;
    if (lstat(path, &mb) != 0 && errno == ENOENT && interrupted_start(dir, fingerprint)) return IL_OK;
    if (!resume)
        return il_fail(err, IL_ERR_USAGE,
                       "%s: the folder already holds files; results are never overwritten. Choose another "
                       "--out, or add --resume to continue the runs in it",
                       dir);
    il_error meta_err;
    if (il__meta_read(there, path, &meta_err) != IL_OK)
        return il_fail(err, IL_ERR_USAGE, "%s: cannot resume: not an initlab results folder (%s)", dir,
                       meta_err.msg);
    *kind = FOLDER_STARTED;
    st = check_dependencies(dir, there, exp, fingerprint, NULL, err);
    if (st != IL_OK) il__meta_free(there);
    return st;
}

static il_status write_meta(const char *dir, const il_experiment *exp, const il_data *data,
                            const char *fingerprint, const char *data_fingerprint, size_t jobs,
                            const il_runner_options *opt, il_error *err) {
    il__meta meta = {0};
    char buf[8192], path[4096];
    il_status st = IL_OK;
#define SET(key, value)                                                                                      \
    do {                                                                                                     \
        if (st == IL_OK) st = il__meta_set(&meta, key, value, err);                                          \
    } while (0)
    SET("version", INITLAB_VERSION);
    SET("experiment", exp->name);
    SET("data", exp->data);
    SET("data_description", data->description);
    SET("task", data->task == IL_TASK_CLASSIFICATION ? "classification" : "regression");
    il_csv_number(buf, sizeof buf, data->bayes_error);
    SET("bayes_error", buf);
    SET("hidden_activation", exp->n_hidden ? il_act_name(exp->activation) : "");
    buf[0] = '\0';
    for (size_t l = 0; l < exp->n_hidden; l++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%zu", l ? "," : "", exp->hidden[l]);
    SET("hidden_layers", buf);
    buf[0] = '\0';
    for (size_t i = 0; i < exp->n_inits; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "," : "", exp->inits[i].label);
    SET("inits", buf);
    /* Up to IL_MAX_SEEDS seeds of up to 20 digits and a comma each. */
    size_t seeds_size = exp->n_seeds * 22 + 1, used = 0;
    char *seeds = malloc(seeds_size);
    if (!seeds && st == IL_OK) st = il_fail(err, IL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; seeds && i < exp->n_seeds; i++)
        used += (size_t)snprintf(seeds + used, seeds_size - used, "%s%llu", i ? "," : "",
                                 (unsigned long long)exp->seeds[i]);
    if (seeds) SET("seeds", seeds);
    free(seeds);
    SET("plan_order", "seed-major: plan index = seed index * number of inits + init index");
    snprintf(buf, sizeof buf, "%zu", il_plan_size(exp));
    SET("runs_in_plan", buf);
    if (opt->shard_n)
        snprintf(buf, sizeof buf, "%zu/%zu", opt->shard_k, opt->shard_n);
    else
        snprintf(buf, sizeof buf, "all");
    SET("shard", buf);
    snprintf(buf, sizeof buf, "%zu", jobs);
    SET("jobs", buf);
    SET("blas", il_blas_config());
    snprintf(buf, sizeof buf, "%d", RUN_BLAS_THREADS);
    SET("blas_threads_per_run", buf);
    snprintf(buf, sizeof buf, "%d", il_blas_threads());
    SET("blas_threads_of_the_process", buf);
    SET("timing", opt->no_timing ? "off (no wall-clock numbers in the CSV files)" : "on");
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    SET("date", buf);
    SET("config_fingerprint", fingerprint);
    SET("data_fingerprint", data_fingerprint);
#undef SET
    if (st == IL_OK) st = il__path_join(path, sizeof path, dir, "meta", err);
    if (st == IL_OK) st = il__meta_write(&meta, path, err);
    il__meta_free(&meta);
    return st;
}

/* ---- workers ------------------------------------------------------------------------------------------- */

static size_t online_cores(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

/* The worker: one run, one BLAS thread, a message to the parent, and _exit (never return into the
 * caller's code, never flush the caller's stdio buffers twice). */
static void worker_main(const il_experiment *exp, const il_data *data, const il_plan_run *run,
                        const char *run_dir, const il_runner_options *opt, int fd) {
    il_blas_set_threads(RUN_BLAS_THREADS);
    worker_message m;
    memset(&m, 0, sizeof m);
    il_run_outcome outcome;
    il_error err;
    il_error_clear(&err);
    il_status st = il_run_single(exp, data, run->init_index, run->seed, run_dir, opt->no_timing, opt->stop,
                                 NULL, &outcome, &err);
    m.status = (int32_t)st;
    m.run_status = (int32_t)outcome.status;
    m.diverged_epoch = outcome.diverged_epoch;
    m.test_loss = outcome.test_loss;
    m.seconds = outcome.seconds;
    snprintf(m.msg, sizeof m.msg, "%s", st == IL_OK ? "" : err.msg);
    ssize_t put = write(fd, &m, sizeof m);
    close(fd);
    _exit(st == IL_OK && put == (ssize_t)sizeof m ? WORKER_DONE
          : st == IL_ERR_STOPPED                  ? WORKER_STOPPED
                                                  : WORKER_FAILED);
}

static il_status spawn(worker *w, const il_experiment *exp, const il_data *data, const il_plan_run *run,
                       const char *run_dir, const il_runner_options *opt, const worker *active,
                       size_t n_active, il_error *err) {
    int fds[2];
    if (pipe(fds) != 0)
        return il_fail(err, IL_ERR_IO, "cannot create a pipe for a worker: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return il_fail(err, IL_ERR_NOMEM, "cannot start a worker process: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        for (size_t i = 0; i < n_active; i++)
            close(active[i].fd);
        worker_main(exp, data, run, run_dir, opt, fds[1]);
    }
    close(fds[1]); /* so the parent sees end-of-file when the worker exits, however it exits */
    memset(w, 0, sizeof *w);
    w->pid = pid;
    w->fd = fds[0];
    w->plan_index = run->index;
    return IL_OK;
}

typedef struct {
    size_t done, to_run;
    size_t finished, diverged, failed, stopped;
    il_status first_failure;
    char first_failure_msg[1400];
} pool_tally;

/* Reap a worker whose pipe has closed, classify its end and report it. */
static void collect(const worker *w, const il_experiment *exp, const char *dir, const il_runner_options *opt,
                    pool_tally *tally) {
    int status = 0;
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR) {
    }
    il_plan_run run;
    il_plan_get(exp, w->plan_index, &run);
    tally->done++;
    int complete = WIFEXITED(status) && WEXITSTATUS(status) == WORKER_DONE && w->got == sizeof w->msg &&
                   w->msg.status == IL_OK;
    if (complete) {
        if (w->msg.run_status == IL_RUN_DIVERGED) {
            tally->diverged++;
            progress(opt, "[%zu/%zu] %s: diverged at epoch %.0f (%.1f s)", tally->done, tally->to_run, run.id,
                     w->msg.diverged_epoch, w->msg.seconds);
        } else {
            tally->finished++;
            char loss[40] = "-";
            if (isfinite(w->msg.test_loss)) snprintf(loss, sizeof loss, "%.4g", w->msg.test_loss);
            progress(opt, "[%zu/%zu] %s: finished in %.1f s, test loss %s", tally->done, tally->to_run,
                     run.id, w->msg.seconds, loss);
        }
        return;
    }
    /* Not complete: whatever the worker left half-done goes (its temporary run folder, if it was
     * killed while writing); the run's folder, if an earlier attempt left one, stays as it was. */
    char runs_dir[4096];
    if (il__path_join(runs_dir, sizeof runs_dir, dir, IL_RUNS_DIR, NULL) == IL_OK)
        il__remove_temporaries_of(runs_dir, run.id);
    int by_user = (WIFEXITED(status) && WEXITSTATUS(status) == WORKER_STOPPED) ||
                  (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT && opt->stop && *opt->stop);
    if (by_user) {
        tally->stopped++;
        progress(opt, "[%zu/%zu] %s: stopped, will run again on --resume", tally->done, tally->to_run,
                 run.id);
        return;
    }
    char why[1200];
    if (w->got == sizeof w->msg && w->msg.status != IL_OK)
        snprintf(why, sizeof why, "%s", w->msg.msg);
    else if (WIFSIGNALED(status))
        snprintf(why, sizeof why, "the worker process ended by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(why, sizeof why, "the worker process exited with status %d without a result",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    tally->failed++;
    if (tally->failed == 1) {
        tally->first_failure =
            w->got == sizeof w->msg && w->msg.status != IL_OK ? (il_status)w->msg.status : IL_ERR_IO;
        snprintf(tally->first_failure_msg, sizeof tally->first_failure_msg, "run %s failed: %s", run.id, why);
    }
    progress(opt, "[%zu/%zu] %s: FAILED: %s", tally->done, tally->to_run, run.id, why);
}

/* Run the plan indices pending[0..n) with up to jobs workers at once. */
static il_status run_pool(const il_experiment *exp, const il_data *data, const char *dir,
                          const size_t *pending, size_t n, size_t jobs, const il_runner_options *opt,
                          pool_tally *tally, int *stopped, il_error *err) {
    worker *active = calloc(jobs, sizeof *active);
    struct pollfd *pfd = calloc(jobs, sizeof *pfd);
    if (!active || !pfd) {
        free(active);
        free(pfd);
        return il_fail(err, IL_ERR_NOMEM, "out of memory for %zu workers", jobs);
    }
    size_t next = 0, n_active = 0;
    il_status st = IL_OK;
    *stopped = 0;
    while (next < n || n_active > 0) {
        if (opt->stop && *opt->stop && !*stopped) {
            *stopped = 1;
            if (n_active)
                progress(opt, "stopping: waiting for %zu running run%s to end; finished runs are kept",
                         n_active, n_active == 1 ? "" : "s");
        }
        while (!*stopped && st == IL_OK && n_active < jobs && next < n) {
            il_plan_run run;
            il_plan_get(exp, pending[next], &run);
            char run_dir[4096], runs_dir[4096];
            if ((st = il__run_path(run_dir, sizeof run_dir, dir, run.id, NULL, err)) != IL_OK) break;
            if ((st = il__path_join(runs_dir, sizeof runs_dir, dir, IL_RUNS_DIR, err)) != IL_OK) break;
            il__remove_temporaries_of(runs_dir, run.id);
            il_status sp = spawn(&active[n_active], exp, data, &run, run_dir, opt, active, n_active, err);
            if (sp != IL_OK) {
                if (n_active == 0) st = sp; /* nothing running that could free resources: give up */
                break;
            }
            n_active++;
            next++;
        }
        if (n_active == 0) break;
        for (size_t i = 0; i < n_active; i++)
            pfd[i] = (struct pollfd){.fd = active[i].fd, .events = POLLIN};
        /* A timeout, so a stop request is noticed even when no worker ends for a while. An error of
         * poll itself (interrupted, short of memory) only means: look again. */
        if (poll(pfd, n_active, 200) < 0) continue;
        for (size_t i = n_active; i-- > 0;) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            worker *w = &active[i];
            char *dst = (char *)&w->msg + w->got;
            size_t room = sizeof w->msg - w->got;
            char sink[256];
            ssize_t r = room ? read(w->fd, dst, room) : read(w->fd, sink, sizeof sink);
            if (r > 0) {
                if (room) w->got += (size_t)r;
                continue;
            }
            if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            close(w->fd);
            collect(w, exp, dir, opt, tally);
            active[i] = active[n_active - 1];
            n_active--;
        }
    }
    free(active);
    free(pfd);
    return st;
}

/* ---- the experiment ------------------------------------------------------------------------------------ */

static il_status check_options(const il_experiment *exp, const il_runner_options *opt, il_error *err) {
    if ((opt->shard_n == 0) != (opt->shard_k == 0) || opt->shard_k > opt->shard_n)
        return il_fail(err, IL_ERR_USAGE, "shard %zu/%zu: expected K/N with 1 <= K <= N, e.g. --shard 1/4",
                       opt->shard_k, opt->shard_n);
    il_status st = il_experiment_check(exp, err);
    if (st != IL_OK) return st;
    /* Run ids name folders: two labels that clean up to the same name would share one. */
    char a[IL_NAME_MAX + 32], b[IL_NAME_MAX + 32];
    for (size_t i = 0; i < exp->n_inits; i++) {
        for (size_t j = i + 1; j < exp->n_inits; j++) {
            il__run_id(exp, i, 0, a, sizeof a);
            il__run_id(exp, j, 0, b, sizeof b);
            if (strcmp(a, b) == 0)
                return il_fail(
                    err, IL_ERR_USAGE,
                    "[inits] labels \"%s\" and \"%s\" name the same run folders; give them labels that "
                    "differ in letters, digits, '.', '-' or '_'",
                    exp->inits[i].label, exp->inits[j].label);
        }
    }
    for (size_t i = 0; i < exp->n_seeds; i++)
        for (size_t j = i + 1; j < exp->n_seeds; j++)
            if (exp->seeds[i] == exp->seeds[j])
                return il_fail(err, IL_ERR_USAGE, "[seeds] seed %llu is listed twice",
                               (unsigned long long)exp->seeds[i]);
    return IL_OK;
}

il_status il_run_experiment(const il_experiment *exp, const il_runner_options *opt, il_run_report *report,
                            il_error *err) {
    il_run_report local;
    if (!report) report = &local;
    memset(report, 0, sizeof *report);
    double t0 = now_seconds();
    il_status st = check_options(exp, opt, err);
    if (st != IL_OK) return st;
    report->runs_in_plan = il_plan_size(exp);

    st = choose_folder(exp, opt, report->out_dir, sizeof report->out_dir, err);
    if (st != IL_OK) return st;
    const char *dir = report->out_dir;
    char fingerprint[17];
    folder_kind kind = FOLDER_NEW;
    il__meta there = {0};
    st = il__fingerprint(exp, fingerprint, err);
    if (st == IL_OK) st = guard_folder(dir, opt->resume, exp, fingerprint, &kind, &there, err);
    if (st != IL_OK) return st;

    il_data loaded;
    memset(&loaded, 0, sizeof loaded);
    const il_data *data = opt->data;
    if (!data) {
        progress(opt, "loading data %s", exp->data);
        st = il_data_load(&loaded, exp->data, &exp->data_opt, err);
        if (st != IL_OK) { /* before the folder is made: a bad data spec leaves nothing behind */
            il__meta_free(&there);
            return st;
        }
        data = &loaded;
    }
    /* The runs already in the folder were trained on the data of its meta: the same examples or none. */
    char data_fingerprint[17];
    il__data_fingerprint(data, data_fingerprint);
    if (kind == FOLDER_STARTED) st = check_dependencies(dir, &there, exp, fingerprint, data_fingerprint, err);
    il__meta_free(&there);
    il_net_spec spec;
    if (st == IL_OK) st = il_run_net_spec(exp, data, &spec, err);

    /* The plan of this slice, minus what a previous invocation finished. Every run of a started folder
     * is looked at before anything is written: one that cannot be read stops here, folder untouched. */
    size_t plan = report->runs_in_plan;
    size_t *pending = st == IL_OK ? malloc((plan ? plan : 1) * sizeof *pending) : NULL;
    if (st == IL_OK && !pending)
        st = il_fail(err, IL_ERR_NOMEM, "out of memory for a plan of %zu runs", plan);
    size_t n_pending = 0;
    for (size_t i = 0; st == IL_OK && i < plan; i++) {
        if (!il_plan_in_shard(i, opt->shard_k, opt->shard_n)) continue;
        report->runs_in_shard++;
        il_plan_run run;
        il_plan_get(exp, i, &run);
        int complete = 0;
        if (kind == FOLDER_STARTED) st = il__run_state(dir, run.id, &complete, err);
        if (st != IL_OK) break;
        if (complete)
            report->runs_skipped++;
        else
            pending[n_pending++] = i;
    }
    /* A kill while a run's file was being replaced leaves its temporary beside; the run stays complete. */
    for (size_t i = 0; st == IL_OK && kind == FOLDER_STARTED && i < plan; i++) {
        il_plan_run run;
        il_plan_get(exp, i, &run);
        char run_dir[4096];
        if (il__run_path(run_dir, sizeof run_dir, dir, run.id, NULL, NULL) == IL_OK)
            il__remove_temporaries(run_dir);
    }
    size_t jobs = opt->jobs ? opt->jobs : exp->jobs ? exp->jobs : online_cores();
    /* Before the folder is made: a network the machine cannot hold leaves nothing behind. */
    if (st == IL_OK)
        st = il__run_memory_check(exp, data, &spec, jobs < plan ? jobs : plan, il__machine_memory_bytes(),
                                  err);
    char path[4096];
    /* What interrupted writes left (a meta or config.ini half written, a run killed while its folder
     * was being filled) goes; then runs/, config.ini and meta, in that order: meta marks the folder as
     * started, and a folder that lacks it holds nothing but what this order leaves. */
    if (st == IL_OK) {
        il__remove_temporaries(dir);
        st = il__path_join(path, sizeof path, dir, IL_RUNS_DIR, err);
    }
    if (st == IL_OK) il__remove_temporaries(path);
    if (st == IL_OK) st = il_make_dirs(path, err);
    if (st == IL_OK) st = il__path_join(path, sizeof path, dir, "config.ini", err);
    if (st == IL_OK) st = il_experiment_write_ini(exp, path, err);
    if (st == IL_OK) st = write_meta(dir, exp, data, fingerprint, data_fingerprint, jobs, opt, err);
    if (jobs > n_pending) jobs = n_pending ? n_pending : 1;
    report->jobs = jobs;

    pool_tally tally = {.to_run = n_pending};
    int stopped = 0;
    report->folder_ready = st == IL_OK; /* config.ini and meta are there: the folder is this experiment's */
    if (report->folder_ready) {
        char shard[64] = "";
        if (opt->shard_n)
            snprintf(shard, sizeof shard, ", slice %zu/%zu has %zu", opt->shard_k, opt->shard_n,
                     report->runs_in_shard);
        progress(opt, "results: %s", dir);
        progress(opt,
                 "plan: %zu runs (%zu inits x %zu seeds)%s; %zu already complete, %zu to run, %zu at once",
                 plan, exp->n_inits, exp->n_seeds, shard, report->runs_skipped, n_pending, jobs);
        st = run_pool(exp, data, dir, pending, n_pending, jobs, opt, &tally, &stopped, err);
    }
    report->runs_executed = tally.done;
    report->runs_finished = tally.finished;
    report->runs_diverged = tally.diverged;
    report->runs_failed = tally.failed;
    report->runs_missing = report->runs_in_shard - report->runs_skipped - tally.finished - tally.diverged;
    free(pending);
    if (!opt->data) il_data_free(&loaded);

    report->seconds = now_seconds() - t0;
    if (st != IL_OK) return st;
    if (stopped)
        return il_fail(err, IL_ERR_STOPPED,
                       "stopped by the user: %zu of %zu runs are complete in %s; to finish the rest, run "
                       "the same command again with --resume --out %s",
                       report->runs_in_shard - report->runs_missing, report->runs_in_shard, dir, dir);
    if (tally.failed)
        return il_fail(err, tally.first_failure,
                       "%zu of %zu runs failed (the others are complete in %s); first: %s", tally.failed,
                       n_pending, dir, tally.first_failure_msg);
    return IL_OK;
}
