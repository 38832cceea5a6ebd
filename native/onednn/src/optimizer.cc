#include "optimizer.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace lab {

int optimizer_slots(int rule) {
  switch (rule) {
    case kSgd: return 0;
    case kMomentum: case kNesterov: case kAdagrad: case kRmsprop: return 1;
    case kAdam: return 2;
    default: throw std::invalid_argument("lab_onednn: unknown optimizer rule " + std::to_string(rule));
  }
}

namespace {
// Large variables are split across OpenMP threads; small ones (most of a small network) stay on this thread.
constexpr long kParallelFrom = 1 << 15;

// θ_new, then the decoupled decay on the old θ (a separate rounding, as the tensor path does it).
inline float finish(float t0, float update, float decay) {
  const float t = t0 + update;
  return decay != 0.0f ? t - t0 * decay : t;
}

// Each rule is a plain loop over restrict-qualified arrays so that it vectorises (with -fno-math-errno for the
// square roots); a missing state (the first step) reads as zeros.
void sgd(long n, float neg_lr, float decay, const float* __restrict theta, const float* __restrict g,
         float* __restrict theta_out) {
#pragma omp parallel for simd schedule(static) if (n >= kParallelFrom)
  for (long i = 0; i < n; i++) theta_out[i] = finish(theta[i], g[i] * neg_lr, decay);
}

void momentum(long n, bool nesterov, float lr, float gamma, float decay, const float* __restrict theta,
              const float* __restrict g, const float* __restrict s1, float* __restrict theta_out, float* __restrict s1_out) {
#pragma omp parallel for simd schedule(static) if (n >= kParallelFrom)
  for (long i = 0; i < n; i++) {
    const float v0 = s1 ? s1[i] : 0.0f;
    const float gl = g[i] * lr;
    const float v = v0 * gamma - gl;
    s1_out[i] = v;
    theta_out[i] = finish(theta[i], nesterov ? v * gamma - gl : v, decay);
  }
}

void accumulated_square(long n, bool rms, float neg_lr, float rho, float one_rho, float eps, float decay,
                        const float* __restrict theta, const float* __restrict g, const float* __restrict s1,
                        float* __restrict theta_out, float* __restrict s1_out) {
#pragma omp parallel for simd schedule(static) if (n >= kParallelFrom)
  for (long i = 0; i < n; i++) {
    const float c0 = s1 ? s1[i] : 0.0f;
    const float g2 = g[i] * g[i];
    const float c = rms ? c0 * rho + g2 * one_rho : c0 + g2;
    s1_out[i] = c;
    theta_out[i] = finish(theta[i], (g[i] / std::sqrt(c + eps)) * neg_lr, decay);
  }
}

void adam(long n, float neg_lr, float b1, float one_b1, float b2, float one_b2, float corr1, float corr2, float eps,
          float decay, const float* __restrict theta, const float* __restrict g, const float* __restrict s1,
          const float* __restrict s2, float* __restrict theta_out, float* __restrict s1_out, float* __restrict s2_out) {
#pragma omp parallel for simd schedule(static) if (n >= kParallelFrom)
  for (long i = 0; i < n; i++) {
    const float m0 = s1 ? s1[i] : 0.0f;
    const float c0 = s2 ? s2[i] : 0.0f;
    const float m = m0 * b1 + g[i] * one_b1;
    const float c = c0 * b2 + (g[i] * g[i]) * one_b2;
    s1_out[i] = m;
    s2_out[i] = c;
    const float m_hat = m * corr1;
    const float c_hat = c * corr2;
    theta_out[i] = finish(theta[i], (m_hat / std::sqrt(c_hat + eps)) * neg_lr, decay);
  }
}
}  // namespace

void optimizer_step(int rule, const float* h, long n, const float* theta, const float* g, const float* s1, const float* s2,
                    float* theta_out, float* s1_out, float* s2_out) {
  const float lr = h[0], neg_lr = h[1], gamma = h[2], rho = h[3], one_rho = h[4], b1 = h[5], one_b1 = h[6], b2 = h[7],
              one_b2 = h[8], corr1 = h[9], corr2 = h[10], eps = h[11], decay = h[12];
  switch (rule) {
    case kSgd:
      sgd(n, neg_lr, decay, theta, g, theta_out);
      break;
    case kMomentum:
    case kNesterov:
      momentum(n, rule == kNesterov, lr, gamma, decay, theta, g, s1, theta_out, s1_out);
      break;
    case kAdagrad:
    case kRmsprop:
      accumulated_square(n, rule == kRmsprop, neg_lr, rho, one_rho, eps, decay, theta, g, s1, theta_out, s1_out);
      break;
    case kAdam:
      adam(n, neg_lr, b1, one_b1, b2, one_b2, corr1, corr2, eps, decay, theta, g, s1, s2, theta_out, s1_out, s2_out);
      break;
    default:
      throw std::invalid_argument("lab_onednn: unknown optimizer rule " + std::to_string(rule));
  }
}

}  // namespace lab
