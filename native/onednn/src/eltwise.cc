#include "eltwise.h"

#include <cmath>

namespace lab {

void relu(long n, const float* x, float* y) {
#pragma omp parallel for schedule(static) if (n >= (1 << 16))
  for (long i = 0; i < n; i++) y[i] = std::isnan(x[i]) ? x[i] : (x[i] > 0.0f ? x[i] : 0.0f);
}

void relu_grad(long n, const float* x, const float* dy, float* dx) {
#pragma omp parallel for schedule(static) if (n >= (1 << 16))
  for (long i = 0; i < n; i++) {
    const float step = std::isnan(x[i]) ? x[i] : (x[i] > 0.0f ? 1.0f : 0.0f);
    dx[i] = dy[i] * step;
  }
}

namespace {
inline uint32_t mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}
}  // namespace

void dropout_mask(long n, unsigned seed, float rate, float scale, float* out) {
  const uint32_t base = mix32(static_cast<uint32_t>(seed));
#pragma omp parallel for schedule(static) if (n >= (1 << 16))
  for (long i = 0; i < n; i++) {
    const uint32_t h = mix32(base + static_cast<uint32_t>(i));
    const float u = static_cast<float>(h >> 8) * (1.0f / 16777216.0f);
    out[i] = u >= rate ? scale : 0.0f;
  }
}

}  // namespace lab
