/* test_claims_hidden_units.c - claims test of experiments/06-hidden-units-weight-decay*.ini (ESL 11.6).
 * ESL's findings (Figures 11.6-11.8; 100 training examples, 10 random starts per setting, test error
 * relative to the Bayes error): on the sum of sigmoids a linear model (0 hidden units) stays well above
 * the Bayes error and two hidden units come close to it; without weight decay more units overfit and
 * the starts spread out, with weight decay (ESL's lambda = 0.1) every size does well; on the radial
 * function the nets do poorly (a constant fit scores 1 + SNR = 5).
 * Checked from runs.csv (relative_test_error, 10 starts per setting, the files' own training settings):
 *   - sum of sigmoids: the median over starts with 2 and with 10 hidden units has less than half the
 *     linear model's excess over the Bayes error (relative error - 1), and 2 units less than half of
 *     1 unit's;
 *   - sum of sigmoids without decay: 10 units overfit, their median excess over the Bayes error is
 *     at least 1.2 times that of 2 units;
 *   - sum of sigmoids, 10 units: weight decay 0.0005 (ESL's 0.1: initlab decays half the MEAN squared
 *     error, ESL the SUM over 100 examples, a factor 200) at least halves the standard deviation
 *     across the starts and cuts the worst start's excess over the Bayes error by at least 10%;
 *   - radial: every start of every size (1, 2, 10 units, with and without decay) ends at more than
 *     twice the Bayes error, while the sum of sigmoids' best median is below that.
 * All of it also holds, measured, on two other draws of the data ([data] seed = 2 and 3).
 * Shown to fail without the phenomenon (INITLAB_CLAIMS_HIDDEN_UNITS_INI=copy of the sum-of-sigmoids file):
 * with "list = zero" (exact zeros: every hidden unit stays a copy of one, ESL 11.5.1) 2 and 10 units
 * score 1.64 like 1 unit, against 1.77 for the linear model, and the hidden-units, overfitting and
 * weight-decay tests fail; with "activation = identity" (every net linear) all settings score 1.77
 * and the same three fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims_util.h"

#define MAX_STARTS 64

/* One setting: a model, a number of hidden units, a weight decay; the relative test errors of its
 * starts, sorted. */
typedef struct {
    int radial;
    int hidden;
    const char *decay;
    size_t n;
    double error[MAX_STARTS];
} setting;

static setting settings[] = {
    {0, 0, "0", 0, {0}},  {0, 1, "0", 0, {0}},       {0, 2, "0", 0, {0}},
    {0, 10, "0", 0, {0}}, {0, 10, "0.0005", 0, {0}}, {1, 1, "0", 0, {0}},
    {1, 2, "0", 0, {0}},  {1, 10, "0", 0, {0}},      {1, 10, "0.0005", 0, {0}},
};
#define N_SETTINGS (sizeof settings / sizeof settings[0])

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int run_settings(void **state) {
    (void)state;
    char ini_sigmoids[4096], ini_radial[4096];
    snprintf(ini_sigmoids, sizeof ini_sigmoids, "%s",
             cu_experiment_path("INITLAB_CLAIMS_HIDDEN_UNITS_INI",
                                "experiments/06-hidden-units-weight-decay.ini"));
    snprintf(ini_radial, sizeof ini_radial, "%s",
             cu_experiment_path("INITLAB_CLAIMS_HIDDEN_UNITS_RADIAL_INI",
                                "experiments/06-hidden-units-weight-decay-radial.ini"));
    for (size_t i = 0; i < N_SETTINGS; i++) {
        setting *s = &settings[i];
        char extra[256];
        snprintf(extra, sizeof extra, "--set network.hidden=%d --set training.weight_decay=%s", s->hidden,
                 s->decay);
        char *scratch = cu_run_program(s->radial ? ini_radial : ini_sigmoids, extra, "claims-hidden-units");
        cu_csv runs;
        cu_csv_load(&runs, scratch, "results/runs.csv");
        size_t c = cu_col(&runs, "relative_test_error");
        s->n = 0;
        for (size_t r = 0; r < runs.n_rows && s->n < MAX_STARTS; r++) {
            double e = cu_value(&runs, r, c);
            s->error[s->n++] = isnan(e) ? INFINITY : e; /* a diverged start is as bad as it gets */
        }
        cu_csv_free(&runs);
        cu_remove_scratch(scratch);
        assert_true(s->n >= 5);
        qsort(s->error, s->n, sizeof s->error[0], compare_doubles);
        print_message("%s, %2d hidden, decay %-6s: relative test error min %.3g median %.3g max %.3g\n",
                      s->radial ? "radial  " : "sigmoids", s->hidden, s->decay, s->error[0],
                      s->error[s->n / 2], s->error[s->n - 1]);
    }
    return 0;
}

