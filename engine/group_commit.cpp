#include "engine/group_commit.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace tessera::engine {

Result<FsyncPolicy> parse_fsync_policy(std::string_view text) {
  const std::string forms = "expected \"always\" or \"interval=<ms>\" with 1 <= ms <= " +
                            std::to_string(kMaxFsyncInterval.count());
  if (text == "always") return FsyncPolicy{};
  constexpr std::string_view kPrefix = "interval=";
  if (!text.starts_with(kPrefix)) {
    return make_error(ErrorCode::kInvalidInput,
                      "fsync policy \"" + std::string(text) + "\": " + forms);
  }
  std::string_view digits = text.substr(kPrefix.size());
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ms);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || ms < 1 ||
      ms > kMaxFsyncInterval.count()) {
    return make_error(ErrorCode::kInvalidInput,
                      "fsync policy \"" + std::string(text) + "\": " + forms);
  }
  return FsyncPolicy{FsyncPolicy::Kind::kInterval, std::chrono::milliseconds(ms)};
}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mu_);
    is_stopping_ = true;
  }
  timer_wakeup_.notify_all();
  if (timer_thread_.joinable()) timer_thread_.join();
}

void GroupCommit::set_policy(const FsyncPolicy& policy) {
  std::lock_guard lock(mu_);
  policy_ = policy;
  if (policy_.kind == FsyncPolicy::Kind::kInterval && !timer_thread_.joinable()) {
    timer_thread_ = std::thread([this] { interval_loop(); });
  }
}

void GroupCommit::appended(std::shared_ptr<storage::WalWriter> writer, uint64_t lsn) {
  std::lock_guard lock(mu_);
  writer_ = std::move(writer);
  appended_lsn_ = std::max(appended_lsn_, lsn);
}

void GroupCommit::rotated(std::shared_ptr<storage::WalWriter> writer, uint64_t lsn) {
  std::lock_guard lock(mu_);
  writer_ = std::move(writer);
  appended_lsn_ = std::max(appended_lsn_, lsn);
  durable_lsn_ = std::max(durable_lsn_, lsn);
  synced_.notify_all();
}

void GroupCommit::lead_sync(std::unique_lock<std::mutex>& lock) {
  is_syncing_ = true;
  std::shared_ptr<storage::WalWriter> writer = writer_;
  // Everything appended before the fdatasync starts is covered by it.
  uint64_t target = appended_lsn_;
  lock.unlock();
  Status status = writer ? writer->sync() : Status::ok();
  lock.lock();
  is_syncing_ = false;
  ++syncs_;
  if (!status.is_ok()) {
    failure_ = Error{ErrorCode::kIoError, "write-ahead log fsync failed: " + status.message() +
                                              "; nothing more is acknowledged until restart"};
  } else {
    durable_lsn_ = std::max(durable_lsn_, target);
  }
  synced_.notify_all();
}

Status GroupCommit::sync(uint64_t lsn) {
  std::unique_lock lock(mu_);
  while (true) {
    if (failure_) return *failure_;
    if (durable_lsn_ >= lsn) return Status::ok();
    if (is_syncing_ || (policy_.kind == FsyncPolicy::Kind::kInterval && !is_stopping_)) {
      // Someone else's fsync (the leader's, or the next timed one) will cover us,
      // or else we lead the round after it.
      ++waiters_;
      synced_.wait(lock);
      --waiters_;
      continue;
    }
    lead_sync(lock);
  }
}

void GroupCommit::interval_loop() {
  std::unique_lock lock(mu_);
  while (!is_stopping_) {
    timer_wakeup_.wait_for(lock, policy_.interval, [this] { return is_stopping_; });
    if (is_stopping_) break;
    if (failure_ || is_syncing_ || appended_lsn_ <= durable_lsn_) continue;
    lead_sync(lock);
  }
  // Waiters left behind lead their own fsync from here on.
  synced_.notify_all();
}

uint64_t GroupCommit::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

uint64_t GroupCommit::waiters() const {
  std::lock_guard lock(mu_);
  return waiters_;
}

}  // namespace tessera::engine
