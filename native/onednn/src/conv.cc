#include "conv.h"

#include <stdexcept>

#include "engine.h"

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace lab {
namespace {

struct Geometry {
  memory::desc src, weights, user_weights, bias, dst;
  memory::dims strides, dilates, pad_l, pad_r;
};

// Filters are described as `any` so oneDNN picks its fastest (blocked) layout; ours is HWIO, or for a depthwise
// convolution (one group per input channel) tfjs's [KH, KW, C, multiplier], which is oneDNN's hwigo.
Geometry geometry(const int* p, bool depthwise = false) {
  const memory::dim N = p[0], IH = p[1], IW = p[2], IC = p[3], OC = p[4], KH = p[5], KW = p[6];
  const memory::dim OH = p[15], OW = p[16];
  Geometry g;
  g.src = memory::desc({N, IC, IH, IW}, dt::f32, tag::nhwc);
  if (depthwise) {
    g.weights = memory::desc({IC, OC / IC, 1, KH, KW}, dt::f32, tag::any);
    g.user_weights = memory::desc({IC, OC / IC, 1, KH, KW}, dt::f32, tag::hwigo);
  } else {
    g.weights = memory::desc({OC, IC, KH, KW}, dt::f32, tag::any);
    g.user_weights = memory::desc({OC, IC, KH, KW}, dt::f32, tag::hwio);
  }
  g.bias = memory::desc({OC}, dt::f32, tag::x);
  g.dst = memory::desc({N, OC, OH, OW}, dt::f32, tag::nhwc);
  g.strides = {p[7], p[8]};
  g.dilates = {p[9] - 1, p[10] - 1};  // oneDNN counts the gaps, tfjs the step
  g.pad_l = {p[11], p[12]};
  g.pad_r = {p[13], p[14]};
  return g;
}

convolution_forward::primitive_desc forward_pd(const Geometry& g, bool bias, bool relu) {
  auto d = bias ? convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, g.src, g.weights,
                                            g.bias, g.dst, g.strides, g.dilates, g.pad_l, g.pad_r)
                : convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, g.src, g.weights,
                                            g.dst, g.strides, g.dilates, g.pad_l, g.pad_r);
  primitive_attr attr = user_scratchpad();
  if (relu) {
    post_ops ops;
    ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  return convolution_forward::primitive_desc(d, attr, cpu_engine());
}

convolution_backward_data::primitive_desc backward_data_pd(const Geometry& g, const primitive_attr& attr) {
  auto d = convolution_backward_data::desc(algorithm::convolution_direct, g.src, g.weights, g.dst, g.strides, g.dilates,
                                           g.pad_l, g.pad_r);
  return convolution_backward_data::primitive_desc(d, attr, cpu_engine(), forward_pd(g, false, false));
}

// oneDNN 2.6's 1x1 backward-weights kernels (`jit_1x1:*`) first gather a strided source into a per-thread
// "reduce to unit stride" workspace, addressed with a whole channel block (8 or 16) per position, while for an
// NHWC source the scratchpad they book holds only IC channels per position. With fewer input channels than a
// block (a ResNet's 1x1 stride-2 shortcut on 8 channels) they write past the scratchpad into the malloc heap.
// The next implementation in oneDNN's list computes the same gradient without that workspace.
bool writes_past_scratchpad(const convolution_backward_weights::primitive_desc& pd, const Geometry& g) {
  const auto& d = g.weights.dims();  // [G,] OC, IC, KH, KW
  const bool strided_1x1 = d[d.size() - 2] == 1 && d[d.size() - 1] == 1 && (g.strides[0] > 1 || g.strides[1] > 1);
  return strided_1x1 && std::string(pd.impl_info_str()).rfind("jit_1x1", 0) == 0;
}

convolution_backward_weights::primitive_desc backward_weights_pd(const Geometry& g, const primitive_attr& attr) {
  auto d = convolution_backward_weights::desc(algorithm::convolution_direct, g.src, g.weights, g.dst, g.strides,
                                              g.dilates, g.pad_l, g.pad_r);
  convolution_backward_weights::primitive_desc pd(d, attr, cpu_engine(), forward_pd(g, false, false));
  while (writes_past_scratchpad(pd, g)) {
    if (!pd.next_impl()) throw std::runtime_error("no safe oneDNN implementation for this 1x1 strided convolution gradient");
  }
  return pd;
}

}  // namespace

