// A dword budget for the packet builders of the backends (am/pkt/pm4.hpp, am/pkt/sdma.hpp,
// nv/pkt/pushbuf.hpp): `auto b = p.reserve(n);` asserts, in debug builds, when b goes out of scope,
// that at most n words were appended to the stream since. In release builds it is an empty object.
#pragma once

#include <cassert>
#include <cstddef>

#include "backend.hpp"

namespace hcq::detail {

class WordBudget {
 public:
#ifndef NDEBUG
  WordBudget(const CommandStream& s, size_t n) noexcept : s_(s), start_(s.words.size()), n_(n) {}
  ~WordBudget() { assert(s_.words.size() - start_ <= n_ && "packet budget exceeded"); }
#else
  WordBudget(const CommandStream&, size_t) noexcept {}
  ~WordBudget() {}  // user-provided, so an unused `auto b = reserve(n)` does not warn
#endif
  WordBudget(const WordBudget&) = delete;
  WordBudget& operator=(const WordBudget&) = delete;

 private:
#ifndef NDEBUG
  const CommandStream& s_;
  size_t start_;
  size_t n_;
#endif
};

}  // namespace hcq::detail
