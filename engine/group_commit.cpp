#include "engine/group_commit.h"

#include <algorithm>

namespace tessera::engine {

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

Status GroupCommit::sync(uint64_t lsn) {
  std::unique_lock lock(mu_);
  while (true) {
    if (failure_) return *failure_;
    if (durable_lsn_ >= lsn) return Status::ok();
    if (is_syncing_) {
      synced_.wait(lock);
      continue;
    }
    // Lead: sync everything appended so far, for ourselves and every waiter.
    is_syncing_ = true;
    std::shared_ptr<storage::WalWriter> writer = writer_;
    uint64_t target = appended_lsn_;
    lock.unlock();
    Status status = writer ? writer->sync() : Status::ok();
    lock.lock();
    is_syncing_ = false;
    ++syncs_;
    if (!status.is_ok()) {
      failure_ = Error{ErrorCode::kIoError, "write-ahead log fsync failed: " + status.message()};
    } else {
      durable_lsn_ = std::max(durable_lsn_, target);
    }
    synced_.notify_all();
  }
}

uint64_t GroupCommit::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

}  // namespace tessera::engine
