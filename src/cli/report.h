/* report.h - words and numbers shared by `train` and `eval`: which test metric a dataset gets, how a
 * network is described in one line, and the output activation that fits a dataset's task.
 */
#ifndef INITLAB_CLI_REPORT_H
#define INITLAB_CLI_REPORT_H

#include <stddef.h>

#include "initlab/data.h"
#include "initlab/net.h"
#include "initlab/train.h"

/* The test metric: accuracy for classification; for regression the test mean squared error divided by
 * the noise variance when the source knows it (ESL 11.6's "relative test error": 1 is the best any
 * model can do), else the plain test mean squared error. */
typedef enum { CLI_METRIC_ACCURACY = 0, CLI_METRIC_RELATIVE_ERROR, CLI_METRIC_MSE } cli_metric;

cli_metric cli_metric_for(const il_data *data);
/* CSV column name: "test_accuracy", "relative_test_error" or "test_mse". */
const char *cli_metric_column(cli_metric metric);
/* The metric's value from an evaluation of the test set (NAN when the loss is not finite). */
double cli_metric_value(cli_metric metric, const il_eval *eval, const il_data *data);
/* Mean squared error per target, (1/(N T)) sum (yhat - y)^2 as docs/diagnostics.md defines test_mse, from
 * the identity output's loss E = 1/(2N) sum (yhat - y)^2 over T targets: 2 E / T. */
double cli_mse_from_loss(double loss, size_t targets);

/* The output that fits the data: identity for regression, sigmoid for one 0/1 target, softmax for
 * one-hot targets over more classes. */
il_output cli_output_for(const il_data *data);
/* Refuse an output that cannot fit the data (softmax on a single target, a squashing output on a
 * regression, an identity output on classes), naming the data and what would fit. model_path: the
 * model file the output was read from (`eval`), named instead of the --output flag; NULL = the flag. */
il_status cli_check_output(il_output out, const char *model_path, const il_data *data, il_error *err);

/* "2-8-1" for the sizes of a network. */
void cli_format_sizes(char *buf, size_t size, const il_net_spec *spec);
/* "2-8-1: sigmoid hidden units, sigmoid output with cross-entropy loss". */
void cli_describe_net(char *buf, size_t size, const il_net_spec *spec);

#endif
