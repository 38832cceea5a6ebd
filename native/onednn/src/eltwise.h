// Element-wise training kernels that tfjs would run as several small ops.
#pragma once

namespace lab {
/** ReLU's gradient in one pass: dx = dy · step(x), step(x) = NaN for NaN, 1 for x > 0, else 0 (tfjs's rule). */
void relu_grad(long n, const float* x, const float* dy, float* dx);
}  // namespace lab
