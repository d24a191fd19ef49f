/* test_faults_bounds.c - endless input is refused early (issue 11, "Bounded reads"): every reader pointed
 * at /dev/zero or /dev/urandom, or at a FIFO fed forever after a valid header, refuses it within its
 * format's limit, in well under a second, naming the file (and, for a stream past its header's size, the
 * limit; a results CSV read row by row, at its longest record), while the process's peak memory grows by a
 * few MiB, not by the gigabytes it once took.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/files.h"
#include "initlab/data.h"
#include "initlab/experiment.h"
#include "initlab/model.h"
#include "initlab/net.h"
#include "testutil.h"

/* What bounds a read is the memory it may take (asserted below) and the bytes the message names; the
 * time is printed, and asserted only as a guard against a reader that never stops: a loaded machine
 * must not fail the test (the refusals take 0.001-0.7 s on an idle one). A sanitizer build reads and
 * checks every byte several times slower, and its realloc copies (the old and the new buffer both
 * count) into memory it shadows. */
#ifdef INITLAB_SANITIZE_BUILD
#define MAX_SECONDS   60.0
#define MEMORY_FACTOR 3
#else
#define MAX_SECONDS   20.0
#define MEMORY_FACTOR 1
#endif
#define MiB ((size_t)1 << 20)

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The peak resident memory of this process so far, in bytes. */
static size_t peak_rss(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (size_t)u.ru_maxrss * 1024;
}

/* A refusal: not IL_OK, fast, the peak memory grown by less than max_growth, the message naming what. */
typedef struct {
    double t0;
    size_t rss0;
} watch;

static watch start(void) {
    watch w = {now(), peak_rss()};
    return w;
}

static void check_refused(const watch *w, il_status st, const il_error *err, size_t max_growth,
                          const char *name, const char *says) {
    double seconds = now() - w->t0;
    size_t growth = peak_rss() - w->rss0;
    print_message("  %.3f s, peak memory +%.1f MiB: %s\n", seconds, (double)growth / (double)MiB, err->msg);
    assert_int_not_equal(st, IL_OK);
    assert_true(seconds < MAX_SECONDS);
    assert_true(growth < max_growth * MEMORY_FACTOR);
    assert_non_null(strstr(err->msg, name));
    if (says) assert_non_null(strstr(err->msg, says));
}

/* ---- a FIFO fed forever ---------------------------------------------------------------------------- */

typedef struct {
    pid_t pid;
    char path[4096];
} feeder;

/* Make a FIFO in dir and a child that writes head, then body over and over until the reader goes (the
 * write then fails or SIGPIPE ends it). Buffers are made before the fork; the child only writes. */
static void feed_forever(feeder *f, const char *dir, const char *name, const void *head, size_t head_len,
                         const void *body, size_t body_len) {
    snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
    assert_int_equal(mkfifo(f->path, 0600), 0);
    f->pid = fork();
    assert_true(f->pid >= 0);
    if (f->pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        int fd = open(f->path, O_WRONLY);
        if (fd < 0) _exit(1);
        if (head_len && write(fd, head, head_len) != (ssize_t)head_len) _exit(0);
        while (write(fd, body, body_len) > 0) {
        }
        _exit(0);
    }
}

/* The child is ours: it ends by SIGPIPE once the reader has closed; a reader that never opened the FIFO
 * would leave it waiting in open, so it is killed in any case. */
static void feeder_stop(feeder *f) {
    kill(f->pid, SIGKILL);
    waitpid(f->pid, NULL, 0);
    unlink(f->path);
}

static char zeros[1 << 16];

/* ---- /dev/zero and /dev/urandom ---------------------------------------------------------------------- */

