/* prepare.h - internal interface to data preparation (prepare.c): the train/test split of a source that
 * has no test set, the caps on the number of examples, and the scaling of the inputs.
 * Called by il_data_load in that order: split, cap, scale (so scaling statistics come from exactly the
 * training examples that will be used).
 */
#ifndef INITLAB_DATA_PREPARE_H
#define INITLAB_DATA_PREPARE_H

#include <stddef.h>
#include <stdint.h>

#include "initlab/data.h"
#include "initlab/status.h"

/* Number of test examples a split of n examples with test_fraction gives: round(n · test_fraction),
 * at least 1 and at most n − 1 (n >= 2). */
size_t il__split_test_count(size_t n, double test_fraction);

/* Split *train (all n examples; *test must be empty) into train and test: the examples are shuffled by
 * an rng seeded from (seed, IL_STREAM_SPLIT), the first il__split_test_count(n, test_fraction) of that
 * order become the test set and the rest, in that order, the training set. Needs n >= 2 and
 * 0 < test_fraction < 1 (else IL_ERR_USAGE). On failure both datasets are unchanged. */
il_status il__data_split(il_dataset *train, il_dataset *test, double test_fraction, uint64_t seed,
                         il_error *err);

/* Keep the first max examples of ds (max = 0 or max >= n: keep all). Deterministic; on failure ds is
 * unchanged. */
il_status il__dataset_keep_first(il_dataset *ds, size_t max, il_error *err);

/* Scale the inputs of train and test (test may be empty) with statistics of the TRAINING set only:
 *   IL_SCALE_STANDARDIZE: x ← (x − mean) / sd per input column (population sd over the training rows);
 *                         a column constant over the training set is only centred (sd taken as 1).
 *   IL_SCALE_UNIT:        pixels = 1: x ← x / 255 (the pixel range, the same for every image source);
 *                         pixels = 0: x ← (x − min) / (max − min) per column (training min and max;
 *                         a constant column is only shifted), so training inputs lie in [0, 1].
 *   IL_SCALE_NONE:        nothing.
 * IL_SCALE_AUTO must be resolved by the caller (IL_ERR_USAGE here). */
il_status il__scale_inputs(il_dataset *train, il_dataset *test, il_scale how, int pixels, il_error *err);

#endif
