/* The C ABI from C11: hcq.h and the C standard library only. Prints TAP; exits non-zero on failure.
 * Usage: test-c-abi <path of the conformance cpu kernels (conformance-cpu.so)> */
#include <hcq/hcq.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tests_run = 0;
static int tests_failed = 0;

static int check(int cond, const char* what) {
  ++tests_run;
  printf("%s %d - %s\n", cond ? "ok" : "not ok", tests_run, what);
  if (!cond) {
    ++tests_failed;
    printf("#   last error: %s\n", hcq_last_error());
  }
  return cond;
}

/* A status check: prints both codes on a mismatch. */
static int expect(hcq_status got, hcq_status want, const char* what) {
  int ok = check(got == want, what);
  if (!ok) printf("#   got %d (%s), expected %d (%s)\n", got, hcq_status_string(got), want, hcq_status_string(want));
  return ok;
}

static int error_mentions(const char* text) { return strstr(hcq_last_error(), text) != NULL; }

/* Stops when a step the rest depends on failed. */
static void require(int ok, const char* what) {
  if (ok) return;
  printf("Bail out! %s\n", what);
  printf("1..%d\n", tests_run);
  exit(1);
}

#define OK(call, what) expect((call), HCQ_OK, (what))

enum { N = 1000 };

static void* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  void* data = NULL;
  long n = -1;
  if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
  if (n > 0 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)n)) != NULL) {
    if (fread(data, 1, (size_t)n, f) != (size_t)n) {
      free(data);
      data = NULL;
    }
  }
  fclose(f);
  *size = n > 0 ? (size_t)n : 0;
  return data;
}

static void test_basics(void) {
  check(hcq_version() != NULL && strchr(hcq_version(), '.') != NULL, "hcq_version is major.minor.patch");
  check(strcmp(hcq_status_string(HCQ_OK), "ok") == 0 && strcmp(hcq_status_string(HCQ_TIMEOUT), "timeout") == 0,
        "hcq_status_string names statuses");
  check(HCQ_ERROR_INVALID_ARGUMENT == 1 && HCQ_TIMEOUT == 5 && HCQ_DEVICE_LOST == 6 && HCQ_ERROR_INTERNAL == 10,
        "status values mirror hcq::Errc");

  size_t count = 0;
  OK(hcq_device_count(&count), "hcq_device_count");
  check(count >= 1, "at least one device (cpu) is listed");
  int has_cpu = 0;
  for (size_t i = 0; i < count; ++i) {
    char uri[256];
    if (hcq_device_uri_at(i, uri, sizeof uri) == HCQ_OK) {
      printf("#   device %zu: %s\n", i, uri);
      if (strncmp(uri, "cpu", 3) == 0) has_cpu = 1;
    }
  }
  check(has_cpu, "hcq_device_uri_at lists a cpu device");
  char tiny[2];
  expect(hcq_device_uri_at(0, tiny, sizeof tiny), HCQ_ERROR_INVALID_ARGUMENT, "a too small URI buffer is an error");
  check(strlen(tiny) == 1, "a too small URI buffer gets a truncated, terminated string");
  expect(hcq_device_uri_at(count, tiny, sizeof tiny), HCQ_ERROR_INVALID_ARGUMENT, "a device index past the end");
}

static void test_open_errors(void) {
  hcq_device* dev = (hcq_device*)&tests_run; /* must be cleared by the failing call */
  expect(hcq_open("bogus:0", &dev), HCQ_ERROR_NOT_FOUND, "opening bogus:0 fails with HCQ_ERROR_NOT_FOUND");
  check(error_mentions("cpu"), "the error lists the accepted URIs (mentions cpu)");
  check(dev == NULL, "a failed open leaves NULL in the out-handle");
  expect(hcq_open("cpu", NULL), HCQ_ERROR_INVALID_ARGUMENT, "a NULL out-pointer is an invalid argument");
  check(error_mentions("hcq_open") && error_mentions("device"), "the error names the function and the parameter");
  size_t size = 0;
  expect(hcq_buffer_size(NULL, &size), HCQ_ERROR_INVALID_ARGUMENT, "a NULL handle is an invalid argument");
  check(error_mentions("buffer"), "the NULL-handle error names the parameter");
}

