#include "batch_norm.h"

#include <string>

#include "engine.h"

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace lab {
namespace {

const normalization_flags kFlags = normalization_flags::use_scale | normalization_flags::use_shift;

memory::desc data_md(int M, int C) { return memory::desc({M, C, 1, 1}, dt::f32, tag::nhwc); }
memory::desc channel_md(int C) { return memory::desc({C}, dt::f32, tag::x); }

batch_normalization_forward::primitive_desc forward_pd(int M, int C, float eps) {
  auto d = batch_normalization_forward::desc(prop_kind::forward_training, data_md(M, C), eps, kFlags);
  return batch_normalization_forward::primitive_desc(d, user_scratchpad(), cpu_engine());
}

std::string key(const char* kind, int M, int C, float eps) {
  return std::string(kind) + "," + std::to_string(M) + "," + std::to_string(C) + "," + std::to_string(eps);
}

}  // namespace

void batch_norm_forward(int M, int C, float eps, const float* x, const float* gamma, const float* beta, float* y,
                        float* mean, float* variance) {
  Cached& c = cached(key("bn_fwd", M, C, eps), [&] {
    auto pd = forward_pd(M, C, eps);
    Cached e = entry_for<batch_normalization_forward>(pd);
    e.mds = {{DNNL_ARG_SRC, data_md(M, C)},    {DNNL_ARG_DST, data_md(M, C)},     {DNNL_ARG_SCALE, channel_md(C)},
             {DNNL_ARG_SHIFT, channel_md(C)},  {DNNL_ARG_MEAN, channel_md(C)},    {DNNL_ARG_VARIANCE, channel_md(C)}};
    return e;
  });
  execute(c, {{DNNL_ARG_SRC, const_cast<float*>(x)},
              {DNNL_ARG_DST, y},
              {DNNL_ARG_SCALE, const_cast<float*>(gamma)},
              {DNNL_ARG_SHIFT, const_cast<float*>(beta)},
              {DNNL_ARG_MEAN, mean},
              {DNNL_ARG_VARIANCE, variance}});
}

void batch_norm_backward(int M, int C, float eps, const float* x, const float* dy, const float* gamma,
                         const float* mean, const float* variance, float* dx, float* dgamma, float* dbeta) {
  Cached& c = cached(key("bn_bwd", M, C, eps), [&] {
    auto hint = forward_pd(M, C, eps);
    auto d = batch_normalization_backward::desc(prop_kind::backward, data_md(M, C), data_md(M, C), eps, kFlags);
    auto pd = batch_normalization_backward::primitive_desc(d, user_scratchpad(), cpu_engine(), hint);
    Cached e = entry_for<batch_normalization_backward>(pd);
    e.mds = {{DNNL_ARG_SRC, data_md(M, C)},        {DNNL_ARG_DIFF_DST, data_md(M, C)},   {DNNL_ARG_SCALE, channel_md(C)},
             {DNNL_ARG_SHIFT, channel_md(C)},
             {DNNL_ARG_MEAN, channel_md(C)},       {DNNL_ARG_VARIANCE, channel_md(C)},   {DNNL_ARG_DIFF_SRC, data_md(M, C)},
             {DNNL_ARG_DIFF_SCALE, channel_md(C)}, {DNNL_ARG_DIFF_SHIFT, channel_md(C)}};
    return e;
  });
  execute(c, {{DNNL_ARG_SRC, const_cast<float*>(x)},
              {DNNL_ARG_DIFF_DST, const_cast<float*>(dy)},
              {DNNL_ARG_SCALE, const_cast<float*>(gamma)},
              // The backward primitive lists a shift argument but does not read it (β does not enter ∂x).
              {DNNL_ARG_SHIFT, const_cast<float*>(gamma)},
              {DNNL_ARG_MEAN, const_cast<float*>(mean)},
              {DNNL_ARG_VARIANCE, const_cast<float*>(variance)},
              {DNNL_ARG_DIFF_SRC, dx},
              {DNNL_ARG_DIFF_SCALE, dgamma},
              {DNNL_ARG_DIFF_SHIFT, dbeta}});
}

}  // namespace lab
