#include "engine/head_copy.h"

namespace tessera::engine {

std::shared_ptr<const MemoryBlockSource> HeadCopy::of(const BlockBuilder& head) {
  {
    std::lock_guard lock(mu_);
    if (head.row_count() == 0) {
      copy_.reset();
      return nullptr;
    }
    if (copy_ != nullptr && takes_ == head.takes() && rows_ == head.row_count()) return copy_;
  }
  // Copied without the lock, so that snapshots of other heads' readers and of this
  // one do not queue behind the copy; the head cannot change meanwhile (the caller's
  // lock), so a copy another snapshot stores at the same time holds the same rows.
  auto copy = std::make_shared<const MemoryBlockSource>(
      std::make_shared<const storage::Block>(head.snapshot()));
  std::lock_guard lock(mu_);
  copy_ = copy;
  takes_ = head.takes();
  rows_ = head.row_count();
  return copy;
}

}  // namespace tessera::engine
