#include "engine/compaction.h"

namespace tessera::engine {

bool needs_compaction(std::span<const ManifestSegment> segments) {
  return segments.size() > 1 || (segments.size() == 1 && !segments[0].is_sorted);
}

Result<SortedPartition> merge_sources(std::span<const std::shared_ptr<const BlockSource>> sources,
                                      const SortKey& key, BlockCut cut) {
  // Each segment is already sorted, but a full sort of the concatenation is as simple
  // and, with the global write-order tie-break, gives the same "later segment wins".
  std::vector<std::shared_ptr<const storage::Block>> runs;
  runs.reserve(sources.size());
  for (const auto& source : sources) {
    TESSERA_ASSIGN_OR_RETURN(auto block, source->load());
    runs.push_back(std::move(block));
  }
  return sort_partition(runs, key, cut);
}

}  // namespace tessera::engine
