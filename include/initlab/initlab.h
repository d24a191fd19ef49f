/* initlab.h - the whole public API in one include: networks (net.h, train.h, init.h, activation.h, rng.h),
 * data (data.h), diagnostics (probe.h), experiments and their runner (experiment.h, runner.h), saved
 * models (model.h), figures (report.h), result files (fileio.h), the BLAS wrapper (blas.h), the failure
 * contract (status.h) and the version (version.h). Every call returns an il_status and fills an il_error;
 * none prints or exits. Link with `pkg-config --cflags --libs initlab` (see examples/xor.c).
 *
 * Usage: train a 2-8-1 sigmoid network on x (N, 2) and y (N, 1) from He weights, seed 1; this compiles
 * (the install test builds it from the installed header):
 *
 *   #include <initlab/initlab.h>
 *
 *   double train_and_score(const float *x, const float *y, size_t *order, size_t N) {
 *       il_error err;
 *       il_net_spec spec = {.hidden = {IL_ACT_SIGMOID}, .output = IL_OUT_SIGMOID};
 *       il_init_spec init[2] = {{.kind = IL_INIT_HE}, {.kind = IL_INIT_HE}}; // one per layer
 *       il_sgd_options sgd = {.learning_rate = 0.5, .momentum = 0.9};
 *       il_net *net = NULL;
 *       il_batch batch = {0};
 *       il_rng rng;
 *       double loss, accuracy = -1;
 *       if (il_net_spec_parse_layers(&spec, "2,8,1", &err) == IL_OK &&
 *           il_net_create(&net, &spec, N, &err) == IL_OK && il_batch_alloc(&batch, N, 2, 1, &err) == IL_OK) {
 *           il_rng_seed(&rng, 1, IL_STREAM_INIT);
 *           il_net_init(net, init, &rng);
 *           for (int epoch = 0; epoch < 1000; epoch++)
 *               if (il_train_epoch(net, &batch, x, y, N, order, N, &sgd, &loss, &err) != IL_OK) break;
 *           accuracy = il_net_evaluate(net, x, y, N).accuracy;
 *       }
 *       il_batch_free(&batch);
 *       il_net_free(net);
 *       return accuracy;
 *   }
 */
#ifndef INITLAB_INITLAB_H
#define INITLAB_INITLAB_H

#include "initlab/activation.h"
#include "initlab/blas.h"
#include "initlab/data.h"
#include "initlab/experiment.h"
#include "initlab/fileio.h"
#include "initlab/init.h"
#include "initlab/model.h"
#include "initlab/net.h"
#include "initlab/probe.h"
#include "initlab/report.h"
#include "initlab/rng.h"
#include "initlab/runner.h"
#include "initlab/status.h"
#include "initlab/train.h"
#include "initlab/version.h"

#endif