/* vadd on a compute queue, the result copied to host memory on a copy queue, chained by a signal. */
static void test_vadd(hcq_device* dev, hcq_program* prog) {
  hcq_kernel* vadd = NULL;
  require(OK(hcq_program_kernel(prog, "vadd", &vadd), "hcq_program_kernel(vadd)"), "no vadd kernel");
  size_t nargs = 0;
  OK(hcq_kernel_arg_count(vadd, &nargs), "hcq_kernel_arg_count");
  check(nargs == 4, "vadd has 4 arguments");
  char name[16];
  hcq_arg_kind kind = HCQ_ARG_POINTER;
  uint32_t offset = 0;
  OK(hcq_kernel_arg_info(vadd, 3, name, sizeof name, &kind, &offset), "hcq_kernel_arg_info");
  check(strcmp(name, "n") == 0 && kind == HCQ_ARG_U32 && offset == 24, "vadd argument #3 is 'n', u32 at offset 24");

  hcq_buffer *a = NULL, *b = NULL, *c = NULL, *host = NULL;
  OK(hcq_buffer_alloc(dev, N * sizeof(float), HCQ_MEMORY_DEVICE, 0, &a), "alloc device buffer a");
  OK(hcq_buffer_alloc(dev, N * sizeof(float), HCQ_MEMORY_DEVICE, 0, &b), "alloc device buffer b");
  OK(hcq_buffer_alloc(dev, N * sizeof(float), HCQ_MEMORY_DEVICE, 0, &c), "alloc device buffer c");
  OK(hcq_buffer_alloc(dev, (N + 16) * sizeof(float), HCQ_MEMORY_HOST, 0, &host), "alloc host buffer");
  require(a && b && c && host, "allocation failed");
  check(hcq_buffer_cpu_ptr(a) == NULL && hcq_buffer_cpu_ptr(host) != NULL, "only host memory has a CPU pointer");
  uint64_t va = 0;
  size_t size = 0;
  OK(hcq_buffer_gpu_address(a, &va), "hcq_buffer_gpu_address");
  OK(hcq_buffer_size(host, &size), "hcq_buffer_size");
  check(va != 0 && size == (N + 16) * sizeof(float), "buffer address and size");
  hcq_buffer* bad_buf = (hcq_buffer*)&tests_run; /* must be cleared by the failing call */
  expect(hcq_buffer_alloc(dev, 64, (hcq_memory_kind)7, 0, &bad_buf), HCQ_ERROR_INVALID_ARGUMENT, "a bad memory kind");
  check(bad_buf == NULL && error_mentions("kind"), "a bad memory kind names the parameter");

  float* in = malloc(2 * N * sizeof(float));
  require(in != NULL, "out of memory");
  for (int i = 0; i < N; ++i) {
    in[i] = (float)i;
    in[N + i] = (float)(2 * i);
  }
  OK(hcq_upload(dev, a, in, N * sizeof(float)), "hcq_upload a");
  OK(hcq_upload(dev, b, in + N, N * sizeof(float)), "hcq_upload b");
  memset(hcq_buffer_cpu_ptr(host), 0xff, (N + 16) * sizeof(float));

  hcq_args* args = NULL;
  OK(hcq_args_create(vadd, &args), "hcq_args_create");
  OK(hcq_args_set_buffer(args, 0, a), "set a by index");
  OK(hcq_args_set_buffer_by_name(args, "b", b), "set b by name");
  OK(hcq_args_set_buffer(args, 2, c), "set c by index");
  OK(hcq_args_set_u32(args, 3, N), "set n");

  hcq_queue *compute = NULL, *copy = NULL;
  hcq_signal* sig = NULL;
  OK(hcq_queue_create(dev, HCQ_QUEUE_COMPUTE, &compute), "compute queue");
  OK(hcq_queue_create(dev, HCQ_QUEUE_COPY, &copy), "copy queue");
  OK(hcq_signal_create(dev, 0, &sig), "signal");
  require(compute && copy && sig, "queue or signal creation failed");

  const uint32_t grid[3] = {(N + 63) / 64, 1, 1}, block[3] = {64, 1, 1};
  OK(hcq_queue_exec(compute, args, grid, block), "record exec");
  OK(hcq_queue_memory_barrier(compute), "record barrier");
  OK(hcq_queue_timestamp(compute, sig), "record timestamp");
  OK(hcq_queue_signal(compute, sig, 1), "record signal");
  OK(hcq_queue_wait(copy, sig, 1), "record wait on the copy queue");
  OK(hcq_queue_copy(copy, host, 16 * sizeof(float), c, 0, N * sizeof(float)), "record copy to host + offset");
  OK(hcq_queue_signal(copy, sig, 2), "record signal on the copy queue");
  OK(hcq_queue_submit(copy), "submit copy queue (waits for compute)");
  OK(hcq_queue_submit(compute), "submit compute queue");
  OK(hcq_signal_wait(sig, 2, 10000), "hcq_signal_wait reaches 2");

  const float* out = hcq_buffer_cpu_ptr(host);
  int good = 1;
  for (int i = 0; i < N; ++i) good &= out[16 + i] == (float)(3 * i);
  check(good, "vadd results arrived in host memory at the offset");
  uint32_t untouched = 0;
  memcpy(&untouched, out, sizeof untouched);
  check(untouched == 0xffffffffu, "bytes before the copy offset are untouched");
  uint64_t value = 0, ns = 0;
  OK(hcq_signal_value(sig, &value), "hcq_signal_value");
  OK(hcq_signal_timestamp_ns(sig, &ns), "hcq_signal_timestamp_ns");
  check(value == 2 && ns > 0, "the signal holds 2 and a timestamp");

  float* back = malloc(N * sizeof(float));
  require(back != NULL, "out of memory");
  OK(hcq_download(dev, back, c, N * sizeof(float)), "hcq_download c");
  check(memcmp(back, out + 16, N * sizeof(float)) == 0, "downloaded values match");
  expect(hcq_download(dev, back, c, 2 * N * sizeof(float)), HCQ_ERROR_INVALID_ARGUMENT, "download larger than the buffer");

  /* Copies that do not fit are kept by the queue and come out of submit. */
  OK(hcq_queue_copy(copy, c, N * sizeof(float) - 4, a, 0, 8), "recording an oversized copy returns OK");
  expect(hcq_queue_submit(copy), HCQ_ERROR_INVALID_ARGUMENT, "the oversized copy fails at submit");

  /* The device timeline. */
  uint64_t tv = 0;
  hcq_signal* tl = NULL;
  OK(hcq_device_next_timeline_value(dev, &tv), "hcq_device_next_timeline_value");
  OK(hcq_device_timeline_signal(dev, &tl), "hcq_device_timeline_signal");
  OK(hcq_queue_signal(compute, tl, tv), "record timeline signal");
  OK(hcq_queue_submit(compute), "submit timeline signal");
  OK(hcq_device_synchronize(dev, 10000), "hcq_device_synchronize");

  /* A wait that times out. */
  hcq_signal* never = NULL;
  OK(hcq_signal_create(dev, 7, &never), "signal for the timeout");
  expect(hcq_signal_wait(never, 4242, 50), HCQ_TIMEOUT, "a wait that runs out returns HCQ_TIMEOUT");
  check(error_mentions("4242") && error_mentions("7"), "the timeout text names the value expected and seen");
  OK(hcq_signal_set_value(never, 4242), "hcq_signal_set_value");
  OK(hcq_signal_wait(never, 4242, 50), "the wait succeeds once the value is set");

  /* A wrong argument kind: recording succeeds, submit reports it. */
  hcq_args* bad = NULL;
  OK(hcq_args_create(vadd, &bad), "args for the wrong-kind case");
  hcq_args_set_buffer(bad, 0, a);
  hcq_args_set_buffer(bad, 1, b);
  hcq_args_set_buffer(bad, 2, c);
  OK(hcq_args_set_f32(bad, 3, 1.0f), "setting f32 on a u32 argument returns OK");
  OK(hcq_queue_exec(compute, bad, grid, block), "recording exec with it returns OK");
  expect(hcq_queue_submit(compute), HCQ_ERROR_INVALID_ARGUMENT, "submit reports the wrong argument kind");
  check(error_mentions("u32") && error_mentions("f32"), "the error names both kinds");
  OK(hcq_queue_submit(compute), "the queue is usable after the failed submit");

  /* Releasing the device first is fine: the other handles share ownership. */
  OK(hcq_device_release(dev), "release the device before its objects");
  OK(hcq_args_release(bad), "release args");
  OK(hcq_args_release(args), "release args");
  OK(hcq_kernel_release(vadd), "release kernel");
  OK(hcq_signal_release(never), "release signal");
  OK(hcq_signal_release(tl), "release timeline signal");
  OK(hcq_signal_release(sig), "release signal");
  OK(hcq_queue_release(compute), "release compute queue");
  OK(hcq_queue_release(copy), "release copy queue");
  hcq_buffer_release(a);
  hcq_buffer_release(b);
  hcq_buffer_release(c);
  OK(hcq_buffer_release(host), "release buffers");
  OK(hcq_buffer_release(NULL), "releasing NULL is a no-op");
  free(in);
  free(back);
}

