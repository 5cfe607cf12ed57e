// hcq::Error: the one exception type of libhcq.
//
// Setup paths (opening a device, loading a program, allocating, submitting) throw hcq::Error.
// Hot paths (waits, recording) return a status instead; recording errors are sticky on the queue
// and raised by submit(). Every message names the device ("cpu:0", "am 0000:03:00.0"), the block
// ("queue", "program", "PSP"), what was observed, and what to do about it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace hcq {

enum class Errc {
  invalid_argument = 1,  // the caller passed something the contract does not allow
  not_found,             // no such device, kernel, argument or file
  unsupported,           // the backend or device cannot do this
  out_of_memory,         // an allocation did not fit
  timeout,               // a bounded wait ran out
  device_lost,           // the device stopped making progress or trapped; it must be reopened
  bad_code_object,       // a program's bytes are malformed or for another target
  io,                    // an OS call failed
  busy,                  // the resource is owned by someone else
  internal,              // a bug in libhcq: please report it
};

std::string_view to_string(Errc code) noexcept;

class Error : public std::runtime_error {
 public:
  // `device` is who ("cpu:0", "nv 0000:01:00.0"; empty when no device is involved),
  // `block` is where ("queue", "program", "GMC"), `message` is what was observed and what to do.
  Error(Errc code, std::string device, std::string block, const std::string& message);

  Errc code() const noexcept { return code_; }
  const std::string& device() const noexcept { return device_; }
  const std::string& block() const noexcept { return block_; }
  // The message without the "device: block: " prefix that what() carries.
  const std::string& detail() const noexcept { return detail_; }

 private:
  Errc code_;
  std::string device_;
  std::string block_;
  std::string detail_;
};

}  // namespace hcq
