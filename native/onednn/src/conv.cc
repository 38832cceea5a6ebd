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

// Winograd F(4×4, 3×3) computes a 3×3 stride-1 convolution with about half the multiplications of the direct
// method. oneDNN 2.6 has it for AVX-512 CPUs on blocked layouts (16 channels a block), so its source and
// destination are converted from and to NHWC around the call. On the peer networks' 14–28 px layers with 32–64
// channels the forward pass and the input gradient then take 0.7–0.85 of the direct kernels' time, conversions
// included; the weight gradient gains too little to pay for its two conversions and stays direct. Below 16
// channels or on small maps (few 4×4 tiles) the direct kernels are faster.
bool winograd_suits(const int* p, bool depthwise) {
  const int IC = p[3], OC = p[4], KH = p[5], KW = p[6], SH = p[7], SW = p[8], DH = p[9], DW = p[10], OH = p[15], OW = p[16];
  return !depthwise && KH == 3 && KW == 3 && SH == 1 && SW == 1 && DH == 1 && DW == 1 && IC % 16 == 0 && OC % 16 == 0 &&
         OH >= 8 && OW >= 8;
}

// The same geometry with source and destination in the layout the primitive prefers (for Winograd).
Geometry any_layout(Geometry g) {
  g.src = memory::desc(g.src.dims(), dt::f32, tag::any);
  g.dst = memory::desc(g.dst.dims(), dt::f32, tag::any);
  return g;
}

convolution_forward::primitive_desc forward_pd(const Geometry& g, bool bias, bool relu,
                                               algorithm alg = algorithm::convolution_direct) {
  auto d = bias ? convolution_forward::desc(prop_kind::forward_training, alg, g.src, g.weights, g.bias, g.dst,
                                            g.strides, g.dilates, g.pad_l, g.pad_r)
                : convolution_forward::desc(prop_kind::forward_training, alg, g.src, g.weights, g.dst, g.strides,
                                            g.dilates, g.pad_l, g.pad_r);
  primitive_attr attr = user_scratchpad();
  if (relu) {
    post_ops ops;
    ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  return convolution_forward::primitive_desc(d, attr, cpu_engine());
}

convolution_backward_data::primitive_desc backward_data_pd(const Geometry& g, const primitive_attr& attr,
                                                           algorithm alg = algorithm::convolution_direct) {
  auto d = convolution_backward_data::desc(alg, g.src, g.weights, g.dst, g.strides, g.dilates, g.pad_l, g.pad_r);
  return convolution_backward_data::primitive_desc(d, attr, cpu_engine(), forward_pd(g, false, false, alg));
}

// Builds the cache entry with Winograd where it suits the shape and this CPU has it, else with the direct method.
template <typename Make>
Cached with_winograd_if_suited(const int* p, bool depthwise, const Geometry& g, Make make) {
  if (winograd_suits(p, depthwise)) {
    try {
      return make(any_layout(g), algorithm::convolution_winograd);
    } catch (const dnnl::error&) {
      // No Winograd implementation on this CPU (oneDNN has it for AVX-512 only): the direct one below.
    }
  }
  return make(g, algorithm::convolution_direct);
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
    const Geometry user = geometry(p, depthwise);
    return with_winograd_if_suited(p, depthwise, user, [&](const Geometry& g, algorithm alg) {
      auto pd = forward_pd(g, bias != nullptr, relu, alg);
      Cached e = entry_for<convolution_forward>(pd);
      e.mds = {{DNNL_ARG_BIAS, user.bias}};
      e.bind(DNNL_ARG_SRC, user.src, pd.src_desc(), false);
      e.bind(DNNL_ARG_WEIGHTS, user.user_weights, pd.weights_desc(), false);
      e.bind(DNNL_ARG_DST, user.dst, pd.dst_desc(), true);
      return e;
    });
  });
  std::unordered_map<int, void*> ptrs = {
      {DNNL_ARG_SRC, const_cast<float*>(x)}, {DNNL_ARG_WEIGHTS, const_cast<float*>(w)}, {DNNL_ARG_DST, y}};
  if (bias) ptrs.emplace(DNNL_ARG_BIAS, const_cast<float*>(bias));
  execute(c, ptrs);
}

void conv_backward_data(const int* p, const float* dy, const float* w, float* dx, bool depthwise) {
  Cached& c = cached(key_of(depthwise ? "dw_bwd_data" : "conv_bwd_data", p, kConvParams), [&] {
    const Geometry user = geometry(p, depthwise);
    return with_winograd_if_suited(p, depthwise, user, [&](const Geometry& g, algorithm alg) {
      auto pd = backward_data_pd(g, user_scratchpad(), alg);
      Cached e = entry_for<convolution_backward_data>(pd);
      e.bind(DNNL_ARG_DIFF_DST, user.dst, pd.diff_dst_desc(), false);
      e.bind(DNNL_ARG_WEIGHTS, user.user_weights, pd.weights_desc(), false);
      e.bind(DNNL_ARG_DIFF_SRC, user.src, pd.diff_src_desc(), true);
      return e;
    });
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
  const Geometry user = geometry(p);
  const primitive_attr attr;
  auto name = [&](auto&& make) {
    return with_winograd_if_suited(p, false, user, [&](const Geometry& g, algorithm alg) {
      Cached e;
      e.impl = make(g, alg);
      return e;
    }).impl;
  };
  return std::string("fwd ") + name([&](const Geometry& g, algorithm alg) { return forward_pd(g, false, false, alg).impl_info_str(); }) +
         "; bwd_data " + name([&](const Geometry& g, algorithm alg) { return backward_data_pd(g, attr, alg).impl_info_str(); }) +
         "; bwd_weights " + backward_weights_pd(user, attr).impl_info_str();
}

}  // namespace lab
