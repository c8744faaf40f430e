#include "engine/block_sources.h"

namespace tessera::engine {

Result<std::shared_ptr<const storage::Block>> SegmentBlockSource::load() const {
  if (auto cached = cache_->find(cache_key_)) return cached;
  TESSERA_ASSIGN_OR_RETURN(storage::Block block, segment_->read_block(index_));
  auto shared = std::make_shared<const storage::Block>(std::move(block));
  cache_->insert(cache_key_, shared);
  return shared;
}

}  // namespace tessera::engine
