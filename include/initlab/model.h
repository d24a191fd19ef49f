/* model.h - save and load a trained network; export its weights as CSV.
 *
 * Binary format (all little-endian; see docs/model-format.md):
 *   magic "INITLAB\0" (8 bytes), u32 version = 1, u32 L,
 *   u32 sizes[L+1], u32 hidden activation [L-1], u32 output kind,
 *   u64 n_params, float32 params[n_params] (the parameter block: w0 b0 w1 b1 ...),
 *   u32 CRC-32 of every byte before it.
 * A short, altered or inconsistent file is refused with an error naming the byte offset.
 * Files are written to a temporary name and renamed, so a failed save never leaves half a model.
 */
#ifndef INITLAB_MODEL_H
#define INITLAB_MODEL_H

#include "initlab/net.h"

il_status il_model_save(const il_net *net, const char *path, il_error *err);
/* Creates *out with max_batch rows of workspace; *out is NULL on failure. */
il_status il_model_load(il_net **out, const char *path, size_t max_batch, il_error *err);
/* CSV with header layer,kind,row,col,value: one row per weight (kind "w", row = input unit,
 * col = output unit) and per bias (kind "b", row empty). Written atomically. */
il_status il_model_export_csv(const il_net *net, const char *path, il_error *err);

#endif
