#include "engine.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace lab {

namespace {
constexpr char kGuardByte = static_cast<char>(0xA5);
}

void GuardedBuffer::reserve(size_t size) {
  if (size <= size_ && !buf_.empty()) return;
  size_ = std::max(size, size_);
  buf_.assign(size_ + kGuard, kGuardByte);
}

bool GuardedBuffer::intact() const {
  if (buf_.empty()) return true;
  const char* g = buf_.data() + size_;
  return std::all_of(g, g + kGuard, [](char c) { return c == kGuardByte; });
}

void GuardedBuffer::rearm() {
  if (!buf_.empty()) std::fill(buf_.begin() + static_cast<std::ptrdiff_t>(size_), buf_.end(), kGuardByte);
}

dnnl::engine& cpu_engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream& cpu_stream() {
  static dnnl::stream s(cpu_engine());
  return s;
}

dnnl::primitive_attr user_scratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

Cached& cached(const std::string& key, const std::function<Cached()>& make) {
  static std::unordered_map<std::string, std::unique_ptr<Cached>> cache;
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  if (cache.size() >= 512) cache.clear();
  auto entry = std::make_unique<Cached>(make());
  Cached& ref = *entry;
  cache.emplace(key, std::move(entry));
  return ref;
}

void Cached::bind(int arg, const dnnl::memory::desc& user_md, const dnnl::memory::desc& prim_md, bool output) {
  mds[arg] = user_md;
  if (user_md == prim_md) return;
  Converted cv;
  cv.user_md = user_md;
  cv.prim_md = prim_md;
  cv.output = output;
  cv.buf.reserve(prim_md.get_size());
  cv.reorder = output ? dnnl::reorder(dnnl::reorder::primitive_desc(cpu_engine(), prim_md, cpu_engine(), user_md))
                      : dnnl::reorder(dnnl::reorder::primitive_desc(cpu_engine(), user_md, cpu_engine(), prim_md));
  converted[arg] = std::move(cv);
}

void execute(Cached& c, const std::unordered_map<int, void*>& ptrs) {
  std::unordered_map<int, dnnl::memory> args;
  struct Pending {
    Converted* cv;
    dnnl::memory prim, user;
  };
  std::vector<Pending> outputs;  // written by the primitive in its layout, converted to the caller's afterwards
  for (const auto& [arg, ptr] : ptrs) {
    auto cv = c.converted.find(arg);
    if (cv == c.converted.end()) {
      args.emplace(arg, wrap(c.mds.at(arg), ptr));
      continue;
    }
    dnnl::memory user = wrap(cv->second.user_md, ptr);
    dnnl::memory prim = wrap(cv->second.prim_md, cv->second.buf.data());
    if (cv->second.output) {
      outputs.push_back({&cv->second, prim, user});
    } else {
      cv->second.reorder.execute(cpu_stream(), {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, prim}});
    }
    args.emplace(arg, prim);
  }
  // Scratchpad memory is owned by the cache entry and reused between calls of the same primitive.
  c.scratch.reserve(c.scratch_md.get_size());
  args.emplace(DNNL_ARG_SCRATCHPAD, wrap(c.scratch_md, c.scratch.data()));
  c.prim.execute(cpu_stream(), args);
  for (auto& o : outputs) o.cv->reorder.execute(cpu_stream(), {{DNNL_ARG_FROM, o.prim}, {DNNL_ARG_TO, o.user}});
  cpu_stream().wait();
  bool intact = c.scratch.intact();
  for (auto& [arg, cv] : c.converted) intact = cv.buf.intact() && intact;
  if (!intact) {
    c.scratch.rearm();
    for (auto& [arg, cv] : c.converted) cv.buf.rearm();
    throw std::runtime_error("oneDNN's " + c.impl + " implementation wrote past the memory it asked for");
  }
}

std::string key_of(const char* kind, const int* p, int n) {
  std::string k(kind);
  for (int i = 0; i < n; i++) {
    k += ',';
    k += std::to_string(p[i]);
  }
  return k;
}

}  // namespace lab
