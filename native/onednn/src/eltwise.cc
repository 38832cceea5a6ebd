#include "eltwise.h"

#include <cmath>

namespace lab {

void relu_grad(long n, const float* x, const float* dy, float* dx) {
#pragma omp parallel for schedule(static) if (n >= (1 << 16))
  for (long i = 0; i < n; i++) {
    const float step = std::isnan(x[i]) ? x[i] : (x[i] > 0.0f ? 1.0f : 0.0f);
    dx[i] = dy[i] * step;
  }
}

}  // namespace lab
