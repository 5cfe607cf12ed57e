// Push-buffer builder (see pushbuf.hpp).
#include "pkt/pushbuf.hpp"

#include <algorithm>

namespace hcq::nv {

namespace h = reg::host;

void PushBuf::begin(h::SecOp op, uint32_t subc, uint32_t method, uint32_t count) {
#ifndef NDEBUG
  assert(pending_ == 0 && "a method header announced more data words than were appended");
  assert(op != h::SecOp::immd_data && "use immediate() for immediate-data headers");
  pending_ = count;
#endif
  s_.put32(method_header(op, subc, method, count));
}

void PushBuf::data(Word w) {
#ifndef NDEBUG
  assert(pending_ > 0 && "more data words than the method header announced");
  --pending_;
#endif
  s_.put_value32(w.value, w.shift);
}

namespace {

// Emits `data` as headers of at most max_method_count words each; an incrementing method advances
// by 4 bytes per word already sent.
template <typename T>
void emit(PushBuf& pb, h::SecOp op, uint32_t subc, uint32_t method, std::span<const T> data) {
  for (size_t done = 0; done < data.size();) {
    const auto n = static_cast<uint32_t>(std::min<size_t>(data.size() - done, h::max_method_count));
    const uint32_t m = op == h::SecOp::inc_method ? method + static_cast<uint32_t>(done) * 4 : method;
    pb.begin(op, subc, m, n);
    for (uint32_t i = 0; i < n; ++i) pb.data(data[done + i]);
    done += n;
  }
}

}  // namespace

void PushBuf::inc(uint32_t subc, uint32_t method, std::span<const Word> data) {
  emit(*this, h::SecOp::inc_method, subc, method, data);
}
void PushBuf::inc(uint32_t subc, uint32_t method, std::span<const uint32_t> data) {
  emit(*this, h::SecOp::inc_method, subc, method, data);
}
void PushBuf::non_inc(uint32_t subc, uint32_t method, std::span<const Word> data) {
  emit(*this, h::SecOp::non_inc_method, subc, method, data);
}
void PushBuf::non_inc(uint32_t subc, uint32_t method, std::span<const uint32_t> data) {
  emit(*this, h::SecOp::non_inc_method, subc, method, data);
}

void PushBuf::immediate(uint32_t subc, uint32_t method, uint32_t data) {
#ifndef NDEBUG
  assert(pending_ == 0 && "a method header announced more data words than were appended");
#endif
  if (fits_immediate(data)) {
    s_.put32(immd_header(subc, method, data));
  } else {
    begin(h::SecOp::inc_method, subc, method, 1);
    this->data(data);
  }
}

}  // namespace hcq::nv
