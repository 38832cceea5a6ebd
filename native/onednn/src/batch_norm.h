// Batch normalization over the last axis of a [M, C] view of an NHWC tensor (M = N·H·W), training mode:
// per-channel batch mean and biased variance, y = γ·(x − μ)/√(σ² + ε) + β, and its gradient.
//
// Plain loops rather than oneDNN's batch-normalization primitive: oneDNN's implementation synchronises its
// threads with spinning barriers several times per call, and when the machine has more runnable threads than
// cores (other programs, a test run beside training) one descheduled thread stalls the others for a whole time
// slice: 30–50 ms per call measured on a busy 2-core machine, against about 1 ms for these loops, which meet once
// per call at an OpenMP barrier (it sleeps, with OMP_WAIT_POLICY=passive). On a quiet machine they are as fast.
#pragma once

namespace lab {
// `relu`: y = relu(BN(x)) in the same pass (a ReLU right after the normalisation).
void batch_norm_forward(int M, int C, float eps, const float* x, const float* gamma, const float* beta, float* y,
                        float* mean, float* variance, bool relu);
// `relu_beta`: the β of a forward pass with the ReLU fused (the gradient is masked by its output's sign), or null.
void batch_norm_backward(int M, int C, float eps, const float* x, const float* dy, const float* gamma,
                         const float* mean, const float* variance, float* dx, float* dgamma, float* dbeta,
                         const float* relu_beta);
}  // namespace lab
