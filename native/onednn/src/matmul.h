// Batched matrix product as tfjs's BatchMatMul / _FusedMatMul define it: c[b] = op(a[b])·op(b[b]) (+ bias, ReLU),
// a batch of 1 broadcast against the other operand's.
// p: BA, BB, M, K, N, transposeA, transposeB.
#pragma once

namespace lab {
constexpr int kMatmulParams = 7;
void matmul(const int* p, const float* a, const float* b, const float* bias, bool relu, float* c);
}  // namespace lab
