#include "storage/base/fault_injection.h"

#include <mutex>

namespace tessera::storage {
namespace {

struct ArmedState {
  std::mutex mu;
  std::optional<FaultSpec> spec;
  uint64_t matched = 0;
  std::vector<std::filesystem::path> matched_paths;
};

ArmedState& state() {
  static ArmedState* s = new ArmedState();  // never destroyed: usable from any exit path
  return *s;
}

}  // namespace

std::atomic<bool> FaultInjector::armed_{false};

void FaultInjector::arm(FaultSpec spec) {
  ArmedState& s = state();
  std::lock_guard lock(s.mu);
  s.spec = std::move(spec);
  s.matched = 0;
  s.matched_paths.clear();
  armed_.store(true, std::memory_order_release);
}

void FaultInjector::disarm() {
  ArmedState& s = state();
  std::lock_guard lock(s.mu);
  armed_.store(false, std::memory_order_release);
  s.spec.reset();
}

uint64_t FaultInjector::matched() {
  ArmedState& s = state();
  std::lock_guard lock(s.mu);
  return s.matched;
}

std::vector<std::filesystem::path> FaultInjector::matched_paths() {
  ArmedState& s = state();
  std::lock_guard lock(s.mu);
  return s.matched_paths;
}

InjectedFault FaultInjector::consult(FaultOp op, const std::filesystem::path& path) {
  ArmedState& s = state();
  InjectedFault fault;
  std::function<void()> on_match;
  {
    std::lock_guard lock(s.mu);
    if (!s.spec || s.spec->op != op) return fault;
    if (path.string().find(s.spec->path_contains) == std::string::npos) return fault;
    const uint64_t n = ++s.matched;
    if (s.matched_paths.size() < kMaxRecordedPaths) s.matched_paths.push_back(path);
    const FaultSpec& spec = *s.spec;
    const bool is_failing =
        n >= spec.first_failure && (spec.failures == 0 || n - spec.first_failure < spec.failures);
    if (is_failing) {
      fault.error = spec.error;
      fault.write_prefix_bytes = spec.short_write_bytes.value_or(0);
    }
    on_match = spec.on_match;
  }
  if (on_match) on_match();
  return fault;
}

}  // namespace tessera::storage
