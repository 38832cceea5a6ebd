#include "batch_norm.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace lab {
namespace {

// Rows summed in float before the sums move to double: fast inner loops, and no float sum grows long enough to
// lose the small terms.
constexpr long kBlock = 64;

// Threads only when the tensor is big enough that waking another thread pays for itself.
int threads_for(long M, long C) { return M * C >= (1 << 15) ? omp_get_max_threads() : 1; }

// Per-thread partial sums of two per-channel quantities over rows [lo, hi): f(row, c, a, b) adds into a[c], b[c].
template <typename F>
void partial_sums(long lo, long hi, long C, double* sa, double* sb, F add) {
  std::vector<float> a(C), b(C);
  for (long r0 = lo; r0 < hi; r0 += kBlock) {
    std::fill(a.begin(), a.end(), 0.0f);
    std::fill(b.begin(), b.end(), 0.0f);
    const long r1 = std::min(hi, r0 + kBlock);
    for (long r = r0; r < r1; r++) add(r, a.data(), b.data());
    for (long c = 0; c < C; c++) {
      sa[c] += a[c];
      sb[c] += b[c];
    }
  }
}

// The per-channel affine form of the normalisation, y = x·scale + shift, shared by the forward pass and by the
// backward pass of the fused ReLU (which recomputes y's sign from x instead of reading y back).
inline float scale_of(float gamma, float variance, float eps) { return gamma / std::sqrt(variance + eps); }
inline float shift_of(float beta, float mean, float scale) { return beta - mean * scale; }

// tfjs's Relu and its gradient's step(): NaN stays NaN.
// Written as two selects so that the loops around them vectorise.
inline float relu_of(float v) {
  const float r = v > 0.0f ? v : 0.0f;
  return v == v ? r : v;
}
inline float step_of(float v) {
  const float s = v > 0.0f ? 1.0f : 0.0f;
  return v == v ? s : v;
}

}  // namespace

void batch_norm_forward(int Mi, int Ci, float eps, const float* x, const float* gamma, const float* beta, float* y,
                        float* mean, float* variance, bool relu) {
  const long M = Mi, C = Ci;
  if (M <= 0 || C <= 0) {
    for (long c = 0; c < C; c++) mean[c] = variance[c] = NAN;
    return;
  }
  const int T = threads_for(M, C);
  // Sums of (x − s) and (x − s)² with s the first row: the shift keeps E[(x−s)²] − E[x−s]² from cancelling when
  // the mean is large against the spread.
  const float* s = x;
  std::vector<double> part(2 * static_cast<size_t>(T) * C, 0.0);
#pragma omp parallel num_threads(T)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const long lo = M * t / nt, hi = M * (t + 1) / nt;
    double* s1 = part.data() + 2 * t * C;
    double* s2 = s1 + C;
    partial_sums(lo, hi, C, s1, s2, [&](long r, float* a, float* b) {
      const float* xr = x + r * C;
      for (long c = 0; c < C; c++) {
        const float d = xr[c] - s[c];
        a[c] += d;
        b[c] += d * d;
      }
    });
#pragma omp barrier
    std::vector<float> scale(C), shift(C);
    for (long c = 0; c < C; c++) {
      double S1 = 0, S2 = 0;
      for (int k = 0; k < nt; k++) {
        S1 += part[2 * k * C + c];
        S2 += part[2 * k * C + C + c];
      }
      const double d = S1 / M;
      const float m = static_cast<float>(s[c] + d);
      const float v = static_cast<float>(std::max(0.0, S2 / M - d * d));
      const float sc = scale_of(gamma[c], v, eps);
      scale[c] = sc;
      shift[c] = shift_of(beta[c], m, sc);
      if (t == 0) {
        mean[c] = m;
        variance[c] = v;
      }
    }
    for (long r = lo; r < hi; r++) {
      const float* xr = x + r * C;
      float* yr = y + r * C;
      if (relu) {
        for (long c = 0; c < C; c++) yr[c] = relu_of(xr[c] * scale[c] + shift[c]);
      } else {
        for (long c = 0; c < C; c++) yr[c] = xr[c] * scale[c] + shift[c];
      }
    }
  }
}

