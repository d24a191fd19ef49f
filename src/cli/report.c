/* report.c - test metrics, output choice and one-line network descriptions for `train` and `eval`
 * (see report.h). Nothing here prints; it fills buffers the subcommands print.
 */
#include "cli/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

cli_metric cli_metric_for(const il_data *data) {
    if (data->task == IL_TASK_CLASSIFICATION) return CLI_METRIC_ACCURACY;
    if (isfinite(data->bayes_error) && data->bayes_error > 0) return CLI_METRIC_RELATIVE_ERROR;
    return CLI_METRIC_MSE;
}

const char *cli_metric_column(cli_metric metric) {
    switch (metric) {
    case CLI_METRIC_ACCURACY: return "test_accuracy";
    case CLI_METRIC_RELATIVE_ERROR: return "relative_test_error";
    case CLI_METRIC_MSE: return "test_mse";
    }
    return "test_metric";
}

double cli_mse_from_loss(double loss, size_t targets) {
    return 2.0 * loss / (double)(targets ? targets : 1);
}

double cli_metric_value(cli_metric metric, const il_eval *eval, const il_data *data) {
    if (!isfinite(eval->loss)) return NAN;
    switch (metric) {
    case CLI_METRIC_ACCURACY: return eval->accuracy;
    case CLI_METRIC_RELATIVE_ERROR: return cli_mse_from_loss(eval->loss, data->train.t) / data->bayes_error;
    case CLI_METRIC_MSE: return cli_mse_from_loss(eval->loss, data->train.t);
    }
    return NAN;
}

il_output cli_output_for(const il_data *data) {
    if (data->task == IL_TASK_REGRESSION) return IL_OUT_IDENTITY;
    return data->train.t == 1 ? IL_OUT_SIGMOID : IL_OUT_SOFTMAX;
}

il_status cli_check_output(il_output out, const char *model_path, const il_data *data, il_error *err) {
    const char *fit = il_output_name(cli_output_for(data));
    /* Where the output came from: the flag the user gave, or a model file (whose header may be damaged). */
    char from[512];
    if (model_path)
        snprintf(from, sizeof from, "%s: the model's output is %s", model_path, il_output_name(out));
    else
        snprintf(from, sizeof from, "--output %s", il_output_name(out));
    if (data->task == IL_TASK_REGRESSION && out != IL_OUT_IDENTITY)
        return il_fail(err, IL_ERR_USAGE,
                       "%s: '%s' is a regression (real-valued targets); its output must be %s", from,
                       data->name, fit);
    if (data->task == IL_TASK_CLASSIFICATION && out == IL_OUT_IDENTITY)
        return il_fail(err, IL_ERR_USAGE,
                       "%s: '%s' is a classification; use %s (accuracy needs class probabilities)", from,
                       data->name, fit);
    if (out == IL_OUT_SOFTMAX && data->train.t < 2)
        return il_fail(err, IL_ERR_USAGE,
                       "%s: '%s' has a single 0/1 target per example, and a softmax over one unit is always "
                       "1; use sigmoid (a two-class CSV gives one target per class with targets=one-hot)",
                       from, data->name);
    return IL_OK;
}

void cli_format_sizes(char *buf, size_t size, const il_net_spec *spec) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t l = 0; l <= spec->n_layers && used < size; l++) {
        int n = snprintf(buf + used, size - used, "%s%zu", l ? "-" : "", spec->sizes[l]);
        if (n < 0) break;
        used += (size_t)n;
    }
}

static const char *loss_name(il_output out) {
    switch (out) {
    case IL_OUT_IDENTITY: return "squared-error";
    case IL_OUT_SIGMOID: return "binary cross-entropy";
    case IL_OUT_SOFTMAX: return "cross-entropy";
    case IL_OUT_COUNT: break;
    }
    return "?";
}

void cli_describe_net(char *buf, size_t size, const il_net_spec *spec) {
    char sizes[256];
    cli_format_sizes(sizes, sizeof sizes, spec);
    char hidden[128] = "no hidden layer";
    if (spec->n_layers >= 2) {
        /* One activation for every hidden layer is the common case; otherwise name them in order. */
        int same = 1;
        for (size_t l = 1; l + 1 < spec->n_layers; l++)
            if (spec->hidden[l] != spec->hidden[0]) same = 0;
        if (same) {
            snprintf(hidden, sizeof hidden, "%s hidden units", il_act_name(spec->hidden[0]));
        } else {
            size_t used = 0;
            for (size_t l = 0; l + 1 < spec->n_layers && used < sizeof hidden; l++) {
                int n = snprintf(hidden + used, sizeof hidden - used, "%s%s", l ? "/" : "",
                                 il_act_name(spec->hidden[l]));
                if (n < 0) break;
                used += (size_t)n;
            }
            if (used < sizeof hidden) snprintf(hidden + used, sizeof hidden - used, " hidden units");
        }
    }
    snprintf(buf, size, "%s: %s, %s output with %s loss", sizes, hidden, il_output_name(spec->output),
             loss_name(spec->output));
}