static void test_a_csv_dataset_from_dev_zero_or_dev_urandom_is_refused_at_once_as_not_text(void **state) {
    (void)state;
    const char *devices[] = {"/dev/zero", "/dev/urandom"};
    for (size_t i = 0; i < 2; i++) {
        char spec[128];
        snprintf(spec, sizeof spec, "csv:file=%s,label=y", devices[i]);
        il_data_options opt;
        il_data_options_default(&opt);
        il_data data;
        memset(&data, 0, sizeof data);
        il_error err;
        watch w = start();
        il_status st = il_data_load(&data, spec, &opt, &err);
        check_refused(&w, st, &err, 16 * MiB, devices[i], "NUL byte");
        il_data_free(&data);
    }
}

static void test_an_idx_file_from_dev_zero_or_dev_urandom_is_refused_by_its_header(void **state) {
    (void)state;
    const char *devices[] = {"/dev/zero", "/dev/urandom"};
    for (size_t i = 0; i < 2; i++) {
        char spec[128];
        snprintf(spec, sizeof spec, "idx:images=%s,labels=%s", devices[i], devices[i]);
        il_data_options opt;
        il_data_options_default(&opt);
        il_data data;
        memset(&data, 0, sizeof data);
        il_error err;
        watch w = start();
        il_status st = il_data_load(&data, spec, &opt, &err);
        /* zeros: the type byte 0x00; random bytes: not the 00 00 magic (or, rarely, a gzip magic whose
         * deflate data is corrupt): each within the 64 KiB head. */
        check_refused(&w, st, &err, 16 * MiB, devices[i], NULL);
        il_data_free(&data);
    }
}

static void test_a_model_from_dev_zero_or_dev_urandom_is_refused_by_its_magic(void **state) {
    (void)state;
    const char *devices[] = {"/dev/zero", "/dev/urandom"};
    for (size_t i = 0; i < 2; i++) {
        il_net *net = NULL;
        il_error err;
        watch w = start();
        il_status st = il_model_load(&net, devices[i], 16, &err);
        check_refused(&w, st, &err, 16 * MiB, devices[i], "not an initlab model file");
        assert_null(net);
    }
}

static void test_an_experiment_file_from_dev_zero_is_refused_at_its_1_mib_limit(void **state) {
    (void)state;
    il_experiment *exp = malloc(sizeof *exp);
    assert_non_null(exp);
    il_experiment_default(exp);
    il_error err;
    watch w = start();
    il_status st = il_experiment_load(exp, "/dev/zero", &err);
    check_refused(&w, st, &err, 16 * MiB, "/dev/zero", "1048576 bytes");
    free(exp);
}

static void test_a_results_file_from_dev_zero_is_refused_as_not_text(void **state) {
    (void)state;
    char *text = NULL;
    size_t size = 0;
    il_error err;
    watch w = start();
    il_status st = il__read_text_file("/dev/zero", IL__RESULT_FILE_MAX_BYTES, &text, &size, &err);
    check_refused(&w, st, &err, 16 * MiB, "/dev/zero", "NUL byte");
    assert_null(text);
}

/* Load the image folder dir (its classes hold sparse files, links). */
static il_status load_one_image(const char *dir, il_error *err) {
    char spec[4200];
    snprintf(spec, sizeof spec, "images:dir=%s", dir);
    return tu_load_spec(spec, err);
}

/* A sparse file of size zero bytes: no disk space, no time. */
static void sparse_file(const char *path, off_t size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, size), 0);
    close(fd);
}

static void test_an_image_of_zeros_is_refused_from_its_first_bytes_and_a_huge_one_by_its_size(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("bounds-images");
    char path[4096];
    snprintf(path, sizeof path, "%s/a", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/b", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/b/zeros.png", dir);
    sparse_file(path, 1000);
    /* 60 MiB of zeros, under the 64 MiB limit: judged by its first 64 KiB, the rest never read. */
    snprintf(path, sizeof path, "%s/a/zeros.png", dir);
    sparse_file(path, (off_t)60 << 20);
    il_error err;
    watch w = start();
    il_status st = load_one_image(dir, &err);
    check_refused(&w, st, &err, 16 * MiB, "a/zeros.png", "cannot decode image");
    /* 3 GiB: refused by its size before a byte is read. */
    sparse_file(path, (off_t)3 << 30);
    w = start();
    st = load_one_image(dir, &err);
    check_refused(&w, st, &err, 16 * MiB, "a/zeros.png", "more than the 67108864 bytes (64.0 MiB)");
    free(dir);
}

