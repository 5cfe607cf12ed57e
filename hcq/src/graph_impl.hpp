// GraphImpl: variables, per-queue recordings, and the patch sites that tie them together.
#pragma once

#include <string>
#include <vector>

#include "backend.hpp"
#include "hcq/graph.hpp"

namespace hcq::detail {

// Records into its own stream with the target queue's encoders; never touches the hardware.
class GraphRecorder final : public QueueImpl {
 public:
  GraphRecorder(GraphImpl& graph, std::shared_ptr<QueueImpl> target);
  void submit() override;

  void encode_wait(CommandStream& s, Value a, Value v) override { target_->encode_wait(s, a, v); }
  void encode_signal(CommandStream& s, Value a, Value v) override { target_->encode_signal(s, a, v); }
  void encode_timestamp(CommandStream& s, Value a) override { target_->encode_timestamp(s, a); }
  void encode_barrier(CommandStream& s) override { target_->encode_barrier(s); }
  void encode_exec(CommandStream& s, const KernelImpl& k, const KernelArgs& a, Dim3 g, Dim3 b) override {
    target_->encode_exec(s, k, a, g, b);
  }
  void encode_copy(CommandStream& s, Value d, Value src, uint64_t n) override { target_->encode_copy(s, d, src, n); }
  void encode_indirect(CommandStream& s, BoundStream& b) override { target_->encode_indirect(s, b); }
  void push(CommandStream&) override {}
  std::unique_ptr<BoundStream> bind(CommandStream&&) override { return nullptr; }

  const std::shared_ptr<QueueImpl>& target() const noexcept { return target_; }
  CommandStream& stream() noexcept { return stream_; }
  std::optional<Error>& error() noexcept { return error_; }

 private:
  std::shared_ptr<QueueImpl> target_;
};

class GraphImpl {
 public:
  struct Site {
    std::byte* where;
    uint8_t width, shift;
    uint64_t addend;
    BoundStream* stream;
  };
  struct VarInfo {
    std::string name;
    uint64_t value = 0;
    uint64_t applied = 0;
    bool ever_applied = false;
    bool is_buffer = false;
    size_t min_size = 0;
    Buffer bound;              // keeps a buffer variable's memory alive
    DeviceImpl* timeline = nullptr;  // set for the internal "address of this device's timeline" variables
    DeviceImpl* viewer = nullptr;    // ... as seen by this device's queues
    std::vector<Site> sites;
  };
  struct Recording {
    std::shared_ptr<GraphRecorder> recorder;
    std::unique_ptr<BoundStream> bound;
    Signal done;
  };

  uint32_t add_var(std::string name, uint64_t initial, bool is_buffer, size_t min_size);
  bool check_var(QueueImpl& q, uint32_t var, bool want_buffer, const char* verb);
  size_t buffer_var_size(uint32_t var) const { return vars_[var].min_size; }
  // The variable holding the address of `owner`'s current timeline signal as `viewer`'s queues
  // see it (throws hcq::Error when they cannot reach it).
  Value timeline_address_var(DeviceImpl& owner, DeviceImpl& viewer);
  void keep(std::shared_ptr<void> p) { keep_.push_back(std::move(p)); }

  Queue on(const Queue& queue);
  void finalize();
  void set(uint32_t var, uint64_t value);
  void set_buffer(uint32_t var, const Buffer& buffer);
  void launch(std::chrono::milliseconds timeout);
  size_t last_patch_count() const noexcept { return last_patches_; }
  ~GraphImpl();

 private:
  void write(const Site& s, uint64_t value);
  void wait_previous(std::chrono::milliseconds timeout);

  std::vector<VarInfo> vars_;
  std::vector<Recording> recordings_;
  std::vector<std::shared_ptr<void>> keep_;
  uint32_t launch_var_ = ~0u;
  uint64_t launches_ = 0;
  bool finalized_ = false;
  size_t last_patches_ = 0;
};

}  // namespace hcq::detail
