// Node-API entry points: every function takes typed arrays (views on the wasm heap or plain JS buffers) and
// writes its results into caller-allocated outputs; shapes travel in an Int32Array. Synchronous: the caller
// (a tfjs kernel) needs the result before it returns, and oneDNN spreads the work over OpenMP threads.
#include <node_api.h>

#include <oneapi/dnnl/dnnl.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "batch_norm.h"
#include "batch_prep.h"
#include "eltwise.h"
#include "conv.h"
#include "matmul.h"
#include "max_pool.h"
#include "optimizer.h"

namespace {

struct ArgError : std::exception {
  std::string msg;
  explicit ArgError(std::string m) : msg(std::move(m)) {}
  const char* what() const noexcept override { return msg.c_str(); }
};

void check(napi_status s, const char* what) {
  if (s != napi_ok) throw ArgError(std::string("lab_onednn: ") + what);
}

struct Args {
  napi_env env;
  size_t argc = 16;
  napi_value argv[16];
  Args(napi_env e, napi_callback_info info, size_t want) : env(e) {
    check(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr), "cannot read arguments");
    if (argc < want) throw ArgError("lab_onednn: expected " + std::to_string(want) + " arguments");
  }

  bool is_null(size_t i) const {
    napi_valuetype t;
    check(napi_typeof(env, argv[i], &t), "typeof");
    return t == napi_null || t == napi_undefined;
  }

  template <typename T>
  T* typed(size_t i, napi_typedarray_type want, size_t min_len) const {
    bool ok = false;
    check(napi_is_typedarray(env, argv[i], &ok), "is_typedarray");
    if (!ok) throw ArgError("lab_onednn: argument " + std::to_string(i) + " must be a typed array");
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_value buffer;
    size_t offset;
    check(napi_get_typedarray_info(env, argv[i], &type, &length, &data, &buffer, &offset), "typedarray_info");
    if (type != want) throw ArgError("lab_onednn: argument " + std::to_string(i) + " has the wrong element type");
    if (length < min_len) {
      throw ArgError("lab_onednn: argument " + std::to_string(i) + " has " + std::to_string(length) +
                     " elements, needs " + std::to_string(min_len));
    }
    return static_cast<T*>(data);
  }

  float* f32(size_t i, size_t min_len) const { return typed<float>(i, napi_float32_array, min_len); }
  const int* params(size_t i, size_t n) const { return typed<int>(i, napi_int32_array, n); }

  bool boolean(size_t i) const {
    bool b = false;
    check(napi_get_value_bool(env, argv[i], &b), "expected a boolean");
    return b;
  }
  int int32(size_t i) const {
    int32_t v = 0;
    check(napi_get_value_int32(env, argv[i], &v), "expected an integer");
    return v;
  }
  float number(size_t i) const {
    double v = 0;
    check(napi_get_value_double(env, argv[i], &v), "expected a number");
    return static_cast<float>(v);
  }
};

size_t prod(std::initializer_list<long long> xs) {
  long long p = 1;
  for (long long x : xs) {
    if (x < 0) throw ArgError("lab_onednn: negative dimension");
    p *= x;
  }
  return static_cast<size_t>(p);
}

template <typename F>
napi_value guarded(napi_env env, F&& body) {
  try {
    return body();
  } catch (const dnnl::error& e) {
    napi_throw_error(env, "ONEDNN", (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, "ONEDNN", e.what());
  }
  return nullptr;
}

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// convForward(params, x, w, bias|null, relu, y)
napi_value ConvForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 6);
    const int* p = a.params(0, lab::kConvParams);
    const float* x = a.f32(1, prod({p[0], p[1], p[2], p[3]}));
    const float* w = a.f32(2, prod({p[5], p[6], p[3], p[4]}));
    const float* bias = a.is_null(3) ? nullptr : a.f32(3, p[4]);
    float* y = a.f32(5, prod({p[0], p[15], p[16], p[4]}));
    lab::conv_forward(p, x, w, bias, a.boolean(4), y);
    return undefined(env);
  });
}

// convBackwardData(params, dy, w, dx)
napi_value ConvBackwardData(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    const int* p = a.params(0, lab::kConvParams);
    lab::conv_backward_data(p, a.f32(1, prod({p[0], p[15], p[16], p[4]})), a.f32(2, prod({p[5], p[6], p[3], p[4]})),
                            a.f32(3, prod({p[0], p[1], p[2], p[3]})));
    return undefined(env);
  });
}

