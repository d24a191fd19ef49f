/* run_one.c - one run of the plan, the only training loop of the program (`initlab run` and
 * `initlab train` both come here): build the network, draw its starting weights from the seed's init
 * stream, take il_train_step after il_train_step in the seed's epoch order, measure at every log point
 * (epoch 0 before any update, every N steps of the first epoch if asked, every log_every_epochs epochs
 * and the last), write the run's own files atomically and hand the log back if asked. Parallelism,
 * folders and merging live in runner.c/results.c.
 */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "initlab/fileio.h"
#include "initlab/probe.h"
#include "initlab/rng.h"
#include "initlab/train.h"
#include "runner/runner_internal.h"

typedef struct {
    const il_experiment *exp;
    const il_data *data;
    const il_init_entry *init;
    uint64_t seed;
    il_net *net;
    il_probe *probe;
    il_run_log log; /* log.net is net */
    struct timespec start;
    size_t steps_per_epoch;
} run_state;

static double seconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
}

il_status il_run_net_spec(const il_experiment *exp, const il_data *data, il_net_spec *spec, il_error *err) {
    memset(spec, 0, sizeof *spec);
    if (exp->n_hidden + 1 > IL_MAX_LAYERS)
        return il_fail(err, IL_ERR_USAGE, "[network] has %zu hidden layers; at most %d are supported",
                       exp->n_hidden, IL_MAX_LAYERS - 1);
    spec->n_layers = exp->n_hidden + 1;
    spec->sizes[0] = data->train.d;
    for (size_t l = 0; l < exp->n_hidden; l++) {
        spec->sizes[l + 1] = exp->hidden[l];
        spec->hidden[l] = exp->activation;
    }
    spec->sizes[spec->n_layers] = data->train.t;
    if (exp->output >= 0)
        spec->output = (il_output)exp->output;
    else if (data->task == IL_TASK_REGRESSION)
        spec->output = IL_OUT_IDENTITY;
    else
        spec->output = data->train.t == 1 ? IL_OUT_SIGMOID : IL_OUT_SOFTMAX;
    if (data->test.n && (data->test.d != data->train.d || data->test.t != data->train.t))
        return il_fail(err, IL_ERR_FORMAT,
                       "data %s: the test set has %zu inputs and %zu targets, the training "
                       "set %zu and %zu",
                       data->name, data->test.d, data->test.t, data->train.d, data->train.t);
    return il_net_spec_check(spec, err);
}

/* ---- measuring ----------------------------------------------------------------------------------------- */

/* Mean squared error per target over the whole set (the ESL test error), from the predictions: used
 * when the output is not the identity (for the identity, loss = (1/2B) sum (p - y)^2 = MSE * T / 2, so
 * the MSE is read off the loss instead of a second pass over the test set). */
static double mean_squared_error(il_net *net, const il_dataset *ds) {
    size_t L = net->spec.n_layers, T = ds->t;
    double sum = 0.0;
    for (size_t off = 0; off < ds->n; off += net->max_batch) {
        size_t B = ds->n - off < net->max_batch ? ds->n - off : net->max_batch;
        il_net_forward(net, ds->x + off * ds->d, B);
        const float *p = net->a[L - 1]; /* (B, T) */
        const float *y = ds->y + off * T;
        for (size_t i = 0; i < B * T; i++) {
            double d = (double)p[i] - (double)y[i];
            sum += d * d;
        }
    }
    return ds->n ? sum / ((double)ds->n * (double)T) : NAN;
}

/* Unit-weighted means over the hidden layers (layers whose value does not apply are left out) and the
 * total of distinct units: the per-run numbers behind saturated_wide.csv and friends. */
static void hidden_aggregates(const il_probe_layer *layers, size_t L, il_run_point *row) {
    double sat = 0, sat_w = 0, lin = 0, lin_w = 0, dead = 0, dead_w = 0, distinct = 0;
    for (size_t l = 0; l + 1 < L; l++) {
        double w = (double)layers[l].units;
        if (isfinite(layers[l].saturated)) sat += w * layers[l].saturated, sat_w += w;
        if (isfinite(layers[l].linear_region)) lin += w * layers[l].linear_region, lin_w += w;
        if (isfinite(layers[l].dead)) dead += w * layers[l].dead, dead_w += w;
        distinct += (double)layers[l].distinct_units;
    }
    row->saturated = sat_w > 0 ? sat / sat_w : NAN;
    row->linear_region = lin_w > 0 ? lin / lin_w : NAN;
    row->dead = dead_w > 0 ? dead / dead_w : NAN;
    row->distinct_units = L > 1 ? distinct : NAN;
}

