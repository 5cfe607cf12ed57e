// The thread each command engine of the model (cp.cpp, sdma.cpp) runs its queues on: woken by
// doorbells and register writes (kick), it calls the engine's step with the engine's mutex held
// until the step says there is nothing left; while a queue waits on memory it polls every
// poll_period.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace hcq::am::sim {

class Worker {
 public:
  enum class Next { idle, busy, waiting };
  static constexpr std::chrono::microseconds poll_period{200};

  Worker() = default;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker() { stop(); }

  std::mutex& mutex() noexcept { return mutex_; }
  // Starts the thread; `step` runs with mutex() held.
  void start(std::function<Next()> step) {
    step_ = std::move(step);
    thread_ = std::thread([this] { run(); });
  }
  // Call with mutex() held, after changing what step() sees.
  void kick_locked() noexcept {
    kicked_ = true;
    cv_.notify_one();
  }
  void kick() {
    std::lock_guard lock(mutex_);
    kick_locked();
  }
  void stop() noexcept {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
      cv_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }
  uint64_t busy_ns() const noexcept { return busy_ns_.load(std::memory_order_relaxed); }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      kicked_ = false;
      const auto t0 = std::chrono::steady_clock::now();
      const Next next = step_();
      busy_ns_ += static_cast<uint64_t>(std::chrono::nanoseconds(std::chrono::steady_clock::now() - t0).count());
      if (next == Next::busy || stop_) continue;
      if (next == Next::waiting)
        cv_.wait_for(lock, poll_period, [this] { return stop_ || kicked_; });
      else
        cv_.wait(lock, [this] { return stop_ || kicked_; });
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::thread thread_;
  std::function<Next()> step_;
  bool stop_ = false;
  bool kicked_ = false;
  std::atomic<uint64_t> busy_ns_{0};
};

// One pass over an engine's queues: each runs up to `per_turn` packets while `runnable(q)` holds,
// stopping early when `blocked(q)` (its step) says the queue waits on memory. The result tells the
// worker what to do next: go on (a queue used its whole turn), poll again (one waits) or sleep.
template <class Queues, class Runnable, class Blocked>
Worker::Next take_turns(Queues& queues, size_t per_turn, Runnable runnable, Blocked blocked) {
  bool busy = false, waiting = false;
  for (auto& q : queues) {
    for (size_t n = 0; n < per_turn && runnable(q); ++n) {
      if (blocked(q)) {
        waiting = true;
        break;
      }
      busy |= n + 1 == per_turn;
    }
  }
  return busy ? Worker::Next::busy : waiting ? Worker::Next::waiting : Worker::Next::idle;
}

}  // namespace hcq::am::sim
