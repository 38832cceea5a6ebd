// Element-wise training kernels that tfjs would run as several small ops.
#pragma once

#include <cstdint>

namespace lab {
/** ReLU: y = max(x, 0), NaN stays NaN (tfjs's rule). */
void relu(long n, const float* x, float* y);
/** ReLU's gradient in one pass: dx = dy · step(x), step(x) = NaN for NaN, 1 for x > 0, else 0 (tfjs's rule). */
void relu_grad(long n, const float* x, const float* dy, float* dx);
/**
 * Inverted-dropout multipliers: out[i] = scale where u_i ≥ rate, else 0, with u_i = hash(seed, i) in [0, 1) on 24 bits.
 * The hash (lowbias32 of mix(seed) + i) is the lab's own, also written in engine/dropout-op.ts, so the native and
 * JS masks are identical for a seed.
 */
void dropout_mask(long n, unsigned seed, float rate, float scale, float* out);
}  // namespace lab