/* A log point shows divergence when a loss is not finite or the training loss exceeds [training]
 * divergence_loss. */
static int row_diverged(const il_experiment *exp, const il_run_point *row) {
    if (!isfinite(row->train_loss)) return 1;
    if (!isnan(row->test_loss) && !isfinite(row->test_loss)) return 1;
    return exp->divergence_loss > 0 && row->train_loss > exp->divergence_loss;
}

static il_status log_point(run_state *s, double epoch, size_t step, const il_run_observer *obs, int *diverged,
                           il_error *err) {
    il_run_log *log = &s->log;
    if (log->n_points == log->capacity) {
        size_t cap = log->capacity ? log->capacity * 2 : 64;
        il_run_point *rows = realloc(log->points, cap * sizeof *rows);
        if (rows) log->points = rows;
        il_probe_layer *layers = rows ? realloc(log->layers, cap * log->n_layers * sizeof *layers) : NULL;
        if (!layers)
            return il_fail(err, IL_ERR_NOMEM, "out of memory for the log of run %s seed %llu", s->init->label,
                           (unsigned long long)s->seed);
        log->layers = layers;
        log->capacity = cap;
    }
    il_run_point *row = &log->points[log->n_points];
    il_probe_layer *layers = &log->layers[log->n_points * log->n_layers];
    memset(row, 0, sizeof *row);
    row->epoch = epoch;
    row->step = step;
    if (!il_net_is_finite(s->net)) {
        /* Not a log point at all: the caller treats the run as diverged and writes no row for it. */
        *diverged = 1;
        return IL_OK;
    }
    const il_data *d = s->data;
    il_eval train = il_net_evaluate(s->net, d->train.x, d->train.y, d->train.n);
    row->train_loss = train.loss;
    row->test_loss = row->test_accuracy = row->test_mse = row->relative_test_error = NAN;
    if (d->test.n) {
        il_eval test = il_net_evaluate(s->net, d->test.x, d->test.y, d->test.n);
        row->test_loss = test.loss;
        if (d->task == IL_TASK_CLASSIFICATION) {
            row->test_accuracy = test.accuracy;
        } else {
            row->test_mse = s->net->spec.output == IL_OUT_IDENTITY ? 2.0 * test.loss / (double)d->test.t
                                                                   : mean_squared_error(s->net, &d->test);
            if (isfinite(d->bayes_error) && d->bayes_error > 0)
                row->relative_test_error = row->test_mse / d->bayes_error;
        }
    }
    il_status st = il_probe_measure(s->probe, s->net, s->exp->sgd.weight_decay, layers, &row->probe, err);
    if (st != IL_OK) return st;
    hidden_aggregates(layers, log->n_layers, row);
    row->seconds = seconds_since(&s->start);
    log->n_points++;
    if (obs && obs->on_log) obs->on_log(obs->ctx, row, layers, log->n_layers);
    *diverged = row_diverged(s->exp, row);
    return IL_OK;
}

/* ---- writing the run's files --------------------------------------------------------------------------- */

static void put_number(FILE *f, double v) {
    char buf[40];
    fputc(',', f);
    fputs(il_csv_number(buf, sizeof buf, v), f);
}

static void put_size(FILE *f, size_t v) {
    fprintf(f, ",%zu", v);
}

/* "init,seed,epoch,step" of a row. */
static void put_row_key(FILE *f, const il_run_log *log, const il_run_point *row) {
    char buf[40];
    il_csv_text(f, log->label);
    fprintf(f, ",%llu,%s,%zu", (unsigned long long)log->seed, il_csv_number(buf, sizeof buf, row->epoch),
            row->step);
}

static const char *layer_activation(const il_net *net, size_t l) {
    return l + 1 < net->spec.n_layers ? il_act_name(net->spec.hidden[l]) : il_output_name(net->spec.output);
}

