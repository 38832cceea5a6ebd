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

template <typename F>
void each(long n, F f) {
#pragma omp parallel for schedule(static) if (n >= kParallelFrom)
  for (long i = 0; i < n; i++) f(i);
}
}  // namespace

void optimizer_step(int rule, const float* h, long n, const float* theta, const float* g, const float* s1, const float* s2,
                    float* theta_out, float* s1_out, float* s2_out) {
  const float lr = h[0], neg_lr = h[1], gamma = h[2], rho = h[3], one_rho = h[4], b1 = h[5], one_b1 = h[6], b2 = h[7],
              one_b2 = h[8], corr1 = h[9], corr2 = h[10], eps = h[11], decay = h[12];
  // θ_new, then the decoupled decay on the old θ (a separate rounding, as the tensor path does it).
  auto finish = [=](long i, float t0, float update) {
    float t = t0 + update;
    if (decay != 0.0f) t = t - t0 * decay;
    theta_out[i] = t;
  };
  switch (rule) {
    case kSgd:
      each(n, [=](long i) { finish(i, theta[i], g[i] * neg_lr); });
      break;
    case kMomentum:
    case kNesterov: {
      const bool nesterov = rule == kNesterov;
      each(n, [=](long i) {
        const float v0 = s1 ? s1[i] : 0.0f;
        const float gl = g[i] * lr;
        const float v = v0 * gamma - gl;
        s1_out[i] = v;
        finish(i, theta[i], nesterov ? v * gamma - gl : v);
      });
      break;
    }
    case kAdagrad:
    case kRmsprop: {
      const bool rms = rule == kRmsprop;
      each(n, [=](long i) {
        const float c0 = s1 ? s1[i] : 0.0f;
        const float g2 = g[i] * g[i];
        const float c = rms ? c0 * rho + g2 * one_rho : c0 + g2;
        s1_out[i] = c;
        finish(i, theta[i], (g[i] / std::sqrt(c + eps)) * neg_lr);
      });
      break;
    }
    case kAdam:
      each(n, [=](long i) {
        const float m0 = s1 ? s1[i] : 0.0f;
        const float c0 = s2 ? s2[i] : 0.0f;
        const float m = m0 * b1 + g[i] * one_b1;
        const float c = c0 * b2 + (g[i] * g[i]) * one_b2;
        s1_out[i] = m;
        s2_out[i] = c;
        const float m_hat = m * corr1;
        const float c_hat = c * corr2;
        finish(i, theta[i], (m_hat / std::sqrt(c_hat + eps)) * neg_lr);
      });
      break;
    default:
      throw std::invalid_argument("lab_onednn: unknown optimizer rule " + std::to_string(rule));
  }
}

}  // namespace lab
