// Graphs: record queue operations once, replay them many times with patched values.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "hcq/program.hpp"
#include "hcq/queue.hpp"

namespace hcq {

namespace detail {
class GraphImpl;
}

// Usage:
//   hcq::Graph g;
//   auto n = g.var("n", 1024);                 // a scalar
//   auto x = g.buffer_var("x", xbuf);          // a buffer address
//   auto done = g.var("done", 1);              // a signal value
//   g.on(q).exec(hcq::KernelArgs(k).set("x", x).set("n", n), grid, block).signal(sig, done);
//   g.finalize();
//   for (...) { g.set(done, ++v); g.set(x, other_buffer); g.launch(); sig.wait(v); }
//
// A launch makes exactly one submit to each queue the graph records on, and rewrites only the
// places whose variable changed since the previous launch. Before it rewrites them, it waits for
// the previous launch to finish reading them.
class Graph {
 public:
  Graph();
  ~Graph();
  Graph(Graph&&) noexcept;
  Graph& operator=(Graph&&) noexcept;

  Var var(std::string name, uint64_t initial = 0);
  BufferVar buffer_var(std::string name, const Buffer& initial);

  // A recording handle for `queue`; several calls for one queue return handles onto the same
  // recording. Throws hcq::Error once the graph is finalized.
  Queue on(const Queue& queue);

  // Ends recording: raises the first recording error of any queue, binds the recordings to their
  // devices. Further on() calls are refused.
  void finalize();

  void set(Var var, uint64_t value);
  // Throws hcq::Error when the buffer is smaller than what the graph recorded for this variable.
  void set(BufferVar var, const Buffer& buffer);

  // Applies changed variables and submits once to each queue. Throws hcq::Error when the previous
  // launch has not finished within `timeout` or a device was lost.
  void launch(std::chrono::milliseconds timeout = default_timeout);
  // Patch sites rewritten by the last launch (for tests and profiling).
  size_t last_patch_count() const noexcept;

 private:
  std::unique_ptr<detail::GraphImpl> impl_;
};

}  // namespace hcq