/* What the file bodies read: the log alone, except run.csv, which also needs the run and its outcome
 * (s and outcome are NULL when only the curves are written, by il_run_log_write_curves). */
typedef struct {
    const il_run_log *log;
    const run_state *s;
    const il_run_outcome *outcome;
    int no_timing;
} write_ctx;

static void write_curves(FILE *f, const write_ctx *w) {
    const il_run_log *log = w->log;
    for (size_t i = 0; i < log->n_points; i++) {
        const il_run_point *r = &log->points[i];
        put_row_key(f, log, r);
        put_number(f, r->train_loss);
        put_number(f, r->test_loss);
        put_number(f, r->test_accuracy);
        put_number(f, r->test_mse);
        put_number(f, r->relative_test_error);
        put_number(f, r->probe.linearity);
        put_number(f, r->probe.weight_norm);
        put_number(f, r->probe.param_norm);
        put_number(f, r->probe.grad_norm);
        put_number(f, r->probe.probe_loss);
        put_number(f, r->saturated);
        put_number(f, r->linear_region);
        put_number(f, r->dead);
        put_number(f, r->distinct_units);
        fputc('\n', f);
    }
}

static void write_layers(FILE *f, const write_ctx *w) {
    const il_run_log *log = w->log;
    for (size_t i = 0; i < log->n_points; i++) {
        for (size_t l = 0; l < log->n_layers; l++) {
            const il_probe_layer *p = &log->layers[i * log->n_layers + l];
            put_row_key(f, log, &log->points[i]);
            fprintf(f, ",%zu,%s", l + 1, layer_activation(log->net, l));
            put_size(f, p->units);
            put_number(f, p->weight_norm);
            put_number(f, p->grad_norm);
            put_number(f, p->preact_mean);
            put_number(f, p->preact_std);
            put_number(f, p->act_mean);
            put_number(f, p->act_std);
            put_number(f, p->saturated);
            put_number(f, p->linear_region);
            put_number(f, p->dead);
            put_size(f, p->distinct_units);
            fputc('\n', f);
        }
    }
}

/* Activation histograms at the first log point (epoch 0) and the last one. */
static void write_histograms(FILE *f, const write_ctx *w) {
    const il_run_log *log = w->log;
    size_t points[2] = {0, log->n_points - 1};
    size_t n_points = log->n_points > 1 ? 2 : 1;
    for (size_t k = 0; k < n_points; k++) {
        size_t i = points[k];
        for (size_t l = 0; l < log->n_layers; l++) {
            const il_probe_layer *p = &log->layers[i * log->n_layers + l];
            double width = (p->hist_hi - p->hist_lo) / IL_HIST_BINS;
            for (size_t b = 0; b < IL_HIST_BINS; b++) {
                put_row_key(f, log, &log->points[i]);
                fprintf(f, ",%zu,%s,%zu", l + 1, layer_activation(log->net, l), b + 1);
                put_number(f, p->hist_lo + width * (double)b);
                put_number(f, b + 1 == IL_HIST_BINS ? p->hist_hi : p->hist_lo + width * (double)(b + 1));
                put_size(f, p->hist[b]);
                fputc('\n', f);
            }
        }
    }
}

static void write_timing(FILE *f, const write_ctx *w) {
    const il_run_log *log = w->log;
    for (size_t i = 0; i < log->n_points; i++) {
        put_row_key(f, log, &log->points[i]);
        put_number(f, log->points[i].seconds);
        fputc('\n', f);
    }
}

