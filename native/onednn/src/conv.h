// 2-D convolution on NHWC activations and HWIO filters (tfjs's layouts), forward and both gradients.
// p: N, IH, IW, IC, OC, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, OH, OW (dilation as tfjs counts it, ≥ 1).
#pragma once
#include <string>

namespace lab {
constexpr int kConvParams = 17;
// depthwise: one group per input channel (OC = IC × multiplier), filters in tfjs's [KH, KW, IC, multiplier].
void conv_forward(const int* p, const float* x, const float* w, const float* bias, bool relu, float* y, bool depthwise = false);
void conv_backward_data(const int* p, const float* dy, const float* w, float* dx, bool depthwise = false);
void conv_backward_weights(const int* p, const float* x, const float* dy, float* dw, bool depthwise = false);
std::string conv_impl_names(const int* p);
}  // namespace lab