// convBackwardWeights(params, x, dy, dw)
napi_value ConvBackwardWeights(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    const int* p = a.params(0, lab::kConvParams);
    lab::conv_backward_weights(p, a.f32(1, prod({p[0], p[1], p[2], p[3]})), a.f32(2, prod({p[0], p[15], p[16], p[4]})),
                               a.f32(3, prod({p[5], p[6], p[3], p[4]})));
    return undefined(env);
  });
}

// Depthwise convolution (tfjs's DepthwiseConv2dNative and its gradients): the conv params with OC = IC × multiplier,
// filters [KH, KW, IC, multiplier]. Checks what the convolution functions check, with the depthwise filter size.
size_t depthwise_filter_size(const int* p) {
  if (p[3] <= 0 || p[4] % p[3] != 0) throw ArgError("lab_onednn: depthwise output channels must be a multiple of the input channels");
  return prod({p[5], p[6], p[4]});
}

// depthwiseForward(params, x, w, y)
napi_value DepthwiseForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    const int* p = a.params(0, lab::kConvParams);
    lab::conv_forward(p, a.f32(1, prod({p[0], p[1], p[2], p[3]})), a.f32(2, depthwise_filter_size(p)), nullptr, false,
                      a.f32(3, prod({p[0], p[15], p[16], p[4]})), true);
    return undefined(env);
  });
}

// depthwiseBackwardData(params, dy, w, dx)
napi_value DepthwiseBackwardData(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    const int* p = a.params(0, lab::kConvParams);
    lab::conv_backward_data(p, a.f32(1, prod({p[0], p[15], p[16], p[4]})), a.f32(2, depthwise_filter_size(p)),
                            a.f32(3, prod({p[0], p[1], p[2], p[3]})), true);
    return undefined(env);
  });
}

// depthwiseBackwardWeights(params, x, dy, dw)
napi_value DepthwiseBackwardWeights(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    const int* p = a.params(0, lab::kConvParams);
    lab::conv_backward_weights(p, a.f32(1, prod({p[0], p[1], p[2], p[3]})), a.f32(2, prod({p[0], p[15], p[16], p[4]})),
                               a.f32(3, depthwise_filter_size(p)), true);
    return undefined(env);
  });
}

// batchNormForward(M, C, eps, x, gamma, beta, y, mean, variance); batchNormReluForward: the same, y = relu(BN(x))
napi_value batch_norm_forward_call(napi_env env, napi_callback_info info, bool relu) {
  return guarded(env, [&] {
    Args a(env, info, 9);
    const int M = a.int32(0), C = a.int32(1);
    const size_t n = prod({M, C});
    lab::batch_norm_forward(M, C, a.number(2), a.f32(3, n), a.f32(4, C), a.f32(5, C), a.f32(6, n), a.f32(7, C), a.f32(8, C),
                            relu);
    return undefined(env);
  });
}
napi_value BatchNormForward(napi_env env, napi_callback_info info) { return batch_norm_forward_call(env, info, false); }
napi_value BatchNormReluForward(napi_env env, napi_callback_info info) { return batch_norm_forward_call(env, info, true); }

// batchNormBackward(M, C, eps, x, dy, gamma, mean, variance, dx, dgamma, dbeta);
// batchNormReluBackward(…, beta): the gradient of batchNormReluForward
napi_value batch_norm_backward_call(napi_env env, napi_callback_info info, bool relu) {
  return guarded(env, [&] {
    Args a(env, info, relu ? 12 : 11);
    const int M = a.int32(0), C = a.int32(1);
    const size_t n = prod({M, C});
    lab::batch_norm_backward(M, C, a.number(2), a.f32(3, n), a.f32(4, n), a.f32(5, C), a.f32(6, C), a.f32(7, C),
                             a.f32(8, n), a.f32(9, C), a.f32(10, C), relu ? a.f32(11, C) : nullptr);
    return undefined(env);
  });
}
napi_value BatchNormBackward(napi_env env, napi_callback_info info) { return batch_norm_backward_call(env, info, false); }
napi_value BatchNormReluBackward(napi_env env, napi_callback_info info) { return batch_norm_backward_call(env, info, true); }

// matmul(params, a, b, bias|null, relu, c)
napi_value Matmul(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 6);
    const int* p = a.params(0, lab::kMatmulParams);
    const long long BA = p[0], BB = p[1], M = p[2], K = p[3], N = p[4];
    if (BA != BB && BA != 1 && BB != 1) throw ArgError("lab_onednn: batch sizes must match or be 1");
    lab::matmul(p, a.f32(1, prod({BA, M, K})), a.f32(2, prod({BB, K, N})), a.is_null(3) ? nullptr : a.f32(3, N),
                a.boolean(4), a.f32(5, prod({BA > BB ? BA : BB, M, N})));
    return undefined(env);
  });
}