static void write_run_row(FILE *f, const write_ctx *w) {
    const run_state *s = w->s;
    const il_run_outcome *o = w->outcome;
    const il_experiment *exp = s->exp;
    const il_run_point *first = &s->log.points[0];
    const il_run_point *last = &s->log.points[s->log.n_points - 1];
    int finished = o->status == IL_RUN_FINISHED;

    char id[IL_NAME_MAX + 32];
    il__run_id(exp, (size_t)(s->init - exp->inits), s->seed, id, sizeof id);

    /* init_spec: one "name[:value]" when every layer starts alike, else one per layer joined by '/', as
     * the [inits] list of the config writes it. */
    char spec[512] = "", one[64];
    size_t n_specs = s->init->n_specs > 1 ? s->net->spec.n_layers : 1;
    for (size_t l = 0; l < n_specs; l++) {
        il_init_format(&s->init->layer[l], one, sizeof one);
        size_t used = strlen(spec);
        snprintf(spec + used, sizeof spec - used, "%s%s", l ? "/" : "", one);
    }
    size_t hidden_units = 0;
    for (size_t l = 0; l + 1 < s->net->spec.n_layers; l++)
        hidden_units += s->net->spec.sizes[l + 1];

    il_csv_text(f, id);
    fputc(',', f);
    il_csv_text(f, s->init->label);
    fputc(',', f);
    il_csv_text(f, spec);
    fprintf(f, ",%llu,%s", (unsigned long long)s->seed, finished ? "finished" : "diverged");
    put_number(f, finished ? NAN : o->diverged_epoch);
    put_size(f, o->epochs);
    put_size(f, o->steps);
    put_number(f, finished ? last->train_loss : NAN);
    put_number(f, finished ? last->test_loss : NAN);
    put_number(f, finished ? last->test_accuracy : NAN);
    put_number(f, finished ? last->test_mse : NAN);
    put_number(f, finished ? last->relative_test_error : NAN);
    put_number(f, first->probe.linearity);
    put_number(f, finished ? last->probe.linearity : NAN);
    put_number(f, first->saturated);
    put_number(f, finished ? last->saturated : NAN);
    put_number(f, first->dead);
    put_number(f, finished ? last->dead : NAN);
    put_number(f, first->distinct_units);
    put_number(f, finished ? last->distinct_units : NAN);
    put_size(f, hidden_units);
    put_number(f, first->probe.weight_norm);
    put_number(f, finished ? last->probe.weight_norm : NAN);
    put_number(f, w->no_timing ? NAN : o->seconds);
    fputc('\n', f);
}

/* One result file at path, atomically: its header line, then the body. */
static il_status write_path(const char *path, const il_result_file *file,
                            void (*body)(FILE *, const write_ctx *), const write_ctx *w, il_error *err) {
    il_atomic_file af;
    il_status st = il_atomic_open(&af, path, err);
    if (st != IL_OK) return st;
    fputs(file->header, af.f);
    fputc('\n', af.f);
    body(af.f, w);
    return il_atomic_commit(&af, err);
}

static il_status write_file(const char *dir, const il_result_file *file,
                            void (*body)(FILE *, const write_ctx *), const write_ctx *w, il_error *err) {
    char path[4096];
    il_status st = il__path_join(path, sizeof path, dir, file->name, err);
    if (st != IL_OK) return st;
    return write_path(path, file, body, w, err);
}

/* The run's files into a temporary folder beside run_dir, which then becomes run_dir: the run appears
 * whole or not at all, and a failure leaves run_dir as it was. */
static il_status write_run_files(const char *run_dir, const write_ctx *w, il_error *err) {
    void (*bodies[IL_RESULT_FILE_COUNT])(FILE *, const write_ctx *) = {
        write_curves, write_layers, write_histograms, write_timing, write_run_row};
    char tmp[4096];
    il_status st = il__folder_stage_open(run_dir, tmp, sizeof tmp, err);
    if (st != IL_OK) return st;
    for (size_t i = 0; i < IL_RESULT_FILE_COUNT && st == IL_OK; i++) {
        if (il__result_files[i].optional && w->no_timing) continue;
        st = write_file(tmp, &il__result_files[i], bodies[i], w, err);
    }
    if (st != IL_OK) {
        il__folder_stage_abort(tmp);
        return st;
    }
    return il__folder_stage_commit(tmp, run_dir, err);
}

il_status il_run_log_write_curves(const il_run_log *log, const char *path, il_error *err) {
    write_ctx w = {.log = log};
    return write_path(path, &il__result_files[0], write_curves, &w, err);
}

void il_run_log_free(il_run_log *log) {
    if (!log) return;
    free(log->points);
    free(log->layers);
    il_net_free(log->net);
    memset(log, 0, sizeof *log);
}

/* ---- the run ------------------------------------------------------------------------------------------- */

typedef struct {
    size_t *order;     /* (N) this epoch's order of training examples */
    size_t *probe_idx; /* (n_probe) */
    float *probe_x;    /* (n_probe, D) */
    float *probe_y;    /* (n_probe, T) */
    il_batch batch;
} run_buffers;

