// Max pooling on NHWC tensors. The gradient sends each output's gradient to the first largest input of its window
// (tfjs's rule for ties). oneDNN's own pooling backward needs the forward pass's workspace, which tfjs does not
// keep, so both are plain loops over images, split across OpenMP threads.
// p: N, H, W, C, OH, OW, KH, KW, SH, SW, PT, PL.
#pragma once

namespace lab {
constexpr int kPoolParams = 12;
/** y = the largest value of each window (windows past the edge take what is inside; -inf for an empty one). */
void max_pool(const int* p, const float* x, float* y);
void max_pool_grad(const int* p, const float* x, const float* dy, float* dx);
}  // namespace lab
