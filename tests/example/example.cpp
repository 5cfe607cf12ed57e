// The complete example of docs/api.md: built and run by the test suite, so it stays true.
// Usage: hcq-example KERNELS.so   (a cpu code object with vadd and fill_u32)
#include <hcq/hcq.hpp>

#include <cstdio>
#include <vector>

int main(int argc, char** argv) try {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s KERNELS\n", argv[0]);
    return 2;
  }
  const uint32_t n = 1 << 20;
  hcq::Device dev = hcq::open_default();  // $HCQ_DEVICE, else the best device present, else cpu
  hcq::Program prog = dev.load_program_file(argv[1]);
  hcq::Kernel vadd = prog.kernel("vadd");

  // Device memory has no CPU mapping in the contract: move data with upload/download or copies.
  std::vector<float> a(n), b(n);
  for (uint32_t i = 0; i < n; ++i) a[i] = float(i), b[i] = 2.0f * float(i);
  hcq::Buffer da = dev.alloc(n * 4), db = dev.alloc(n * 4), dc = dev.alloc(n * 4);
  dev.upload(da, a.data(), n * 4);
  dev.upload(db, b.data(), n * 4);

  // One launch, chained on the device timeline, with timestamps around the kernel.
  hcq::Queue q = dev.queue(hcq::QueueKind::compute);
  hcq::Signal t0 = dev.new_signal(), t1 = dev.new_signal();
  hcq::Signal tl = dev.timeline_signal();
  uint64_t prev = dev.last_timeline_value(), next = dev.next_timeline_value();
  q.wait(tl, prev)
      .timestamp(t0)
      .exec(hcq::KernelArgs(vadd).set("a", da).set("b", db).set("c", dc).set_u32("n", n), {n / 256, 1, 1},
            {256, 1, 1})
      .timestamp(t1)
      .signal(tl, next)
      .submit();
  dev.synchronize();

  std::vector<float> c(n);
  dev.download(c.data(), dc, n * 4);
  for (uint32_t i = 0; i < n; ++i) {
    if (c[i] != 3.0f * float(i)) {
      std::fprintf(stderr, "wrong result at %u: %f\n", i, double(c[i]));
      return 1;
    }
  }
  std::printf("vadd on %s: %.1f us on the device\n", dev.uri().c_str(), double(t1.timestamp_ns() - t0.timestamp_ns()) / 1e3);

  // A graph: record once, replay with a different output buffer and signal value each time.
  hcq::Graph g;
  hcq::BufferVar out = g.buffer_var("out", dc);
  hcq::Var done_value = g.var("done", 1);
  hcq::Signal done = dev.new_signal();
  g.on(q).exec(hcq::KernelArgs(vadd).set("a", da).set("b", da).set("c", out).set_u32("n", n), {n / 256, 1, 1},
               {256, 1, 1})
      .signal(done, done_value);
  g.finalize();
  hcq::Buffer outs[2] = {dev.alloc(n * 4), dev.alloc(n * 4)};
  for (uint64_t i = 1; i <= 4; ++i) {
    g.set(out, outs[i % 2]);
    g.set(done_value, i);
    g.launch();  // one submit; only the changed places are rewritten
    if (done.wait(i) != hcq::WaitStatus::signaled) {
      std::fprintf(stderr, "graph launch %llu: %s\n", (unsigned long long)i, dev.lost_reason().c_str());
      return 1;
    }
  }
  dev.download(c.data(), outs[0], n * 4);
  std::printf("graph: 4 launches, last one rewrote %zu places; c[7] = %.0f\n", g.last_patch_count(), double(c[7]));
  return c[7] == 14.0f ? 0 : 1;
} catch (const hcq::Error& e) {
  std::fprintf(stderr, "example: %s\n", e.what());
  return 1;
}