static void test_a_device_or_fifo_named_like_an_image_is_not_read(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("bounds-images-dev");
    char path[4096], link[4096];
    snprintf(path, sizeof path, "%s/cat", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(link, sizeof link, "%s/cat/endless.png", dir);
    assert_int_equal(symlink("/dev/zero", link), 0);
    snprintf(path, sizeof path, "%s/dog", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/dog/zeros.png", dir);
    sparse_file(path, 1000);
    il_error err;
    watch w = start();
    il_status st = load_one_image(dir, &err);
    /* Only regular files are images: the class is empty. */
    check_refused(&w, st, &err, 16 * MiB, "/cat holds no images", NULL);
    free(dir);
}

/* ---- FIFOs fed forever after a valid header ---------------------------------------------------------- */

static void put_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* The IDX header of 60000 28 x 28 images: 16 bytes, declaring 47040000 bytes of pixels. */
static void images_header(unsigned char h[16]) {
    h[0] = 0, h[1] = 0, h[2] = 0x08, h[3] = 3;
    put_be32(h + 4, 60000);
    put_be32(h + 8, 28);
    put_be32(h + 12, 28);
}

static il_status load_idx(const char *images, const char *labels, il_error *err) {
    char spec[8400];
    snprintf(spec, sizeof spec, "idx:images=%s,labels=%s", images, labels);
    return tu_load_spec(spec, err);
}

static void test_a_plain_idx_stream_is_cut_just_past_the_size_its_header_declares(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("bounds-idx-fifo");
    unsigned char head[16];
    images_header(head);
    feeder f;
    feed_forever(&f, dir, "train-images", head, sizeof head, zeros, sizeof zeros);
    il_error err;
    watch w = start();
    il_status st = load_idx(f.path, "/dev/null", &err);
    feeder_stop(&f);
    /* 16 + 47040000 declared, and the 64 KiB that lets junk after the data be named. */
    check_refused(&w, st, &err, 128 * MiB, "train-images", "is larger than 47105552 bytes");
    assert_non_null(strstr(err.msg, "its header allows"));
    free(dir);
}

static void test_a_gzip_idx_stream_is_cut_near_the_size_its_inflated_header_declares(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("bounds-idxgz-fifo");
    /* A gzip header, then deflate "stored" blocks (byte 0x00: not final, stored; LEN, ~LEN little-endian,
     * then LEN raw bytes): the first holds the IDX header, the rest zeros, forever. */
    unsigned char head[10 + 5 + 16] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x00, 16, 0, 0xef, 0xff};
    images_header(head + 15);
    static unsigned char block[5 + 65535] = {0x00, 0xff, 0xff, 0x00, 0x00};
    feeder f;
    feed_forever(&f, dir, "train-images.gz", head, sizeof head, block, sizeof block);
    il_error err;
    watch w = start();
    il_status st = load_idx(f.path, "/dev/null", &err);
    feeder_stop(&f);
    /* 47040016 declared + 1/16 + 1 MiB of room for stored blocks and members: 51028593 bytes. */
    check_refused(&w, st, &err, 128 * MiB, "train-images.gz", "is larger than 51028593 bytes");
    free(dir);
}

static void test_a_model_stream_is_cut_just_past_the_size_its_header_declares(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("bounds-model-fifo");
    il_net_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.n_layers = 2;
    spec.sizes[0] = 2, spec.sizes[1] = 3, spec.sizes[2] = 1;
    spec.hidden[0] = IL_ACT_TANH;
    spec.output = IL_OUT_IDENTITY;
    il_net *net = NULL;
    il_error err;
    assert_int_equal(il_net_create(&net, &spec, 1, &err), IL_OK);
    char saved[4200];
    snprintf(saved, sizeof saved, "%s/small.model", dir);
    assert_int_equal(il_model_save(net, saved, &err), IL_OK);
    il_net_free(net);
    size_t size = 0;
    char *bytes = tu_read_file(saved, &size);
    assert_non_null(bytes);
    /* The whole valid model, then zeros forever. */
    feeder f;
    feed_forever(&f, dir, "endless.model", bytes, size, zeros, sizeof zeros);
    net = NULL;
    watch w = start();
    il_status st = il_model_load(&net, f.path, 16, &err);
    feeder_stop(&f);
    char says[64];
    snprintf(says, sizeof says, "is larger than %zu bytes", size + ((size_t)64 << 10));
    check_refused(&w, st, &err, 16 * MiB, "endless.model", says);
    assert_non_null(strstr(err.msg, "its header allows"));
    assert_null(net);
    free(bytes);
    free(dir);
}

static void test_a_results_csv_stream_without_line_ends_stops_at_the_record_limit(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("bounds-results-fifo");
    static char letters[1 << 16];
    memset(letters, 'a', sizeof letters);
    feeder f;
    feed_forever(&f, dir, "runs.csv", NULL, 0, letters, sizeof letters);
    il__csvread r;
    il_error err;
    watch w = start();
    il_status st = il__csvread_open(&r, f.path, &err);
    feeder_stop(&f);
    check_refused(&w, st, &err, 64 * MiB, "runs.csv", "longer than 16777216 bytes");
    free(dir);
}

/* Last: this one may take the CSV limit itself (256 MiB) in memory, which raises the peak for any test
 * after it. */
static void test_a_csv_stream_of_endless_valid_rows_stops_at_the_csv_limit(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("bounds-csv-fifo");
    static char rows[1 << 16];
    for (size_t i = 0; i + 4 <= sizeof rows; i += 4)
        memcpy(rows + i, "1,0\n", 4);
    feeder f;
    feed_forever(&f, dir, "endless.csv", "x,y\n", 4, rows, sizeof rows);
    char spec[4200];
    snprintf(spec, sizeof spec, "csv:file=%s,label=y", f.path);
    il_data_options opt;
    il_data_options_default(&opt);
    il_data data;
    memset(&data, 0, sizeof data);
    il_error err;
    watch w = start();
    il_status st = il_data_load(&data, spec, &opt, &err);
    feeder_stop(&f);
    check_refused(&w, st, &err, 320 * MiB, "endless.csv", "is larger than 268435456 bytes (256.0 MiB)");
    il_data_free(&data);
    free(dir);
}

int main(void) {
    signal(SIGPIPE, SIG_IGN); /* a feeder's FIFO closing must not end the test */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_csv_dataset_from_dev_zero_or_dev_urandom_is_refused_at_once_as_not_text),
        cmocka_unit_test(test_an_idx_file_from_dev_zero_or_dev_urandom_is_refused_by_its_header),
        cmocka_unit_test(test_a_model_from_dev_zero_or_dev_urandom_is_refused_by_its_magic),
        cmocka_unit_test(test_an_experiment_file_from_dev_zero_is_refused_at_its_1_mib_limit),
        cmocka_unit_test(test_a_results_file_from_dev_zero_is_refused_as_not_text),
        cmocka_unit_test(test_an_image_of_zeros_is_refused_from_its_first_bytes_and_a_huge_one_by_its_size),
        cmocka_unit_test(test_a_device_or_fifo_named_like_an_image_is_not_read),
        cmocka_unit_test(test_a_plain_idx_stream_is_cut_just_past_the_size_its_header_declares),
        cmocka_unit_test(test_a_gzip_idx_stream_is_cut_near_the_size_its_inflated_header_declares),
        cmocka_unit_test(test_a_model_stream_is_cut_just_past_the_size_its_header_declares),
        cmocka_unit_test(test_a_results_csv_stream_without_line_ends_stops_at_the_record_limit),
        cmocka_unit_test(test_a_csv_stream_of_endless_valid_rows_stops_at_the_csv_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
