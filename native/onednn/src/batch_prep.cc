#include "batch_prep.h"

#include <stdexcept>

namespace lab {

void gather_to_float(const unsigned char* src, size_t src_rows, const int* rows, size_t n, size_t row_bytes, PixelScale scale,
                     float* out) {
  // A lookup table of the 256 values: one rounding, identical to the JS loop's x / 255 or x / 127.5 − 1.
  float table[256];
  for (int v = 0; v < 256; v++) {
    table[v] = scale == PixelScale::kUnit ? static_cast<float>(v / 255.0) : static_cast<float>(v / 127.5 - 1.0);
  }
  for (size_t i = 0; i < n; i++) {
    const long r = rows[i];
    if (r < 0 || static_cast<size_t>(r) >= src_rows) throw std::out_of_range("lab_onednn: batch row out of range");
    const unsigned char* s = src + static_cast<size_t>(r) * row_bytes;
    float* o = out + i * row_bytes;
    for (size_t k = 0; k < row_bytes; k++) o[k] = table[s[k]];
  }
}

}  // namespace lab
