/* test_bad_inputs.c - every file of the bad-input corpus (tests/data/bad/, listed in its MANIFEST) is
 * refused by its loader with one error, one printable line, naming the file (but for a --layers value,
 * which comes from no file) and saying what was expected, and leaves nothing allocated. One cmocka test
 * per case, named for it; run under AddressSanitizer in CI, so a case that reads out of bounds or leaks
 * fails too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/loaders.h"
#include "initlab/net.h"
#include "testutil.h"

#define CORPUS     INITLAB_SOURCE_DIR "/tests/data/bad"
#define MAX_FIELDS 12

typedef struct {
    char *fields[MAX_FIELDS]; /* loader, path, options, expected... (into the manifest text) */
    int n_fields;
    int line;
    char name[512]; /* the test's name */
} bad_case;

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* The value of key in "a=1,b=2,flag" (NULL if absent; "" for a bare flag). Copies into buf. */
static const char *option(const char *options, const char *key, char *buf, size_t size) {
    size_t klen = strlen(key);
    for (const char *p = options; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len >= klen && strncmp(p, key, klen) == 0 && (len == klen || p[klen] == '=')) {
            size_t vlen = len == klen ? 0 : len - klen - 1;
            if (vlen >= size) vlen = size - 1;
            memcpy(buf, p + klen + (len == klen ? 0 : 1), vlen);
            buf[vlen] = '\0';
            return buf;
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

static il_status run_case(const bad_case *c, const char *path, il_error *err) {
    const char *loader = c->fields[0], *options = c->fields[2];
    char buf[256], label[128], features[128];
    il_status st;
    if (strcmp(loader, "idx-images") == 0 || strcmp(loader, "idx-labels") == 0) {
        int images = loader[4] == 'i';
        il_dataset ds;
        size_t k = 1234;
        st = il__idx_load_pair(&ds, images ? path : CORPUS "/idx/good-images.idx",
                               images ? CORPUS "/idx/good-labels.idx" : path, 10, &k, err);
        assert_null(ds.x);
        assert_null(ds.labels);
        assert_int_equal(k, 1234);
        return st;
    }
    il_data d;
    memset(&d, 0, sizeof d);
    if (strcmp(loader, "csv") == 0) {
        il__csv_options opt = {.label = option(options, "label", label, sizeof label),
                               .features = option(options, "features", features, sizeof features),
                               .regression = option(options, "regression", buf, sizeof buf) != NULL};
        st = il__csv_load(&d, path, &opt, err);
    } else if (strcmp(loader, "images") == 0) {
        il__image_options opt = {.channels = 1, .width = 0, .height = 0};
        const char *color = option(options, "color", buf, sizeof buf);
        if (color && strcmp(color, "rgb") == 0) opt.channels = 3;
        const char *size = option(options, "size", buf, sizeof buf);
        if (size) assert_int_equal(sscanf(size, "%zux%zu", &opt.width, &opt.height), 2);
        st = il__images_load(&d, path, &opt, err);
    } else if (strcmp(loader, "layers") == 0) {
        size_t size = 0;
        char *text = tu_read_file(path, &size);
        assert_non_null(text);
        il_net_spec spec, before;
        memset(&spec, 0, sizeof spec);
        before = spec;
        st = il_net_spec_parse_layers(&spec, text, err);
        assert_memory_equal(&spec, &before, sizeof spec); /* a refused list changes nothing */
        free(text);
    } else {
        fail_msg("MANIFEST line %d: unknown loader '%s'", c->line, loader);
        return IL_OK;
    }
    /* A failed load leaves the il_data as it was: nothing to free. */
    assert_null(d.train.x);
    assert_null(d.class_names);
    assert_int_equal(d.n_classes, 0);
    return st;
}

static void test_bad_file_is_refused_naming_the_file_and_what_was_expected(void **state) {
    const bad_case *c = *state;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", CORPUS, c->fields[1]);
    il_error err;
    il_error_clear(&err);
    il_status st = run_case(c, path, &err);
    if (st == IL_OK) fail_msg("MANIFEST line %d: %s was accepted", c->line, c->fields[1]);
    print_message("  %s\n", err.msg);
    const char *base = strrchr(c->fields[1], '/');
    base = base ? base + 1 : c->fields[1];
    if (strcmp(c->fields[0], "layers") != 0 && !strstr(err.msg, base))
        fail_msg("MANIFEST line %d: the error does not name '%s'", c->line, base);
    /* One printable line, whatever bytes the file holds (a decoder may quote them). */
    for (const char *p = err.msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            fail_msg("MANIFEST line %d: the error holds control byte 0x%02x at %d", c->line,
                     (unsigned char)*p, (int)(p - err.msg));
    for (int i = 3; i < c->n_fields; i++)
        if (!strstr(err.msg, c->fields[i]))
            fail_msg("MANIFEST line %d: the error does not say '%s'", c->line, c->fields[i]);
    assert_int_equal(err.status, st);
}

/* ---- the manifest itself ---------------------------------------------------------------------------- */

static char *manifest;
static bad_case *cases;
static int n_cases;

static void load_manifest(void) {
    manifest = tu_read_file(CORPUS "/MANIFEST", NULL);
    if (!manifest) {
        fprintf(stderr, "cannot read %s/MANIFEST\n", CORPUS);
        exit(1);
    }
    int lines = 1;
    for (const char *p = manifest; *p; p++)
        lines += *p == '\n';
    cases = calloc((size_t)lines, sizeof *cases);
    int line = 0;
    for (char *p = manifest, *next; p; p = next) {
        next = strchr(p, '\n');
        if (next) *next++ = '\0';
        line++;
        char *text = trim(p);
        if (!*text || *text == '#') continue;
        bad_case *c = &cases[n_cases++];
        c->line = line;
        for (char *f = text, *bar; f && c->n_fields < MAX_FIELDS; f = bar) {
            bar = strchr(f, '|');
            if (bar) *bar++ = '\0';
            c->fields[c->n_fields++] = trim(f);
        }
        if (c->n_fields < 4) {
            fprintf(stderr, "MANIFEST line %d: expected LOADER | PATH | OPTIONS | EXPECTED\n", line);
            exit(1);
        }
        snprintf(c->name, sizeof c->name, "%s is refused by the %s loader saying '%s'", c->fields[1],
                 c->fields[0], c->fields[3]);
    }
}

/* Every file or folder of the corpus is a case in the manifest (or a good companion): none is forgotten. */
static void test_every_corpus_entry_is_a_manifest_case(void **state) {
    (void)state;
    const char *kinds[4] = {"idx", "csv", "images", "layers"};
    int entries = 0;
    for (int k = 0; k < 4; k++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", CORPUS, kinds[k]);
        DIR *d = opendir(dir);
        assert_non_null(d);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.' || strncmp(e->d_name, "good-", 5) == 0) continue;
            char rel[512];
            snprintf(rel, sizeof rel, "%s/%s", kinds[k], e->d_name);
            int found = 0;
            for (int i = 0; i < n_cases && !found; i++)
                found = strcmp(cases[i].fields[1], rel) == 0;
            if (!found) fail_msg("%s is in the corpus but not in its MANIFEST", rel);
            entries++;
        }
        closedir(d);
    }
    assert_true(entries >= 50);
}

/* The companions really are good, so an idx case fails for its own file. */
static void test_the_good_idx_companions_load(void **state) {
    (void)state;
    il_dataset ds;
    il_error err;
    size_t k = 0;
    il_status st =
        il__idx_load_pair(&ds, CORPUS "/idx/good-images.idx", CORPUS "/idx/good-labels.idx", 10, &k, &err);
    if (st != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(ds.n, 3);
    assert_int_equal(ds.d, 4);
    assert_int_equal(k, 3);
    il_dataset_free(&ds);
}

int main(void) {
    load_manifest();
    struct CMUnitTest *tests = calloc((size_t)n_cases + 2, sizeof *tests);
    tests[0] = (struct CMUnitTest)cmocka_unit_test(test_every_corpus_entry_is_a_manifest_case);
    tests[1] = (struct CMUnitTest)cmocka_unit_test(test_the_good_idx_companions_load);
    for (int i = 0; i < n_cases; i++) {
        tests[i + 2] = (struct CMUnitTest)cmocka_unit_test_prestate(
            test_bad_file_is_refused_naming_the_file_and_what_was_expected, &cases[i]);
        tests[i + 2].name = cases[i].name;
    }
    int failed = _cmocka_run_group_tests("bad_inputs", tests, (size_t)n_cases + 2, NULL, NULL);
    free(tests);
    free(cases);
    free(manifest);
    return failed;
}
