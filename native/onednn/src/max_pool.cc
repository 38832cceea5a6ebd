#include "max_pool.h"

#include <cstring>
#include <limits>
#include <vector>

namespace lab {

void max_pool_grad(const int* p, const float* x, const float* dy, float* dx) {
  const long N = p[0], H = p[1], W = p[2], C = p[3], OH = p[4], OW = p[5];
  const long KH = p[6], KW = p[7], SH = p[8], SW = p[9], PT = p[10], PL = p[11];
  std::memset(dx, 0, sizeof(float) * N * H * W * C);
#pragma omp parallel
  {
    // One scratch pair per thread, not per image.
    std::vector<float> best(C);
    std::vector<long> pos(C);
#pragma omp for schedule(static)
    for (long n = 0; n < N; n++) {
      const float* xn = x + n * H * W * C;
      float* dxn = dx + n * H * W * C;
      for (long oh = 0; oh < OH; oh++) {
        for (long ow = 0; ow < OW; ow++) {
          std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
          std::fill(pos.begin(), pos.end(), -1L);
          for (long kh = 0; kh < KH; kh++) {
            const long r = oh * SH - PT + kh;
            if (r < 0 || r >= H) continue;
            for (long kw = 0; kw < KW; kw++) {
              const long c = ow * SW - PL + kw;
              if (c < 0 || c >= W) continue;
              const long at = r * W + c;
              const float* px = xn + at * C;
              for (long ch = 0; ch < C; ch++) {
                if (px[ch] > best[ch]) {
                  best[ch] = px[ch];
                  pos[ch] = at;
                }
              }
            }
          }
          const float* g = dy + ((n * OH + oh) * OW + ow) * C;
          for (long ch = 0; ch < C; ch++) {
            if (pos[ch] >= 0) dxn[pos[ch] * C + ch] += g[ch];
          }
        }
      }
    }
  }
}

}  // namespace lab
