// Graphs: one recording per queue, bound once to device memory, patched in place per launch.
#include "graph_impl.hpp"
#include "round_up.hpp"

#include <atomic>
#include <cstring>

namespace hcq::detail {

PlacedStream::PlacedStream(CommandStream&& s, uint64_t data_align,
                           const std::function<std::shared_ptr<BufferImpl>(uint64_t bytes)>& alloc) {
  data_bytes_ = round_up(s.data.size(), data_align);
  dwords_ = static_cast<uint32_t>(s.words.size());
  memory_ = alloc(data_bytes_ + s.words.size() * 4);
  s.apply_relocs(memory_->gpu_va, s.words.data(), s.data.data());
  if (!s.data.empty()) std::memcpy(memory_->cpu, s.data.data(), s.data.size());
  std::memcpy(memory_->cpu + data_bytes_, s.words.data(), s.words.size() * 4);
}

std::byte* PlacedStream::resolve(uint8_t space, uint32_t offset) {
  return memory_->cpu + (space == 0 ? data_bytes_ : 0) + offset;
}

// Patches are plain CPU stores to memory the device reads (host memory or a BAR mapping): order
// them before the doorbell of the submit that replays the graph.
void PlacedStream::flush() { std::atomic_thread_fence(std::memory_order_seq_cst); }

GraphRecorder::GraphRecorder(GraphImpl& graph, std::shared_ptr<QueueImpl> target)
    : QueueImpl(target->device_ptr(), target->kind(), false), target_(std::move(target)) {
  graph_ = &graph;
}

void GraphRecorder::submit() {
  throw Error(Errc::invalid_argument, device().uri(), name(),
              "submit() on a graph's queue handle: graphs are submitted by Graph::launch()");
}

uint32_t GraphImpl::add_var(std::string name, uint64_t initial, bool is_buffer, size_t min_size) {
  if (finalized_) throw Error(Errc::invalid_argument, "", "graph", "variables must be made before finalize()");
  VarInfo v;
  v.name = std::move(name);
  v.value = initial;
  v.is_buffer = is_buffer;
  v.min_size = min_size;
  vars_.push_back(std::move(v));
  return static_cast<uint32_t>(vars_.size() - 1);
}

bool GraphImpl::check_var(QueueImpl& q, uint32_t var, bool want_buffer, const char* verb) {
  if (var >= vars_.size()) {
    q.fail(Errc::invalid_argument, fmt::format("{}: variable #{} does not belong to this graph", verb, var));
    return false;
  }
  if (vars_[var].is_buffer != want_buffer && !vars_[var].timeline) {
    q.fail(Errc::invalid_argument, fmt::format("{}: variable '{}' is a {} variable, used as a {}", verb, vars_[var].name,
                                               vars_[var].is_buffer ? "buffer" : "scalar",
                                               want_buffer ? "buffer" : "scalar"));
    return false;
  }
  return true;
}

namespace {

uint64_t timeline_address(DeviceImpl& owner, DeviceImpl& viewer) {
  Signal tl = owner.timeline_signal();
  std::string why;
  auto at = viewer.signal_address(*tl.impl(), &why);
  if (!at) throw Error(Errc::unsupported, viewer.uri(), "graph", fmt::format("cannot reach {}: {}", tl.describe(), why));
  return *at;
}

}  // namespace

Value GraphImpl::timeline_address_var(DeviceImpl& owner, DeviceImpl& viewer) {
  for (uint32_t i = 0; i < vars_.size(); ++i) {
    if (vars_[i].timeline == &owner && vars_[i].viewer == &viewer) return Value(Var{i});
  }
  uint64_t at = timeline_address(owner, viewer);
  keep(owner.shared_from_this());
  uint32_t id = add_var(fmt::format("timeline of {} seen by {}", owner.uri(), viewer.uri()), at, false, 0);
  vars_[id].timeline = &owner;
  vars_[id].viewer = &viewer;
  return Value(Var{id});
}

Queue GraphImpl::on(const Queue& queue) {
  if (finalized_) throw Error(Errc::invalid_argument, "", "graph", "on() after finalize(): the graph is closed");
  if (!queue) throw Error(Errc::invalid_argument, "", "graph", "on() with an empty queue handle");
  auto target = queue.impl();
  if (dynamic_cast<GraphRecorder*>(target.get())) {
    throw Error(Errc::invalid_argument, "", "graph", "on() takes a device queue, not a graph's queue handle");
  }
  for (auto& r : recordings_) {
    if (r.recorder->target() == target) return Queue(r.recorder);
  }
  keep(target->device_ptr());
  Recording r;
  r.recorder = std::make_shared<GraphRecorder>(*this, target);
  recordings_.push_back(std::move(r));
  return Queue(recordings_.back().recorder);
}

void GraphImpl::finalize() {
  if (finalized_) throw Error(Errc::invalid_argument, "", "graph", "finalize() called twice");
  for (auto& r : recordings_) {
    if (auto& e = r.recorder->error()) throw Error(*e);
  }
  // Each recording ends by signalling the launch number, so a launch can wait for the last one.
  launch_var_ = add_var("launch", 0, false, 0);
  for (auto& r : recordings_) {
    DeviceImpl& dev = r.recorder->device();
    r.done = Signal(dev.new_signal(0));
    r.recorder->encode_signal(r.recorder->stream(), Value(r.done.value_address()), Value(Var{launch_var_}));
    std::vector<PatchSite> sites = r.recorder->stream().sites;
    r.bound = r.recorder->target()->bind(std::move(r.recorder->stream()));
    for (const auto& s : sites) {
      vars_.at(s.var).sites.push_back({r.bound->resolve(s.space, s.offset), s.width, s.shift, s.addend, r.bound.get()});
    }
  }
  finalized_ = true;
}

void GraphImpl::set(uint32_t var, uint64_t value) {
  if (var >= vars_.size() || vars_[var].is_buffer || vars_[var].timeline || var == launch_var_) {
    throw Error(Errc::invalid_argument, "", "graph", fmt::format("set(): #{} is not a scalar variable of this graph", var));
  }
  vars_[var].value = value;
}

void GraphImpl::set_buffer(uint32_t var, const Buffer& buffer) {
  if (var >= vars_.size() || !vars_[var].is_buffer) {
    throw Error(Errc::invalid_argument, "", "graph", fmt::format("set(): #{} is not a buffer variable of this graph", var));
  }
  VarInfo& v = vars_[var];
  if (!buffer || buffer.size() < v.min_size) {
    throw Error(Errc::invalid_argument, "", "graph",
                fmt::format("set({}): the buffer has {} bytes; the graph was recorded with {} bytes", v.name,
                            buffer ? buffer.size() : 0, v.min_size));
  }
  for (auto& r : recordings_) {
    if (!r.recorder->device().can_reach(*buffer.impl()->device)) {
      throw Error(Errc::invalid_argument, r.recorder->device().uri(), "graph",
                  fmt::format("set({}): the buffer is on {}, which this queue cannot reach", v.name,
                              buffer.impl()->device->uri()));
    }
  }
  v.bound = buffer;
  v.value = buffer.gpu_address();
}

void GraphImpl::write(const Site& s, uint64_t value) {
  uint64_t field = (value + s.addend) >> s.shift;
  if (s.width == 8) {
    std::memcpy(s.where, &field, 8);
  } else {
    auto lo = static_cast<uint32_t>(field);
    std::memcpy(s.where, &lo, 4);
  }
}

void GraphImpl::wait_previous(std::chrono::milliseconds timeout) {
  if (launches_ == 0) return;
  for (auto& r : recordings_) r.done.wait_or_throw(launches_, timeout);
}

void GraphImpl::launch(std::chrono::milliseconds timeout) {
  if (!finalized_) throw Error(Errc::invalid_argument, "", "graph", "launch() before finalize()");
  wait_previous(timeout);
  vars_[launch_var_].value = launches_ + 1;
  for (auto& v : vars_) {
    if (v.timeline) v.value = timeline_address(*v.timeline, *v.viewer);
  }
  last_patches_ = 0;
  for (auto& v : vars_) {
    if (v.ever_applied && v.applied == v.value) continue;
    for (const Site& s : v.sites) write(s, v.value);
    last_patches_ += v.sites.size();
    v.applied = v.value;
    v.ever_applied = true;
  }
  for (auto& r : recordings_) {
    r.bound->flush();
    r.recorder->target()->submit_bound(*r.bound);
  }
  ++launches_;
}

GraphImpl::~GraphImpl() {
  try {
    wait_previous(std::chrono::milliseconds(5000));
  } catch (const Error& e) {
    log::get("hcq")->warn("graph destroyed while its last launch was unfinished: {}", e.what());
  }
}

}  // namespace hcq::detail

