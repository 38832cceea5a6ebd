// Batch preparation off the JavaScript thread: gathers rows of a uint8 NHWC dataset into a float32 batch,
// scaled as the model expects (unit: v/255, symmetric: v/127.5 − 1). Computed in double and rounded once, the
// same arithmetic as training/input.ts, so the result is bit-identical to the JS conversion.
#pragma once

#include <cstddef>

namespace lab {
enum class PixelScale { kUnit = 0, kSymmetric = 1 };
void gather_to_float(const unsigned char* src, size_t src_rows, const int* rows, size_t n, size_t row_bytes, PixelScale scale,
                     float* out);
}  // namespace lab
