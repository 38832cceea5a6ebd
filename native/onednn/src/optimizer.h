// The document's optimizer rules (src/shared/optim/rules.ts) for one variable in one pass over float32 arrays,
// in the same operation order and with the same float32-rounded scalars as the tensor path evaluates them, so the
// two agree to float32 rounding. Slot inputs may be null (first step: zero); outputs may alias their inputs.
// h (kOptHyper floats, computed by the caller in float64 then rounded): lr, -lr, momentum γ, ρ, 1-ρ, β1, 1-β1,
// β2, 1-β2, 1/(1-β1ᵗ), 1/(1-β2ᵗ), ε, decoupled decay factor η·λ (0: none).
#pragma once

namespace lab {
enum OptRule { kSgd = 0, kMomentum = 1, kNesterov = 2, kAdagrad = 3, kRmsprop = 4, kAdam = 5 };
constexpr int kOptHyper = 13;
/** Slots per rule: momentum/nesterov v; adagrad/rmsprop c; adam m then c. */
int optimizer_slots(int rule);
void optimizer_step(int rule, const float* h, long n, const float* theta, const float* g, const float* s1, const float* s2,
                    float* theta_out, float* s1_out, float* s2_out);
}  // namespace lab