// maxPoolGrad(params, x, dy, dx)
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    const int* p = a.params(0, lab::kPoolParams);
    lab::max_pool_grad(p, a.f32(1, prod({p[0], p[1], p[2], p[3]})), a.f32(2, prod({p[0], p[4], p[5], p[3]})),
                       a.f32(3, prod({p[0], p[1], p[2], p[3]})));
    return undefined(env);
  });
}

// relu(n, x, y)
napi_value Relu(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 3);
    const int n = a.int32(0);
    if (n < 0) throw ArgError("lab_onednn: negative size");
    const size_t len = static_cast<size_t>(n);
    lab::relu(n, a.f32(1, len), a.f32(2, len));
    return undefined(env);
  });
}

// maxPool(params, x, y): params as maxPoolGrad's
napi_value MaxPool(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 3);
    const int* p = a.params(0, lab::kPoolParams);
    lab::max_pool(p, a.f32(1, prod({p[0], p[1], p[2], p[3]})), a.f32(2, prod({p[0], p[4], p[5], p[3]})));
    return undefined(env);
  });
}

// gatherToFloat(src: Uint8Array, rows: Int32Array, rowBytes, scale (0 unit, 1 symmetric), out: Float32Array) → Promise:
// the batch is prepared on a libuv worker thread while the JS thread (and oneDNN's threads) train on the previous
// one. The arrays are referenced until the work completes; the caller must not write them meanwhile.
struct GatherWork {
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  napi_ref refs[3] = {nullptr, nullptr, nullptr};
  const unsigned char* src = nullptr;
  size_t src_rows = 0;
  const int* rows = nullptr;
  size_t n = 0;
  size_t row_bytes = 0;
  lab::PixelScale scale = lab::PixelScale::kUnit;
  float* out = nullptr;
  std::string error;
};

napi_value GatherToFloat(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 5);
    auto* w = new GatherWork();
    try {
      bool ok = false;
      napi_typedarray_type type;
      size_t length;
      void* data;
      napi_value buffer;
      size_t offset;
      check(napi_is_typedarray(env, a.argv[0], &ok), "is_typedarray");
      if (!ok) throw ArgError("lab_onednn: argument 0 must be a Uint8Array");
      check(napi_get_typedarray_info(env, a.argv[0], &type, &length, &data, &buffer, &offset), "typedarray_info");
      if (type != napi_uint8_array) throw ArgError("lab_onednn: argument 0 must be a Uint8Array");
      const int row_bytes = a.int32(2);
      if (row_bytes <= 0) throw ArgError("lab_onednn: row size must be positive");
      check(napi_get_typedarray_info(env, a.argv[1], &type, &w->n, nullptr, nullptr, nullptr), "typedarray_info");
      w->rows = a.params(1, w->n);
      w->src = static_cast<const unsigned char*>(data);
      w->src_rows = length / static_cast<size_t>(row_bytes);
      w->row_bytes = static_cast<size_t>(row_bytes);
      w->scale = a.int32(3) == 1 ? lab::PixelScale::kSymmetric : lab::PixelScale::kUnit;
      w->out = a.f32(4, w->n * w->row_bytes);
      for (int i = 0; i < 3; i++) check(napi_create_reference(env, a.argv[i == 2 ? 4 : i], 1, &w->refs[i]), "reference");
      napi_value promise, name;
      check(napi_create_promise(env, &w->deferred, &promise), "promise");
      check(napi_create_string_utf8(env, "lab_onednn.gatherToFloat", NAPI_AUTO_LENGTH, &name), "string");
      check(napi_create_async_work(
                env, nullptr, name,
                [](napi_env, void* d) {
                  auto* g = static_cast<GatherWork*>(d);
                  try {
                    lab::gather_to_float(g->src, g->src_rows, g->rows, g->n, g->row_bytes, g->scale, g->out);
                  } catch (const std::exception& e) {
                    g->error = e.what();
                  }
                },
                [](napi_env env, napi_status status, void* d) {
                  auto* g = static_cast<GatherWork*>(d);
                  for (napi_ref r : g->refs) napi_delete_reference(env, r);
                  if (status == napi_ok && g->error.empty()) {
                    napi_resolve_deferred(env, g->deferred, undefined(env));
                  } else {
                    napi_value msg, err;
                    const std::string text = g->error.empty() ? "lab_onednn: batch preparation was cancelled" : g->error;
                    napi_create_string_utf8(env, text.c_str(), text.size(), &msg);
                    napi_create_error(env, nullptr, msg, &err);
                    napi_reject_deferred(env, g->deferred, err);
                  }
                  napi_delete_async_work(env, g->work);
                  delete g;
                },
                w, &w->work),
            "async work");
      check(napi_queue_async_work(env, w->work), "queue");
      return promise;
    } catch (...) {
      for (napi_ref r : w->refs)
        if (r) napi_delete_reference(env, r);
      delete w;
      throw;
    }
  });
}

