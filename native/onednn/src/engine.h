// One oneDNN CPU engine and stream for the process, and a cache of primitives keyed by their shapes:
// creating a primitive JIT-compiles code (milliseconds), executing a cached one costs microseconds.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace lab {

dnnl::engine& cpu_engine();
dnnl::stream& cpu_stream();

// A buffer oneDNN writes into (a scratchpad, a converted argument), followed by a guard zone filled with a known
// byte. oneDNN's JIT code is not instrumented by AddressSanitizer, so a primitive that writes past the size its
// descriptor booked (oneDNN 2.6's strided 1x1 backward-weights kernel does: see conv.cc) would corrupt the malloc
// heap unseen. The guard absorbs such a write and `intact()` reports it, so the call fails instead.
class GuardedBuffer {
 public:
  static constexpr size_t kGuard = 16384;
  void reserve(size_t size);  // grows (never shrinks) the usable part; the guard follows it
  char* data() { return buf_.data(); }
  size_t size() const { return size_; }
  bool intact() const;
  void rearm();  // refills the guard after a violation was reported

 private:
  std::vector<char> buf_;
  size_t size_ = 0;
};

// An argument the caller passes in its own layout (e.g. HWIO filters) while the primitive chose another
// (a blocked layout its fastest implementation needs): converted on the way in, or on the way out.
struct Converted {
  dnnl::memory::desc user_md, prim_md;
  bool output = false;
  dnnl::primitive reorder;
  GuardedBuffer buf;
};

// A cached primitive with the descriptors its memories must be made with.
struct Cached {
  dnnl::primitive prim;
  std::unordered_map<int, dnnl::memory::desc> mds;  // by DNNL_ARG_*, in the caller's layout
  std::unordered_map<int, Converted> converted;     // by DNNL_ARG_*, where the primitive's layout differs
  dnnl::memory::desc scratch_md;
  GuardedBuffer scratch;  // the primitive's scratchpad, allocated once
  std::string impl;       // the implementation oneDNN chose (for messages)

  // Declares `arg` as passed in `user_md`; converts when the primitive wants `prim_md`.
  void bind(int arg, const dnnl::memory::desc& user_md, const dnnl::memory::desc& prim_md, bool output);
};

// Primitives run with a scratchpad we own (Cached::scratch) instead of one oneDNN allocates per call.
dnnl::primitive_attr user_scratchpad();

// A cache entry for the primitive of `pd`; the caller declares its arguments with `mds` / `bind`.
template <typename Primitive, typename PrimitiveDesc>
Cached entry_for(const PrimitiveDesc& pd) {
  Cached e;
  e.prim = Primitive(pd);
  e.scratch_md = pd.scratchpad_desc();
  e.impl = pd.impl_info_str();
  return e;
}

// Returns the cached entry for `key`, building it with `make` the first time. The cache holds at most a few
// hundred shapes (each a JIT-compiled kernel); past that it starts afresh rather than grow without bound.
Cached& cached(const std::string& key, const std::function<Cached()>& make);

// A memory over a caller-owned buffer (a tensor on the wasm heap); no copy.
inline dnnl::memory wrap(const dnnl::memory::desc& md, void* ptr) { return dnnl::memory(md, cpu_engine(), ptr); }

// Runs a cached primitive with the given (arg id → pointer) bindings. Throws std::runtime_error, naming the
// implementation, when it wrote past a buffer of ours (the caller's tensors are then computed another way).
void execute(Cached& c, const std::unordered_map<int, void*>& ptrs);

std::string key_of(const char* kind, const int* p, int n);

}  // namespace lab
