#include "matmul.h"

#include <omp.h>

#include <algorithm>

#include "engine.h"

using namespace dnnl;
using dt = memory::data_type;

namespace lab {
namespace {

// Below about four million multiply-adds (a transfer head's 32×1280·1280×100 and its gradients, a small network's
// classifier) waking the second thread costs as much as it saves, or more: such products run on the calling thread
// alone. Measured with passive OpenMP waiting on 2 cores: 1M multiply-adds 18 µs on one thread against 28 µs on
// two, 4M 43 against 46, 8M 90 against 79. oneDNN wants a primitive executed with the thread count it was created
// with, so the guard covers both.
constexpr double kSingleThreadBelow = 1 << 22;

class ThreadsForSmall {
 public:
  explicit ThreadsForSmall(const int* p) : saved_(omp_get_max_threads()) {
    const double work = static_cast<double>(std::max(p[0], p[1])) * p[2] * p[3] * p[4];
    if (work < kSingleThreadBelow && saved_ > 1) omp_set_num_threads(1);
  }
  ~ThreadsForSmall() { omp_set_num_threads(saved_); }
  ThreadsForSmall(const ThreadsForSmall&) = delete;
  ThreadsForSmall& operator=(const ThreadsForSmall&) = delete;

 private:
  int saved_;
};

}  // namespace

void matmul(const int* p, const float* a, const float* b, const float* bias, bool relu, float* c) {
  const ThreadsForSmall threads(p);
  const int flags[2] = {bias != nullptr, relu};
  std::string key = key_of("matmul", p, kMatmulParams) + key_of("", flags, 2);
  Cached& entry = cached(key, [&] {
    const memory::dim BA = p[0], BB = p[1], M = p[2], K = p[3], N = p[4];
    const bool ta = p[5] != 0, tb = p[6] != 0;
    // Logical [B, M, K]·[B, K, N]; a transposed operand is described by its strides, not copied.
    memory::desc a_md({BA, M, K}, dt::f32, ta ? memory::dims{M * K, 1, M} : memory::dims{M * K, K, 1});
    memory::desc b_md({BB, K, N}, dt::f32, tb ? memory::dims{K * N, 1, K} : memory::dims{K * N, N, 1});
    memory::desc c_md({std::max(BA, BB), M, N}, dt::f32, memory::dims{M * N, N, 1});
    memory::desc bias_md({1, 1, N}, dt::f32, memory::dims{N, N, 1});
    primitive_attr attr = user_scratchpad();
    if (relu) {
      post_ops ops;
      ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    auto d = bias ? matmul::desc(a_md, b_md, bias_md, c_md) : matmul::desc(a_md, b_md, c_md);
    auto pd = matmul::primitive_desc(d, attr, cpu_engine());
    Cached e = entry_for<dnnl::matmul>(pd);
    e.mds = {{DNNL_ARG_SRC, a_md}, {DNNL_ARG_WEIGHTS, b_md}, {DNNL_ARG_BIAS, bias_md}, {DNNL_ARG_DST, c_md}};
    return e;
  });
  std::unordered_map<int, void*> ptrs = {
      {DNNL_ARG_SRC, const_cast<float*>(a)}, {DNNL_ARG_WEIGHTS, const_cast<float*>(b)}, {DNNL_ARG_DST, c}};
  if (bias) ptrs.emplace(DNNL_ARG_BIAS, const_cast<float*>(bias));
  execute(entry, ptrs);
}

}  // namespace lab