static const setting *find(int radial, int hidden, const char *decay) {
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (settings[i].radial == radial && settings[i].hidden == hidden &&
            strcmp(settings[i].decay, decay) == 0)
            return &settings[i];
    fail_msg("no setting radial=%d hidden=%d decay=%s", radial, hidden, decay);
    return NULL;
}

/* Median of the sorted errors (the mean of the two middle ones for an even count), the boxplots' line. */
static double median(const setting *s) {
    return s->n % 2 ? s->error[s->n / 2] : 0.5 * (s->error[s->n / 2 - 1] + s->error[s->n / 2]);
}

static double standard_deviation(const setting *s) {
    double mean = 0, sum = 0;
    for (size_t i = 0; i < s->n; i++)
        mean += s->error[i] / (double)s->n;
    for (size_t i = 0; i < s->n; i++)
        sum += (s->error[i] - mean) * (s->error[i] - mean);
    return sqrt(sum / (double)s->n);
}

static void test_two_or_more_hidden_units_beat_the_linear_model_on_the_sum_of_sigmoids(void **state) {
    (void)state;
    double linear = median(find(0, 0, "0")), one = median(find(0, 1, "0"));
    double two = median(find(0, 2, "0")), ten = median(find(0, 10, "0"));
    print_message("medians: 0 units %.3g, 1 unit %.3g, 2 units %.3g, 10 units %.3g\n", linear, one, two, ten);
    /* Compared by the excess over the Bayes error (relative error - 1), which is what a model can
     * remove: the nets must remove at least half of the smaller model's excess, not merely tie it. */
    assert_true(two - 1.0 < 0.5 * (linear - 1.0));
    assert_true(ten - 1.0 < 0.5 * (linear - 1.0));
    assert_true(two - 1.0 < 0.5 * (one - 1.0));
}

static void test_without_weight_decay_ten_units_overfit_compared_with_two(void **state) {
    (void)state;
    double two = median(find(0, 2, "0")), ten = median(find(0, 10, "0"));
    print_message("no decay, medians: 2 units %.3g, 10 units %.3g\n", two, ten);
    /* excess over the Bayes error at least 20% larger with 10 units than with 2 */
    assert_true(ten - 1.0 > 1.2 * (two - 1.0));
}

static void test_weight_decay_narrows_the_spread_of_ten_unit_nets_across_starts(void **state) {
    (void)state;
    const setting *none = find(0, 10, "0"), *decay = find(0, 10, "0.0005");
    double worst_none = none->error[none->n - 1], worst_decay = decay->error[decay->n - 1];
    print_message("10 units: sd across starts %.3g without decay, %.3g with; worst start %.3g, %.3g\n",
                  standard_deviation(none), standard_deviation(decay), worst_none, worst_decay);
    assert_true(standard_deviation(decay) < 0.5 * standard_deviation(none));
    assert_true(worst_decay - 1.0 < 0.9 * (worst_none - 1.0));
}

static void test_nets_on_the_radial_function_stay_well_above_the_bayes_error(void **state) {
    (void)state;
    double best_sigmoids = INFINITY;
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (!settings[i].radial && settings[i].hidden > 0 && median(&settings[i]) < best_sigmoids)
            best_sigmoids = median(&settings[i]);
    for (size_t i = 0; i < N_SETTINGS; i++) {
        if (!settings[i].radial) continue;
        print_message("radial, %d hidden, decay %s: best start %.3g\n", settings[i].hidden, settings[i].decay,
                      settings[i].error[0]);
        assert_true(settings[i].error[0] > 2.0);
    }
    assert_true(best_sigmoids < 2.0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_or_more_hidden_units_beat_the_linear_model_on_the_sum_of_sigmoids),
        cmocka_unit_test(test_without_weight_decay_ten_units_overfit_compared_with_two),
        cmocka_unit_test(test_weight_decay_narrows_the_spread_of_ten_unit_nets_across_starts),
        cmocka_unit_test(test_nets_on_the_radial_function_stay_well_above_the_bayes_error),
    };
    return cmocka_run_group_tests(tests, run_settings, NULL);
}
