// Max-pooling gradient on NHWC tensors: each output's gradient goes to the first largest input of its window
// (tfjs's rule for ties). oneDNN's own pooling backward needs the forward pass's workspace, which tfjs does not
// keep, so this is a plain loop over images, split across OpenMP threads.
// p: N, H, W, C, OH, OW, KH, KW, SH, SW, PT, PL.
#pragma once

namespace lab {
constexpr int kPoolParams = 12;
void max_pool_grad(const int* p, const float* x, const float* dy, float* dx);
}  // namespace lab