static void free_buffers(run_buffers *b) {
    free(b->order);
    free(b->probe_idx);
    free(b->probe_x);
    free(b->probe_y);
    il_batch_free(&b->batch);
}

static il_status mark_diverged(il_run_outcome *out, size_t epoch) {
    out->status = IL_RUN_DIVERGED;
    out->diverged_epoch = (double)epoch;
    return IL_OK;
}

/* Train until the end or divergence; fills the outcome's status, epochs, steps and diverged_epoch. */
static il_status train(run_state *s, run_buffers *buf, const volatile sig_atomic_t *stop,
                       const il_run_observer *obs, il_run_outcome *out, il_error *err) {
    const il_experiment *exp = s->exp;
    const il_dataset *tr = &s->data->train;
    size_t N = tr->n;
    size_t bs = exp->batch_size == 0 || exp->batch_size > N ? N : exp->batch_size;
    il_rng data_rng;
    il_rng_seed(&data_rng, s->seed, IL_STREAM_DATA);

    int diverged = 0;
    il_status st = log_point(s, 0.0, 0, obs, &diverged, err);
    if (st != IL_OK) return st;
    if (diverged) return mark_diverged(out, 0);
    size_t step = 0;
    for (size_t epoch = 1; epoch <= exp->epochs; epoch++) {
        il_epoch_order_next(&data_rng, buf->order, N);
        for (size_t j = 0; j < s->steps_per_epoch; j++) {
            if (stop && *stop)
                return il_fail(err, IL_ERR_STOPPED, "run %s seed %llu stopped by the user", s->init->label,
                               (unsigned long long)s->seed);
            size_t off = j * bs, B = N - off < bs ? N - off : bs;
            double loss = NAN;
            il_error step_err;
            st = il_train_step(s->net, &buf->batch, tr->x, tr->y, buf->order + off, B, &exp->sgd, &loss,
                               &step_err);
            step++;
            out->steps = step;
            diverged = st == IL_ERR_NUMERIC || !isfinite(loss) ||
                       (exp->divergence_loss > 0 && loss > exp->divergence_loss);
            if (st != IL_OK && st != IL_ERR_NUMERIC) {
                if (err) *err = step_err;
                return st;
            }
            if (obs && obs->on_batch)
                obs->on_batch(obs->ctx, epoch, step, buf->order + off, B, buf->batch.x, buf->batch.y);
            if (obs && obs->on_step)
                obs->on_step(obs->ctx, epoch, (double)(j + 1) / (double)s->steps_per_epoch);
            if (diverged) return mark_diverged(out, epoch);
            if (epoch == 1 && exp->log_every_steps && step % exp->log_every_steps == 0 &&
                step < s->steps_per_epoch) {
                st = log_point(s, (double)step / (double)s->steps_per_epoch, step, obs, &diverged, err);
                if (st != IL_OK) return st;
                if (diverged) return mark_diverged(out, epoch);
            }
        }
        out->epochs = epoch;
        int due = exp->log_every_epochs ? epoch % exp->log_every_epochs == 0 : 0;
        if (due || epoch == exp->epochs) {
            st = log_point(s, (double)epoch, step, obs, &diverged, err);
            if (st != IL_OK) return st;
            if (diverged) return mark_diverged(out, epoch);
        }
    }
    out->status = IL_RUN_FINISHED;
    return IL_OK;
}

