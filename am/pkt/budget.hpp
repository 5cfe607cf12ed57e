// A dword budget for the am packet builders (pm4.hpp, sdma.hpp): `auto b = p.reserve(n);` asserts,
// in debug builds, when b goes out of scope, that at most n words were appended to the stream
// since. In release builds it is an empty object.
#pragma once

#include <cassert>
#include <cstddef>

#include "backend.hpp"

namespace hcq::am::pkt {

class Budget {
 public:
#ifndef NDEBUG
  Budget(const detail::CommandStream& s, size_t n) noexcept : s_(s), start_(s.words.size()), n_(n) {}
  ~Budget() { assert(s_.words.size() - start_ <= n_ && "packet budget exceeded"); }
#else
  Budget(const detail::CommandStream&, size_t) noexcept {}
  ~Budget() {}  // user-provided, so an unused `auto b = reserve(n)` does not warn
#endif
  Budget(const Budget&) = delete;
  Budget& operator=(const Budget&) = delete;

 private:
#ifndef NDEBUG
  const detail::CommandStream& s_;
  size_t start_;
  size_t n_;
#endif
};

}  // namespace hcq::am::pkt