namespace hcq {

Graph::Graph() : impl_(std::make_unique<detail::GraphImpl>()) {}
Graph::~Graph() = default;
Graph::Graph(Graph&&) noexcept = default;
Graph& Graph::operator=(Graph&&) noexcept = default;

Var Graph::var(std::string name, uint64_t initial) { return Var{impl_->add_var(std::move(name), initial, false, 0)}; }

BufferVar Graph::buffer_var(std::string name, const Buffer& initial) {
  if (!initial) throw Error(Errc::invalid_argument, "", "graph", "buffer_var(" + name + ") with an empty buffer");
  uint32_t id = impl_->add_var(std::move(name), initial.gpu_address(), true, initial.size());
  impl_->set_buffer(id, initial);
  return BufferVar{id, initial.size()};
}

Queue Graph::on(const Queue& queue) { return impl_->on(queue); }
void Graph::finalize() { impl_->finalize(); }
void Graph::set(Var var, uint64_t value) { impl_->set(var.id, value); }
void Graph::set(BufferVar var, const Buffer& buffer) { impl_->set_buffer(var.id, buffer); }
void Graph::launch(std::chrono::milliseconds timeout) { impl_->launch(timeout); }
size_t Graph::last_patch_count() const noexcept { return impl_->last_patch_count(); }

}  // namespace hcq