void conv_forward(const int* p, const float* x, const float* w, const float* bias, bool relu, float* y, bool depthwise) {
  const int flags[2] = {bias != nullptr, relu};
  std::string key = key_of(depthwise ? "dw_fwd" : "conv_fwd", p, kConvParams) + key_of("", flags, 2);
  Cached& c = cached(key, [&] {
    Geometry g = geometry(p, depthwise);
    auto pd = forward_pd(g, bias != nullptr, relu);
    Cached e = entry_for<convolution_forward>(pd);
    e.mds = {{DNNL_ARG_SRC, g.src}, {DNNL_ARG_BIAS, g.bias}, {DNNL_ARG_DST, g.dst}};
    e.bind(DNNL_ARG_WEIGHTS, g.user_weights, pd.weights_desc(), false);
    return e;
  });
  std::unordered_map<int, void*> ptrs = {
      {DNNL_ARG_SRC, const_cast<float*>(x)}, {DNNL_ARG_WEIGHTS, const_cast<float*>(w)}, {DNNL_ARG_DST, y}};
  if (bias) ptrs.emplace(DNNL_ARG_BIAS, const_cast<float*>(bias));
  execute(c, ptrs);
}

void conv_backward_data(const int* p, const float* dy, const float* w, float* dx, bool depthwise) {
  Cached& c = cached(key_of(depthwise ? "dw_bwd_data" : "conv_bwd_data", p, kConvParams), [&] {
    Geometry g = geometry(p, depthwise);
    auto pd = backward_data_pd(g, user_scratchpad());
    Cached e = entry_for<convolution_backward_data>(pd);
    e.mds = {{DNNL_ARG_DIFF_DST, g.dst}, {DNNL_ARG_DIFF_SRC, g.src}};
    e.bind(DNNL_ARG_WEIGHTS, g.user_weights, pd.weights_desc(), false);
    return e;
  });
  execute(c, {{DNNL_ARG_DIFF_DST, const_cast<float*>(dy)}, {DNNL_ARG_WEIGHTS, const_cast<float*>(w)}, {DNNL_ARG_DIFF_SRC, dx}});
}

void conv_backward_weights(const int* p, const float* x, const float* dy, float* dw, bool depthwise) {
  Cached& c = cached(key_of(depthwise ? "dw_bwd_weights" : "conv_bwd_weights", p, kConvParams), [&] {
    Geometry g = geometry(p, depthwise);
    auto pd = backward_weights_pd(g, user_scratchpad());
    Cached e = entry_for<convolution_backward_weights>(pd);
    e.mds = {{DNNL_ARG_SRC, g.src}, {DNNL_ARG_DIFF_DST, g.dst}};
    e.bind(DNNL_ARG_DIFF_WEIGHTS, g.user_weights, pd.diff_weights_desc(), true);
    return e;
  });
  execute(c, {{DNNL_ARG_SRC, const_cast<float*>(x)}, {DNNL_ARG_DIFF_DST, const_cast<float*>(dy)}, {DNNL_ARG_DIFF_WEIGHTS, dw}});
}

std::string conv_impl_names(const int* p) {
  Geometry g = geometry(p);
  const primitive_attr attr;
  return std::string("fwd ") + forward_pd(g, false, false).impl_info_str() + "; bwd_data " +
         backward_data_pd(g, attr).impl_info_str() + "; bwd_weights " + backward_weights_pd(g, attr).impl_info_str();
}

}  // namespace lab
