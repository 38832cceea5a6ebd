#include "max_pool.h"

#include <cstring>
#include <limits>
#include <vector>

namespace lab {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

struct Pool {
  long N, H, W, C, OH, OW, KH, KW, SH, SW, PT, PL;
  explicit Pool(const int* p)
      : N(p[0]), H(p[1]), W(p[2]), C(p[3]), OH(p[4]), OW(p[5]), KH(p[6]), KW(p[7]), SH(p[8]), SW(p[9]), PT(p[10]), PL(p[11]) {}
  // Windows that tile the image without overlap or padding (the usual 2×2, stride 2): each input belongs to at
  // most one window, so the gradient can be written in one pass without clearing dx first.
  bool tiles() const { return KH == SH && KW == SW && PT == 0 && PL == 0 && OH * SH <= H && OW * SW <= W; }
};

// Enough images per thread that waking a second thread pays for itself.
bool worth_threads(const Pool& q) { return q.N > 1 && q.N * q.H * q.W * q.C >= (1 << 15); }

// The 2×2 windows of the usual stride-2 pooling, a channel vector at a time: the winner of each channel is the
// last input that beat every earlier one (strict >, so the first of equal maxima wins and NaN never does), computed
// with selects over four channels at once (GCC vector extensions; the compiler does not vectorise the scalar form).
using v4f = float __attribute__((vector_size(16)));
using v4i = int __attribute__((vector_size(16)));

inline v4f load4(const float* p) {
  v4f v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(float* p, v4f v) { std::memcpy(p, &v, sizeof v); }

void grad_2x2(const float* a, const float* b, const float* c, const float* d, const float* g, float* da, float* db,
              float* dc, float* dd, long C) {
  long ch = 0;
  const v4f ninf = {kNegInf, kNegInf, kNegInf, kNegInf};
  const v4f zero = {0, 0, 0, 0};
  for (; ch + 4 <= C; ch += 4) {
    const v4f va = load4(a + ch), vb = load4(b + ch), vc = load4(c + ch), vd = load4(d + ch), v = load4(g + ch);
    v4i m = va > ninf;
    v4f best = m ? va : ninf;
    v4i k = m ? v4i{0, 0, 0, 0} : v4i{-1, -1, -1, -1};
    m = vb > best;
    best = m ? vb : best;
    k = m ? v4i{1, 1, 1, 1} : k;
    m = vc > best;
    best = m ? vc : best;
    k = m ? v4i{2, 2, 2, 2} : k;
    m = vd > best;
    k = m ? v4i{3, 3, 3, 3} : k;
    store4(da + ch, k == 0 ? v : zero);
    store4(db + ch, k == 1 ? v : zero);
    store4(dc + ch, k == 2 ? v : zero);
    store4(dd + ch, k == 3 ? v : zero);
  }
  for (; ch < C; ch++) {
    float best = kNegInf;
    int k = -1;
    const float in[4] = {a[ch], b[ch], c[ch], d[ch]};
    for (int i = 0; i < 4; i++) {
      if (in[i] > best) {
        best = in[i];
        k = i;
      }
    }
    const float v = g[ch];
    da[ch] = k == 0 ? v : 0.0f;
    db[ch] = k == 1 ? v : 0.0f;
    dc[ch] = k == 2 ? v : 0.0f;
    dd[ch] = k == 3 ? v : 0.0f;
  }
}

void grad_tiled(const Pool& q, const float* __restrict x, const float* __restrict dy, float* __restrict dx) {
  const long K = q.KH * q.KW;
  const long C = q.C;
  // Rows and columns past the last whole window get no gradient.
  const bool ragged = q.OH * q.SH != q.H || q.OW * q.SW != q.W;
  const bool two = q.KH == 2 && q.KW == 2;
#pragma omp parallel if (worth_threads(q))
  {
    std::vector<long> offs(K);
    std::vector<float> best(C);
    std::vector<int> arg(C);
#pragma omp for schedule(static)
    for (long n = 0; n < q.N; n++) {
      const float* xn = x + n * q.H * q.W * C;
      float* dxn = dx + n * q.H * q.W * C;
      if (ragged) std::memset(dxn, 0, sizeof(float) * q.H * q.W * C);
      for (long oh = 0; oh < q.OH; oh++) {
        for (long ow = 0; ow < q.OW; ow++) {
          const float* g = dy + ((n * q.OH + oh) * q.OW + ow) * C;
          const long at = (oh * q.SH * q.W + ow * q.SW) * C;
          if (two) {
            const long down = q.W * C;
            grad_2x2(xn + at, xn + at + C, xn + at + down, xn + at + down + C, g, dxn + at, dxn + at + C, dxn + at + down,
                     dxn + at + down + C, C);
            continue;
          }
          for (long kh = 0, k = 0; kh < q.KH; kh++)
            for (long kw = 0; kw < q.KW; kw++, k++) offs[k] = at + (kh * q.W + kw) * C;
          for (long c = 0; c < C; c++) {
            best[c] = kNegInf;
            arg[c] = -1;
          }
          for (long k = 0; k < K; k++) {
            const float* px = xn + offs[k];
            for (long c = 0; c < C; c++) {
              const bool more = px[c] > best[c];  // strict: the first of equal maxima wins; NaN never does
              best[c] = more ? px[c] : best[c];
              arg[c] = more ? static_cast<int>(k) : arg[c];
            }
          }
          for (long k = 0; k < K; k++) {
            float* pd = dxn + offs[k];
            for (long c = 0; c < C; c++) pd[c] = arg[c] == k ? g[c] : 0.0f;
          }
        }
      }
    }
  }
}

void grad_general(const Pool& q, const float* x, const float* dy, float* dx) {
  std::memset(dx, 0, sizeof(float) * q.N * q.H * q.W * q.C);
#pragma omp parallel if (worth_threads(q))
  {
    // One scratch pair per thread, not per image.
    std::vector<float> best(q.C);
    std::vector<long> pos(q.C);
#pragma omp for schedule(static)
    for (long n = 0; n < q.N; n++) {
      const float* xn = x + n * q.H * q.W * q.C;
      float* dxn = dx + n * q.H * q.W * q.C;
      for (long oh = 0; oh < q.OH; oh++) {
        for (long ow = 0; ow < q.OW; ow++) {
          std::fill(best.begin(), best.end(), kNegInf);
          std::fill(pos.begin(), pos.end(), -1L);
          for (long kh = 0; kh < q.KH; kh++) {
            const long r = oh * q.SH - q.PT + kh;
            if (r < 0 || r >= q.H) continue;
            for (long kw = 0; kw < q.KW; kw++) {
              const long c = ow * q.SW - q.PL + kw;
              if (c < 0 || c >= q.W) continue;
              const long at = r * q.W + c;
              const float* px = xn + at * q.C;
              for (long ch = 0; ch < q.C; ch++) {
                if (px[ch] > best[ch]) {
                  best[ch] = px[ch];
                  pos[ch] = at;
                }
              }
            }
          }
          const float* g = dy + ((n * q.OH + oh) * q.OW + ow) * q.C;
          for (long ch = 0; ch < q.C; ch++) {
            if (pos[ch] >= 0) dxn[pos[ch] * q.C + ch] += g[ch];
          }
        }
      }
    }
  }
}

}  // namespace

namespace {
// out = max(out, px) over C channels (strict >: NaN never wins), on pointers that do not alias.
inline void max_into(const float* __restrict px, float* __restrict out, long C) {
#pragma omp simd
  for (long c = 0; c < C; c++) out[c] = px[c] > out[c] ? px[c] : out[c];
}
}  // namespace

void max_pool(const int* p, const float* x, float* y) {
  const Pool q(p);
#pragma omp parallel for schedule(static) if (worth_threads(q))
  for (long n = 0; n < q.N; n++) {
    const float* xn = x + n * q.H * q.W * q.C;
    float* yn = y + n * q.OH * q.OW * q.C;
    for (long oh = 0; oh < q.OH; oh++) {
      for (long ow = 0; ow < q.OW; ow++) {
        float* out = yn + (oh * q.OW + ow) * q.C;
        for (long c = 0; c < q.C; c++) out[c] = kNegInf;
        for (long kh = 0; kh < q.KH; kh++) {
          const long r = oh * q.SH - q.PT + kh;
          if (r < 0 || r >= q.H) continue;
          for (long kw = 0; kw < q.KW; kw++) {
            const long col = ow * q.SW - q.PL + kw;
            if (col < 0 || col >= q.W) continue;
            max_into(xn + (r * q.W + col) * q.C, out, q.C);
          }
        }
      }
    }
  }
}

void max_pool_grad(const int* p, const float* x, const float* dy, float* dx) {
  const Pool q(p);
  if (q.tiles()) grad_tiled(q, x, dy, dx);
  else grad_general(q, x, dy, dx);
}

}  // namespace lab