// reluGrad(n, x, dy, dx)
napi_value ReluGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    const int n = a.int32(0);
    if (n < 0) throw ArgError("lab_onednn: negative size");
    const size_t len = static_cast<size_t>(n);
    lab::relu_grad(n, a.f32(1, len), a.f32(2, len), a.f32(3, len));
    return undefined(env);
  });
}

// dropoutMask(n, seed (uint32), rate, scale, out)
napi_value DropoutMask(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 5);
    const int n = a.int32(0);
    if (n < 0) throw ArgError("lab_onednn: negative size");
    uint32_t seed = 0;
    check(napi_get_value_uint32(env, a.argv[1], &seed), "expected an unsigned seed");
    lab::dropout_mask(n, seed, a.number(2), a.number(3), a.f32(4, static_cast<size_t>(n)));
    return undefined(env);
  });
}

// optimizerStep(rule, hyper, n, theta, g, s1|null, s2|null, thetaOut, s1Out|null, s2Out|null): one variable's update
// (see optimizer.h); the slots the rule keeps must be given as outputs.
napi_value OptimizerStep(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 10);
    const int rule = a.int32(0);
    const int slots = lab::optimizer_slots(rule);
    const int n = a.int32(2);
    if (n < 0) throw ArgError("lab_onednn: negative variable size");
    const size_t len = static_cast<size_t>(n);
    const float* h = a.f32(1, lab::kOptHyper);
    auto in_slot = [&](size_t i, int k) -> const float* { return k < slots && !a.is_null(i) ? a.f32(i, len) : nullptr; };
    auto out_slot = [&](size_t i, int k) -> float* {
      if (k >= slots) return nullptr;
      if (a.is_null(i)) throw ArgError("lab_onednn: optimizer slot output " + std::to_string(k) + " is missing");
      return a.f32(i, len);
    };
    lab::optimizer_step(rule, h, n, a.f32(3, len), a.f32(4, len), in_slot(5, 0), in_slot(6, 1), a.f32(7, len), out_slot(8, 0),
                        out_slot(9, 1));
    return undefined(env);
  });
}

// convImplementations(params) → which oneDNN implementations run this convolution (diagnostics, benchmarks)
napi_value ConvImplementations(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 1);
    std::string s = lab::conv_impl_names(a.params(0, lab::kConvParams));
    napi_value out;
    check(napi_create_string_utf8(env, s.c_str(), s.size(), &out), "string");
    return out;
  });
}

// version() → "oneDNN 2.6.3 (cpu runtime: OpenMP)"
napi_value Version(napi_env env, napi_callback_info) {
  const dnnl_version_t* v = dnnl_version();
  char buf[128];
  std::snprintf(buf, sizeof buf, "oneDNN %d.%d.%d", v->major, v->minor, v->patch);
  napi_value out;
  napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &out);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"convForward", nullptr, ConvForward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"convBackwardData", nullptr, ConvBackwardData, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"convBackwardWeights", nullptr, ConvBackwardWeights, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"depthwiseForward", nullptr, DepthwiseForward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"depthwiseBackwardData", nullptr, DepthwiseBackwardData, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"depthwiseBackwardWeights", nullptr, DepthwiseBackwardWeights, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormForward", nullptr, BatchNormForward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormBackward", nullptr, BatchNormBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormReluForward", nullptr, BatchNormReluForward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormReluBackward", nullptr, BatchNormReluBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"dropoutMask", nullptr, DropoutMask, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gatherToFloat", nullptr, GatherToFloat, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"relu", nullptr, Relu, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPool", nullptr, MaxPool, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reluGrad", nullptr, ReluGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"optimizerStep", nullptr, OptimizerStep, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"convImplementations", nullptr, ConvImplementations, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
