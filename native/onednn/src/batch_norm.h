// Batch normalization over the last axis of a [M, C] view of an NHWC tensor (M = N·H·W), training mode:
// per-channel batch mean and biased variance, y = γ·(x − μ)/√(σ² + ε) + β, and its gradient.
#pragma once

namespace lab {
void batch_norm_forward(int M, int C, float eps, const float* x, const float* gamma, const float* beta, float* y,
                        float* mean, float* variance);
void batch_norm_backward(int M, int C, float eps, const float* x, const float* dy, const float* gamma,
                         const float* mean, const float* variance, float* dx, float* dgamma, float* dbeta);
}  // namespace lab