void batch_norm_backward(int Mi, int Ci, float eps, const float* x, const float* dy, const float* gamma,
                         const float* mean, const float* variance, float* dx, float* dgamma, float* dbeta,
                         const float* relu_beta) {
  const long M = Mi, C = Ci;
  if (M <= 0 || C <= 0) {
    for (long c = 0; c < C; c++) dgamma[c] = dbeta[c] = 0.0f;
    return;
  }
  const int T = threads_for(M, C);
  std::vector<double> part(2 * static_cast<size_t>(T) * C, 0.0);
#pragma omp parallel num_threads(T)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const long lo = M * t / nt, hi = M * (t + 1) / nt;
    double* sdy = part.data() + 2 * t * C;
    double* sdyx = sdy + C;
    // With the ReLU fused, the gradient reaching the normalisation is dy·step(y), y recomputed from x exactly as
    // the forward pass computed it. The masked gradient goes into dx first, and the second pass finishes it there.
    std::vector<float> rscale(relu_beta ? C : 0), rshift(relu_beta ? C : 0);
    for (long c = 0; relu_beta && c < C; c++) {
      rscale[c] = scale_of(gamma[c], variance[c], eps);
      rshift[c] = shift_of(relu_beta[c], mean[c], rscale[c]);
    }
    const float* __restrict rs = rscale.data();
    const float* __restrict rh = rshift.data();
    const float* __restrict mu = mean;
    partial_sums(lo, hi, C, sdy, sdyx, [&](long r, float* __restrict a, float* __restrict b) {
      const float* __restrict xr = x + r * C;
      const float* __restrict g = dy + r * C;
      if (relu_beta) {
        float* __restrict o = dx + r * C;
        for (long c = 0; c < C; c++) {
          const float gc = g[c] * step_of(xr[c] * rs[c] + rh[c]);
          o[c] = gc;
          a[c] += gc;
          b[c] += gc * (xr[c] - mu[c]);
        }
      } else {
        for (long c = 0; c < C; c++) {
          a[c] += g[c];
          b[c] += g[c] * (xr[c] - mu[c]);
        }
      }
    });
#pragma omp barrier
    // dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/σ · (dy − dβ/M − x̂·dγ/M) with x̂ = (x − μ)/σ, σ = √(σ² + ε).
    std::vector<float> k1(C), k2(C), k3(C);
    for (long c = 0; c < C; c++) {
      double Sdy = 0, Sdyx = 0;
      for (int k = 0; k < nt; k++) {
        Sdy += part[2 * k * C + c];
        Sdyx += part[2 * k * C + C + c];
      }
      const double inv = 1.0 / std::sqrt(static_cast<double>(variance[c]) + eps);
      if (t == 0) {
        dbeta[c] = static_cast<float>(Sdy);
        dgamma[c] = static_cast<float>(Sdyx * inv);
      }
      k1[c] = static_cast<float>(gamma[c] * inv);
      k2[c] = static_cast<float>(Sdy / M);
      k3[c] = static_cast<float>(Sdyx / M * inv * inv);
    }
    for (long r = lo; r < hi; r++) {
      const float* xr = x + r * C;
      const float* g = dy + r * C;
      float* o = dx + r * C;
      if (relu_beta) {
        for (long c = 0; c < C; c++) o[c] = k1[c] * (o[c] - k2[c] - (xr[c] - mean[c]) * k3[c]);
      } else {
        for (long c = 0; c < C; c++) o[c] = k1[c] * (g[c] - k2[c] - (xr[c] - mean[c]) * k3[c]);
      }
    }
  }
}

}  // namespace lab