static int check_fill(hcq_buffer* buf, uint32_t value) {
  const uint32_t* p = hcq_buffer_cpu_ptr(buf);
  if (!p) return 0;
  for (uint32_t i = 0; i < N; ++i) {
    if (p[i] != value + i) return 0;
  }
  return 1;
}

/* fill_u32 recorded once, replayed with a changed value and a different output buffer. */
static void test_graph(hcq_device* dev, hcq_program* prog) {
  hcq_kernel* fill = NULL;
  hcq_buffer *out1 = NULL, *out2 = NULL;
  hcq_queue *q = NULL, *rec = NULL;
  hcq_signal* done = NULL;
  hcq_graph* g = NULL;
  hcq_args* args = NULL;
  uint32_t v_value = 0, v_out = 0, v_done = 0;
  require(OK(hcq_program_kernel(prog, "fill_u32", &fill), "hcq_program_kernel(fill_u32)"), "no fill_u32 kernel");
  OK(hcq_buffer_alloc(dev, N * 4, HCQ_MEMORY_HOST, 0, &out1), "graph output buffer 1");
  OK(hcq_buffer_alloc(dev, N * 4, HCQ_MEMORY_HOST, 0, &out2), "graph output buffer 2");
  OK(hcq_queue_create(dev, HCQ_QUEUE_COMPUTE, &q), "graph's queue");
  OK(hcq_signal_create(dev, 0, &done), "graph's signal");
  OK(hcq_graph_create(&g), "hcq_graph_create");
  OK(hcq_graph_var(g, "value", 10, &v_value), "hcq_graph_var(value)");
  OK(hcq_graph_var(g, "done", 1, &v_done), "hcq_graph_var(done)");
  OK(hcq_graph_buffer_var(g, "out", out1, &v_out), "hcq_graph_buffer_var(out)");
  OK(hcq_graph_queue(g, q, &rec), "hcq_graph_queue");
  require(g && rec && q && done && out1 && out2, "graph setup failed");

  OK(hcq_args_create(fill, &args), "args for fill_u32");
  OK(hcq_args_set_buffer_var(args, 0, v_out), "hcq_args_set_buffer_var");
  OK(hcq_args_set_var(args, 1, v_value), "hcq_args_set_var");
  OK(hcq_args_set_scalar_bits_by_name(args, "n", N), "hcq_args_set_scalar_bits_by_name(n)");
  const uint32_t grid[3] = {(N + 127) / 128, 1, 1}, block[3] = {128, 1, 1};
  OK(hcq_queue_exec(rec, args, grid, block), "record exec into the graph");
  OK(hcq_queue_signal_var(rec, done, v_done), "hcq_queue_signal_var");
  expect(hcq_queue_submit(rec), HCQ_ERROR_INVALID_ARGUMENT, "submit on a graph recorder is refused");
  OK(hcq_graph_finalize(g), "hcq_graph_finalize");
  OK(hcq_queue_release(rec), "release the recorder");

  OK(hcq_graph_launch(g, 10000), "launch 1");
  OK(hcq_signal_wait(done, 1, 10000), "launch 1 finished");
  check(check_fill(out1, 10), "launch 1 wrote value + i into buffer 1");

  OK(hcq_graph_set(g, v_value, 100), "hcq_graph_set(value)");
  OK(hcq_graph_set(g, v_done, 2), "hcq_graph_set(done)");
  OK(hcq_graph_set_buffer(g, v_out, out2), "hcq_graph_set_buffer(out)");
  OK(hcq_graph_launch(g, 10000), "launch 2 (replay with changed variables)");
  OK(hcq_signal_wait(done, 2, 10000), "launch 2 finished");
  check(check_fill(out2, 100), "the replay used the new value and buffer");
  check(check_fill(out1, 10), "buffer 1 kept launch 1's values");
  expect(hcq_graph_set(g, v_out, 1), HCQ_ERROR_INVALID_ARGUMENT, "hcq_graph_set on a buffer variable is refused");

  OK(hcq_graph_release(g), "release the graph");
  OK(hcq_args_release(args), "release graph args");
  hcq_kernel_release(fill);
  hcq_queue_release(q);
  hcq_signal_release(done);
  hcq_buffer_release(out1);
  hcq_buffer_release(out2);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s <conformance-cpu kernels .so>\n", argv[0]);
    return 2;
  }
  test_basics();
  test_open_errors();

  hcq_device* dev = NULL;
  require(OK(hcq_open("cpu", &dev), "hcq_open(cpu)"), "cannot open cpu");
  hcq_device_properties props;
  OK(hcq_device_props(dev, &props), "hcq_device_props");
  check(strcmp(props.vendor, "cpu") == 0 && props.compute_queues > 0 && props.max_threads_per_workgroup > 0,
        "cpu device properties");
  printf("#   %s (%s), signal bits %u\n", props.name, props.arch, props.signal_compare_bits);

  hcq_program* prog = NULL;
  require(OK(hcq_program_load_file(dev, argv[1], &prog), "hcq_program_load_file"), "cannot load the kernels");
  size_t kernels = 0;
  OK(hcq_program_kernel_count(prog, &kernels), "hcq_program_kernel_count");
  int has_vadd = 0;
  for (size_t i = 0; i < kernels; ++i) {
    char name[64];
    if (hcq_program_kernel_name_at(prog, i, name, sizeof name) == HCQ_OK && strcmp(name, "vadd") == 0) has_vadd = 1;
  }
  check(kernels >= 6 && has_vadd, "the program lists its kernels, vadd among them");
  hcq_kernel* missing = NULL;
  expect(hcq_program_kernel(prog, "nope", &missing), HCQ_ERROR_NOT_FOUND, "an unknown kernel is not found");
  check(error_mentions("vadd"), "the not-found error lists the kernels there are");

  size_t size = 0;
  unsigned char* bytes = read_file(argv[1], &size);
  require(bytes != NULL && size > 256, "cannot read the kernels file");
  hcq_program* truncated = NULL;
  expect(hcq_program_load(dev, bytes, size / 2, "truncated", &truncated), HCQ_ERROR_BAD_CODE_OBJECT,
         "a truncated code object is HCQ_ERROR_BAD_CODE_OBJECT");
  expect(hcq_program_load(dev, bytes, 40, "truncated", &truncated), HCQ_ERROR_BAD_CODE_OBJECT,
         "a code object cut inside its ELF header is HCQ_ERROR_BAD_CODE_OBJECT");
  hcq_program* whole = NULL;
  OK(hcq_program_load(dev, bytes, size, NULL, &whole), "hcq_program_load from memory");
  hcq_program_release(whole);
  free(bytes);

  hcq_device* dev2 = NULL;
  OK(hcq_open(NULL, &dev2), "hcq_open(NULL) opens the default device");
  hcq_device_release(dev2);

  test_graph(dev, prog);
  test_vadd(dev, prog); /* releases dev */
  OK(hcq_program_release(prog), "release the program after its device");

  printf("1..%d\n", tests_run);
  if (tests_failed) printf("# %d of %d failed\n", tests_failed, tests_run);
  return tests_failed ? 1 : 0;
}