il_status il_run_single(const il_experiment *exp, const il_data *data, size_t init_index, uint64_t seed,
                        const char *run_dir, int no_timing, const volatile sig_atomic_t *stop,
                        const il_run_observer *observer, il_run_outcome *out, il_error *err) {
    il_run_outcome outcome = {.status = IL_RUN_FINISHED, .diverged_epoch = NAN, .test_loss = NAN};
    if (out) *out = outcome;
    il_run_log *keep = observer ? observer->keep : NULL;
    if (keep) memset(keep, 0, sizeof *keep);
    if (init_index >= exp->n_inits)
        return il_fail(err, IL_ERR_USAGE, "init number %zu does not exist; the experiment has %zu",
                       init_index + 1, exp->n_inits);
    if (data->train.n == 0)
        return il_fail(err, IL_ERR_USAGE, "data %s: the training set is empty", data->name);

    run_state s = {.exp = exp, .data = data, .init = &exp->inits[init_index], .seed = seed};
    snprintf(s.log.label, sizeof s.log.label, "%s", s.init->label);
    s.log.seed = seed;
    clock_gettime(CLOCK_MONOTONIC, &s.start);
    il_net_spec spec;
    il_status st = il_run_net_spec(exp, data, &spec, err);
    if (st != IL_OK) return st;

    const il_dataset *tr = &data->train;
    size_t N = tr->n, D = tr->d, T = tr->t;
    il__run_shape shape;
    il__run_shape_of(exp, data, &shape);
    size_t bs = shape.batch, max_batch = shape.max_batch, n_probe = shape.n_probe;
    s.steps_per_epoch = (N + bs - 1) / bs;
    s.log.n_layers = spec.n_layers;
    /* Nothing is allocated for a run the machine cannot hold (`initlab train` arrives here directly). */
    st = il__run_memory_check(exp, data, &spec, 1, il__machine_memory_bytes(), err);
    if (st != IL_OK) return st;

    run_buffers buf = {0};
    if (D &&
        (n_probe > ((size_t)-1) / sizeof(float) / D || n_probe > ((size_t)-1) / sizeof(float) / (T ? T : 1)))
        return il_fail(err, IL_ERR_NOMEM, "probe of %zu samples is too large", n_probe);
    buf.order = malloc(N * sizeof *buf.order);
    buf.probe_idx = malloc(n_probe * sizeof *buf.probe_idx);
    buf.probe_x = malloc(n_probe * D * sizeof *buf.probe_x);
    buf.probe_y = malloc(n_probe * T * sizeof *buf.probe_y);
    if (!buf.order || !buf.probe_idx || !buf.probe_x || !buf.probe_y) {
        free_buffers(&buf);
        return il_fail(err, IL_ERR_NOMEM, "out of memory for run %s seed %llu", s.init->label,
                       (unsigned long long)seed);
    }
    st = il_batch_alloc(&buf.batch, bs, D, T, err);
    if (st == IL_OK) st = il_net_create(&s.net, &spec, max_batch, err);
    if (st == IL_OK) {
        s.log.net = s.net;
        /* The only difference between the inits of one seed: the starting weights. */
        il_rng init_rng;
        il_rng_seed(&init_rng, seed, IL_STREAM_INIT);
        il_net_init(s.net, s.init->layer, &init_rng);
        il_run_probe_indices(seed, N, n_probe, buf.probe_idx);
        for (size_t i = 0; i < n_probe; i++) {
            memcpy(buf.probe_x + i * D, tr->x + buf.probe_idx[i] * D, D * sizeof(float));
            memcpy(buf.probe_y + i * T, tr->y + buf.probe_idx[i] * T, T * sizeof(float));
        }
        if (observer && observer->on_probe)
            observer->on_probe(observer->ctx, buf.probe_idx, n_probe, buf.probe_x, buf.probe_y);
        st = il_probe_create(&s.probe, &spec, buf.probe_x, buf.probe_y, n_probe, err);
    }
    if (st == IL_OK) st = train(&s, &buf, stop, observer, &outcome, err);
    if (st == IL_OK) {
        outcome.seconds = seconds_since(&s.start);
        if (outcome.status == IL_RUN_FINISHED) outcome.test_loss = s.log.points[s.log.n_points - 1].test_loss;
        if (run_dir) {
            /* Ctrl-C during the few milliseconds of writing is held until the files are complete: the
             * run is done, losing it now would only cost a rerun. */
            sigset_t block, saved;
            sigemptyset(&block);
            sigaddset(&block, SIGINT);
            sigaddset(&block, SIGTERM);
            sigaddset(&block, SIGHUP);
            pthread_sigmask(SIG_BLOCK, &block, &saved);
            write_ctx w = {&s.log, &s, &outcome, no_timing};
            st = write_run_files(run_dir, &w, err);
            pthread_sigmask(SIG_SETMASK, &saved, NULL);
        }
    }
    if (st == IL_OK && out) *out = outcome;
    il_probe_free(s.probe);
    free_buffers(&buf);
    if (st == IL_OK && keep)
        *keep = s.log; /* the caller takes the log and the network (s.log.net) over */
    else
        il_run_log_free(&s.log); /* frees s.net too */
    return st;
}
