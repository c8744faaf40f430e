#include "query/block_range_scan.h"

#include <algorithm>
#include <cassert>
#include <deque>
#include <numeric>

#include "query/expression_eval.h"
#include "query/forward_search.h"
#include "query/row_selection.h"
#include "query/vector_kernels.h"

namespace tessera::query::detail {
namespace {

using Kind = BoundExpr::Kind;

// Raw rows gathered past 2 * LIMIT + this many are cut back to the LIMIT.
constexpr size_t kMinRowsBeforeTopK = 4096;
// Below this average run of one group per block, reducing run by run costs more
// than scattering row by row.
constexpr size_t kMinAverageGroupRun = 16;
// The least average span of a block's groups (after FILTER) that sla_pct and
// percentiles read from sorted run values instead of rows (see sorted_runs_of).
// sla_pct: Q4b's blocks of small shops (tenant runs of ~300 rows) count faster
// row by row (Q4b's median 2,722 us with every block from runs, 2,261 with these
// read as rows: two in_process.sh runs, each against 78318fd's 2,384 and 2,456).
// Percentiles gain more from a span (no gathering), so their bound only keeps tiny
// spans off the lookups; it was not tuned.
constexpr size_t kMinSortedSlaSpan = 512;
constexpr size_t kMinSortedPercentileSpan = 32;

// Values computed once per expression text, kept at stable addresses.
template <typename T>
class PerText {
 public:
  template <typename Compute>
  Result<const T*> get(const BoundExpr& e, Compute compute) {
    for (const auto& [text, value] : entries_) {
      if (*text == e.text) return &value;
    }
    TESSERA_ASSIGN_OR_RETURN(T value, compute());
    entries_.emplace_back(&e.text, std::move(value));
    return &entries_.back().second;
  }

 private:
  std::deque<std::pair<const std::string*, T>> entries_;  // deque: push_back keeps addresses
};

// A dedup mask has one entry per row of its block; anything else is a bug upstream.
Status check_mask_fits(const std::vector<uint8_t>& live, size_t rows) {
  if (live.size() == rows) return Status::ok();
  return make_error(ErrorCode::kInternal, "dedup mask does not match its block");
}

class RangeScanner {
 public:
  // The rules are copied: their column hints are written as blocks are checked.
  RangeScanner(const RangeScanPlan& scan, PartialResult& out)
      : scan_(scan),
        plan_(*scan.plan),
        out_(out),
        tenant_rule_(scan.tenant_rule),
        conjunct_rules_(scan.conjunct_rules),
        row_group_ids_wanted_(
            !std::all_of(plan_.aggregates.begin(), plan_.aggregates.end(), reads_groups_by_runs)) {
    for (const AggregateSpec& spec : plan_.aggregates) {
      sorted_run_tags_.push_back(reads_sorted_runs(spec) ? sorted_run_tags(spec) : std::nullopt);
    }
    // Count, sum and avg of a column read the per-run sums of the runs a percentile
    // or sla_pct of that column sorts over the same tags (avg_lc beside p95_lc):
    // they never sort runs themselves, where a row scan would cost less.
    for (size_t a = 0; a < plan_.aggregates.size(); ++a) {
      const AggregateSpec& spec = plan_.aggregates[a];
      if (!sums_sorted_runs(spec)) continue;
      std::optional<std::vector<std::string>> tags = sorted_run_tags(spec);
      for (size_t b = 0; tags && b < plan_.aggregates.size(); ++b) {
        const AggregateSpec& sorter = plan_.aggregates[b];
        if (reads_sorted_runs(sorter) && sorter.arg->name == spec.arg->name &&
            sorted_run_tags_[b] == tags) {
          sorted_run_tags_[a] = std::move(tags);
        }
      }
    }
  }

  Status run(size_t begin, size_t end) {
    const engine::TableSnapshot& snapshot = *scan_.snapshot;
    for (size_t b = begin; b < end; ++b) {
      if (scan_.has_failed.load(std::memory_order_relaxed)) return Status::ok();
      const engine::BlockView& view = snapshot.blocks[b];
      switch (scan_.actions[b]) {
        case BlockAction::kPrune:
          continue;
        case BlockAction::kFromStats:
          TESSERA_RETURN_IF_ERROR(fold_block_stats(*scan_.keys[b], view.source->stats()));
          ++out_.blocks_from_stats;
          continue;
        case BlockAction::kFromRunTotals:
          TESSERA_RETURN_IF_ERROR(fold_block_stats(*scan_.keys[b], *run_starting_at(b).totals));
          [[fallthrough]];
        case BlockAction::kInRunTotals:
          ++out_.blocks_from_stats;
          ++out_.blocks_from_segment_totals;
          continue;
        case BlockAction::kFromLiveStats: {
          TESSERA_ASSIGN_OR_RETURN(const bool folded, fold_live_stats(view, *scan_.keys[b]));
          if (folded) continue;
          break;  // the live rows' statistics lack what an aggregate needs
        }
        case BlockAction::kFromRunStats: {
          TESSERA_ASSIGN_OR_RETURN(const bool folded,
                                   fold_run_stats(*view.source, scan_.keys[b]->bucket));
          if (folded) continue;
          break;  // short runs, or a run's statistics lack what an aggregate needs
        }
        case BlockAction::kScan:
          break;
      }
      if (std::chrono::steady_clock::now() > scan_.deadline) {
        return time_limit_error(*scan_.context);
      }
      ++out_.blocks_scanned;
      const bool with_time = needs_time(view.source->stats());
      TESSERA_ASSIGN_OR_RETURN(engine::LoadedBlock block,
                               view.source->load_columns(scan_.columns, with_time));
      TESSERA_RETURN_IF_ERROR(
          scan_block(*view.source, block, view.live_rows ? &view.live_rows->rows() : nullptr));
      TESSERA_RETURN_IF_ERROR(charge_memory());
    }
    return Status::ok();
  }

 private:
  // Adds what this range holds beyond what it reported before to the query's total.
  Status charge_memory() {
    const size_t held = out_.memory_bytes + out_.raw_bytes;
    size_t total = 0;
    if (held >= out_.charged_bytes) {
      total =
          scan_.charged_bytes.fetch_add(held - out_.charged_bytes) + (held - out_.charged_bytes);
    } else {  // raw rows were cut back to the LIMIT
      total =
          scan_.charged_bytes.fetch_sub(out_.charged_bytes - held) - (out_.charged_bytes - held);
    }
    out_.charged_bytes = held;
    const size_t limit = scan_.context->max_memory_bytes;
    if (total <= limit) return Status::ok();
    return make_error(ErrorCode::kLimitExceeded,
                      "query memory limit of " + std::to_string(limit) + " bytes exceeded");
  }

  // Whether scanning a block with `block_stats` reads its time column (detail::
  // TimeUsage): the daily sums of a table partitioned by day, or a query whose time
  // range covers whole blocks, decode and cache no time at all.
  bool needs_time(const storage::BlockStats& block_stats) const {
    const TimeUsage& usage = scan_.time_usage;
    if (usage.every_block) return true;
    if (plan_.bucketer && !uniform_bucket(plan_, block_stats)) return true;
    for (size_t c = 0; c < usage.by_conjunct.size(); ++c) {
      if (usage.by_conjunct[c] != 0 && !proves_conjunct(block_stats, c)) return true;
    }
    return false;
  }

  // True when a block's statistics prove WHERE conjunct `c` for every row, so that
  // the scan neither evaluates it nor loads what only it reads.
  bool proves_conjunct(const storage::BlockStats& block_stats, size_t c) const {
    const std::optional<PruneRule>& implied_by = conjunct_rules_[c];
    return implied_by && every_row_satisfies(*implied_by, block_stats);
  }

  // Reads the rows of `block` that pass the tenant scope and WHERE clause. A
  // condition that the block's statistics prove true for every row (a tenant-pure
  // block, a time range inside the queried one) is not evaluated row by row.
  Status scan_block(const engine::BlockSource& source, const engine::LoadedBlock& block,
                    const std::vector<uint8_t>* live) {
    const storage::BlockStats& block_stats = source.stats();
    const size_t rows = block.row_count();
    out_.rows_scanned += rows;
    if (live != nullptr) TESSERA_RETURN_IF_ERROR(check_mask_fits(*live, rows));
    // The selected rows. Until a condition narrows them, every row of a block
    // without a dedup mask is selected and not yet written: an equality on a tag
    // (the tenant scope, WHERE tenant = '...') then writes only the rows it keeps.
    std::vector<uint32_t>& sel = sel_;
    bool every_row_unwritten = live == nullptr;
    if (live != nullptr) {
      numbered_rows_ = 0;
      sel.clear();
      sel.reserve(rows);
      for (size_t r = 0; r < rows; ++r) {
        if ((*live)[r] != 0) sel.push_back(static_cast<uint32_t>(r));
      }
    }
    auto keep_equal = [&](const std::string& column, std::string_view value) -> Status {
      numbered_rows_ = 0;
      if (!every_row_unwritten) return keep_rows_equal(block, column, value, sel);
      every_row_unwritten = false;
      return select_rows_equal(block, column, value, sel);
    };
    auto write_every_row = [&] {
      if (!every_row_unwritten) return;
      every_row_unwritten = false;
      // Only rows past those the buffer already numbers are written.
      const size_t numbered = std::min(numbered_rows_, rows);
      sel.resize(rows);
      std::iota(sel.begin() + static_cast<std::ptrdiff_t>(numbered), sel.end(),
                static_cast<uint32_t>(numbered));
      numbered_rows_ = rows;
      assert(([&] {
        for (size_t r = 0; r < rows; ++r) {
          if (sel[r] != r) return false;
        }
        return true;
      })());
    };
    const std::optional<std::string>& tenant = *scan_.tenant;
    if (tenant && !every_row_satisfies(tenant_rule_, block_stats)) {
      TESSERA_RETURN_IF_ERROR(keep_equal(*plan_.schema.options.tenant_column, *tenant));
    }
    LeafResolver leaves = [&](const BoundExpr& leaf) -> Result<Vec> {
      return gather_column(block, leaf, sel);
    };
    for (size_t c = 0; c < plan_.where_conjuncts.size(); ++c) {
      if (!every_row_unwritten && sel.empty()) break;
      if (proves_conjunct(block_stats, c)) continue;
      const std::optional<PruneRule>& implied_by = conjunct_rules_[c];
      if (implied_by && implied_by->equalities.size() == 1) {  // column = 'value'
        const auto& [column, value] = implied_by->equalities[0];
        TESSERA_RETURN_IF_ERROR(keep_equal(column, value));
        continue;
      }
      write_every_row();
      TESSERA_ASSIGN_OR_RETURN(Vec cond,
                               evaluate_rows(plan_.where_conjuncts[c], block, sel, leaves));
      sel = keep_true(sel, cond);
      numbered_rows_ = 0;
    }
    write_every_row();
    out_.rows_matched += sel.size();
    if (sel.empty()) return Status::ok();
    return plan_.is_aggregate
               ? aggregate_block(source, block, sel, leaves, uniform_bucket(plan_, block_stats))
               : gather_raw(sel, leaves, block);
  }

  // The sorted run whose first block is `b` (one exists: the executor marked b
  // kFromRunTotals).
  const engine::TableSnapshot::SortedRun& run_starting_at(size_t b) const {
    const auto& runs = scan_.snapshot->sorted_runs;
    return *std::lower_bound(runs.begin(), runs.end(), b,
                             [](const auto& run, size_t block) { return run.begin < block; });
  }

  // Aggregates rows that all pass and share `key` from their statistics (a block's,
  // or a sorted run's totals).
  Status fold_block_stats(const ConstantGroupKey& key, const storage::BlockStats& block_stats) {
    std::vector<uint32_t> tag_ids(key.tags.size(), kNullTagId);
    for (size_t k = 0; k < key.tags.size(); ++k) {
      if (key.tags[k]) tag_ids[k] = out_.groups.dictionaries[k].intern(*key.tags[k]);
    }
    const uint32_t gid = intern_group(plan_, out_.groups, key.bucket, tag_ids, &out_.memory_bytes);
    for (size_t a = 0; a < plan_.aggregates.size(); ++a) {
      const AggregateSpec& spec = plan_.aggregates[a];
      const storage::ColumnStats* column = nullptr;
      if (spec.arg) {
        const int i = block_stats.find(spec.arg->name);
        if (i >= 0) column = &block_stats.columns[static_cast<size_t>(i)];
      }
      out_.aggregators[a].resize(out_.groups.count);
      TESSERA_RETURN_IF_ERROR(out_.aggregators[a].fold_stats(gid, block_stats.row_count, column));
    }
    out_.rows_matched += block_stats.row_count;
    return Status::ok();
  }

  // Aggregates a masked block whose live rows all pass and share `key` from those
  // rows' statistics: kept on the mask by an earlier query, or computed here from
  // the columns the aggregates read and kept for the next. False, with nothing
  // folded, when they lack what an aggregate needs (an integer sum past int64).
  Result<bool> fold_live_stats(const engine::BlockView& view, const ConstantGroupKey& key) {
    const engine::LiveMask& mask = *view.live_rows;
    const storage::BlockStats& block_stats = view.source->stats();
    storage::BlockStats live;
    live.row_count = mask.live_count();
    live.min_time_ns = block_stats.min_time_ns;
    live.max_time_ns = block_stats.max_time_ns;
    std::vector<std::string> missing;
    for (const AggregateSpec& spec : plan_.aggregates) {
      if (!spec.arg || live.find(spec.arg->name) >= 0) continue;
      const int i = block_stats.find(spec.arg->name);
      if (i < 0) continue;  // not in this block: NULL in every row
      live.column_names.push_back(spec.arg->name);
      live.column_types.push_back(block_stats.column_types[static_cast<size_t>(i)]);
      std::shared_ptr<const storage::ColumnStats> kept = mask.find_stats(spec.arg->name);
      if (!kept) missing.push_back(spec.arg->name);
      live.columns.push_back(kept ? *kept : storage::ColumnStats{});
    }
    if (!missing.empty()) {
      TESSERA_ASSIGN_OR_RETURN(engine::LoadedBlock block,
                               view.source->load_columns(missing, /*with_time=*/false));
      TESSERA_RETURN_IF_ERROR(check_mask_fits(mask.rows(), block.row_count()));
      for (const std::string& name : missing) {
        const storage::Column* column = block.find(name);
        if (column == nullptr) {
          return make_error(ErrorCode::kInternal, "column " + name + " missing from its block");
        }
        auto stats = std::make_shared<const storage::ColumnStats>(
            storage::stats_of_live(*column, mask.rows()));
        live.columns[static_cast<size_t>(live.find(name))] = *stats;
        mask.keep_stats(name, std::move(stats));
      }
    }
    if (!block_stats_cover(plan_, live)) return false;
    TESSERA_RETURN_IF_ERROR(fold_block_stats(key, live));
    ++out_.blocks_from_stats;
    return true;
  }

  // Aggregates a block in time bucket `bucket` from the statistics of each run of
  // one tag's values, as scan_.run_stats_fold says. False, with nothing folded,
  // when the runs are short or a run's statistics lack what an aggregate needs (an
  // integer sum past int64): the block is then scanned.
  Result<bool> fold_run_stats(const engine::BlockSource& source, int64_t bucket) {
    using RunStats = std::shared_ptr<const storage::TagRunStats>;
    const storage::BlockStats& block_stats = source.stats();
    const RunStatsFold& fold = *scan_.run_stats_fold;
    const std::string& tag = fold.tag;
    // Each aggregate's run statistics; aggregates of one column share them, and
    // count(*) (or a column the block lacks) takes the runs of any.
    std::vector<std::pair<std::string, RunStats>> by_column;
    auto run_stats_of = [&](const std::string& column) -> Result<RunStats> {
      for (const auto& [name, stats] : by_column) {
        if (name == column) return stats;
      }
      TESSERA_ASSIGN_OR_RETURN(RunStats stats, source.tag_run_stats(tag, column));
      by_column.emplace_back(column, stats);
      return stats;
    };
    std::vector<const storage::TagRunStats*> per_aggregate(plan_.aggregates.size());
    for (size_t a = 0; a < plan_.aggregates.size(); ++a) {
      const AggregateSpec& spec = plan_.aggregates[a];
      const int column = spec.arg ? block_stats.find(spec.arg->name) : -1;
      if (column < 0) continue;
      TESSERA_ASSIGN_OR_RETURN(RunStats stats, run_stats_of(spec.arg->name));
      if (stats == nullptr) return false;
      // The block's statistics covered the aggregate (block_run_stats_answer): a
      // float column without NaN, and with no +inf and -inf both, has neither in a
      // run; only an integer sum may leave int64 in a run and not in the block.
      const bool sums_ints = spec.arg_type == ValueType::kInt &&
                             (spec.fn == AggregateFn::kSum || spec.fn == AggregateFn::kAvg);
      if (sums_ints && !stats->int_sums_exact) return false;
      per_aggregate[a] = stats.get();
    }
    const storage::TagRunStats* runs = by_column.empty() ? nullptr : by_column.front().second.get();
    if (runs == nullptr) {
      TESSERA_ASSIGN_OR_RETURN(RunStats stats, run_stats_of(""));
      if (stats == nullptr) return false;
      runs = stats.get();
    }
    for (const auto& [name, stats] : by_column) {
      // The runs alone (name "", for count(*)) carry no per-run statistics.
      if (stats->run_starts != runs->run_starts ||
          (!name.empty() && stats->runs.size() != runs->run_count())) {
        return make_error(ErrorCode::kInternal, "tag run statistics of one block disagree");
      }
    }
    // Each run's group; Aggregator::kNoRunGroup for the runs a kept value passes over.
    std::vector<uint32_t> run_groups;
    uint64_t rows_matched = 0;
    if (fold.kept_value) {
      run_groups.assign(runs->run_count(), Aggregator::kNoRunGroup);
      const auto& names = runs->dictionary;
      const auto kept = std::find(names.begin(), names.end(), *fold.kept_value);
      const uint32_t gid = intern_group(plan_, out_.groups, bucket, {}, &out_.memory_bytes);
      for (size_t r = 0; r < runs->run_count(); ++r) {
        if (kept == names.end() || runs->codes[r] != static_cast<uint32_t>(kept - names.begin()))
          continue;
        run_groups[r] = gid;
        rows_matched += runs->run_starts[r + 1] - runs->run_starts[r];
      }
    } else {
      TESSERA_ASSIGN_OR_RETURN(run_groups, groups_of_runs(*runs, bucket));
      rows_matched = block_stats.row_count;
    }
    for (size_t a = 0; a < plan_.aggregates.size(); ++a) {
      Aggregator& aggregator = out_.aggregators[a];
      aggregator.resize(out_.groups.count);
      TESSERA_RETURN_IF_ERROR(aggregator.fold_runs(run_groups, *runs, per_aggregate[a]));
    }
    ++out_.blocks_from_run_stats;
    out_.rows_matched += rows_matched;
    return true;
  }

  // The group of each run of `runs` (the plan's one group tag) in time bucket
  // `bucket`: a run finds its group by its value id, or its dictionary entry's
  // name where the runs carry no ids.
  Result<std::vector<uint32_t>> groups_of_runs(const storage::TagRunStats& runs, int64_t bucket) {
    if (!runs.value_ids.empty() && runs.value_ids.size() != runs.dictionary.size()) {
      return make_error(ErrorCode::kInternal, "tag value ids do not match their dictionary");
    }
    BlockTagGroups tag_groups(plan_, out_.groups, bucket, runs.dictionary, runs.value_ids,
                              &out_.memory_bytes);
    std::vector<uint32_t> groups(runs.run_count());
    for (size_t r = 0; r < runs.run_count(); ++r) {
      const uint32_t code = runs.codes[r];
      groups[r] = tag_groups.group_of(
          code == storage::TagRunStats::kNullCode ? tag_groups.null_code() : code);
    }
    return groups;
  }

  // The groups of a block's rows when every row is selected and the plan groups
  // by one tag within the block's one time bucket (GROUP BY tenant), read from
  // the runs of the tag's codes cached beside the block (storage::TagRunStats):
  // no pass over the rows' codes, and no string hashed where the runs carry value
  // ids. Nullopt where no such runs are kept (short runs, a block in memory).
  Result<std::optional<GroupedRows>> groups_from_tag_runs(const engine::BlockSource& source,
                                                          const engine::LoadedBlock& block,
                                                          const std::vector<uint32_t>& sel,
                                                          std::optional<int64_t> bucket) {
    using Grouped = std::optional<GroupedRows>;
    const bool every_row = selects_every_row(sel) && sel.size() == block.row_count();
    if (plan_.group_tags.size() != 1 || (plan_.bucketer && !bucket) || !every_row) {
      return Grouped();
    }
    TESSERA_ASSIGN_OR_RETURN(std::shared_ptr<const storage::TagRunStats> runs,
                             source.tag_run_stats(plan_.group_tags[0], ""));
    if (runs == nullptr) return Grouped();
    if (runs->run_starts.empty() || runs->run_starts.back() != sel.size()) {
      return make_error(ErrorCode::kInternal, "tag run statistics do not match their block");
    }
    GroupedRows out;
    TESSERA_ASSIGN_OR_RETURN(out.run_groups,
                             groups_of_runs(*runs, plan_.bucketer ? *bucket : int64_t{0}));
    out.run_starts = runs->run_starts;
    if (row_group_ids_wanted_) {
      out.gids.reserve(sel.size());
      append_run_ids(out.run_starts, out.run_groups, sel.size(), out.gids);
    }
    return Grouped(std::move(out));
  }

  Status aggregate_block(const engine::BlockSource& source, const engine::LoadedBlock& block,
                         const std::vector<uint32_t>& sel, const LeafResolver& leaves,
                         std::optional<int64_t> bucket) {
    const size_t n = sel.size();
    TESSERA_ASSIGN_OR_RETURN(std::optional<GroupedRows> from_runs,
                             groups_from_tag_runs(source, block, sel, bucket));
    if (!from_runs) {
      TESSERA_ASSIGN_OR_RETURN(
          from_runs, assign_group_ids(plan_, block, sel, bucket, kMinAverageGroupRun,
                                      row_group_ids_wanted_, out_.groups, &out_.memory_bytes));
    }
    const GroupedRows& grouped = *from_runs;
    const std::vector<uint32_t>& runs = grouped.run_starts;
    for (Aggregator& a : out_.aggregators) a.resize(out_.groups.count);
    const bool single_group = runs.size() == 2;  // one run: its start and the end

    // Aggregates often repeat an argument or condition (count_if(c) and a FILTER
    // (WHERE c), avg(x) and percentile(x)): each distinct text is evaluated once
    // per block. Equal text binds to equal expressions within one plan.
    PerText<Vec> evaluated;
    auto rows_of = [&](const BoundExpr& e) {
      return evaluated.get(e, [&] { return evaluate_rows(e, block, sel, leaves); });
    };
    PerText<std::vector<uint8_t>> masks;  // FILTER conditions, as truth bytes
    auto mask_of = [&](const BoundExpr& e) {
      return masks.get(e, [&] { return evaluate_truth(e, block, sel, leaves); });
    };
    // The same as ranges of rows, when they come in long runs (a FILTER on a tag of
    // the sort key) and the groups do too: aggregates that read runs then read
    // whole spans. A condition on one tag is read from the runs of its codes (the
    // block's tag run statistics), with no work per row; others from their bytes.
    const size_t max_ranges = std::max<size_t>(1, n / kMinAverageGroupRun);
    struct KeptRanges {
      bool found = false;  // false: the kept rows do not come in long runs
      std::vector<uint32_t> bounds;
    };
    PerText<KeptRanges> kept;
    auto kept_ranges_of = [&](const BoundExpr& e) {
      return kept.get(e, [&]() -> Result<KeptRanges> {
        KeptRanges out;
        if (const std::string* tag = condition_tag(e); tag != nullptr && selects_every_row(sel)) {
          // The runs of the tag's codes, cached beside its block after the first query.
          TESSERA_ASSIGN_OR_RETURN(std::shared_ptr<const storage::TagRunStats> runs,
                                   source.tag_run_stats(*tag, ""));
          if (runs != nullptr) {
            TESSERA_ASSIGN_OR_RETURN(out.found, truth_ranges(e, block, sel, *runs, &out.bounds));
            if (out.found) return out;
          }
        }
        TESSERA_ASSIGN_OR_RETURN(const std::vector<uint8_t>* mask, mask_of(e));
        if (std::optional<std::vector<uint32_t>> bounds = kept_ranges(*mask, max_ranges)) {
          out.found = true;
          out.bounds = std::move(*bounds);
        }
        return out;
      });
    };

    std::vector<int64_t> times;
    bool reads_sorted_runs_here = false;
    std::vector<FoundSorted> found_sorted;
    for (size_t a = 0; a < plan_.aggregates.size(); ++a) {
      const AggregateSpec& spec = plan_.aggregates[a];
      if (spec.gathers_with >= 0) continue;  // its values are the other one's
      AggregateInput input;
      input.group_ids = grouped.gids.empty() ? nullptr : &grouped.gids;
      input.row_count = n;
      input.single_group = single_group;
      input.run_starts = runs.empty() ? nullptr : &runs;
      input.run_groups = runs.empty() ? nullptr : &grouped.run_groups;
      if (spec.filter && !runs.empty() && reads_groups_by_runs(spec)) {
        TESSERA_ASSIGN_OR_RETURN(const KeptRanges* ranges, kept_ranges_of(*spec.filter));
        if (ranges->found) input.filter_ranges = &ranges->bounds;
      }
      if (!runs.empty() && sorted_run_tags_[a]) {
        TESSERA_ASSIGN_OR_RETURN(
            input.sorted_runs,
            sorted_runs_of(source, a, sel, runs, input.filter_ranges, found_sorted));
        if (input.sorted_runs != nullptr) {
          input.first_row = sel.front();
          reads_sorted_runs_here = true;
          TESSERA_RETURN_IF_ERROR(out_.aggregators[a].update(input, &out_.memory_bytes));
          continue;
        }
      }
      const storage::Column* stored = nullptr;
      if (spec.arg && spec.arg->kind == Kind::kColumn && n == block.row_count()) {
        stored = block.find(spec.arg->name);
      }
      if (stored != nullptr && stored->size() == n && reads_in_place(spec, *stored)) {
        input.in_place = stored;  // every row selected: read where the block keeps it
      } else if (spec.arg) {
        TESSERA_ASSIGN_OR_RETURN(input.arg, rows_of(*spec.arg));
      }
      if (spec.sla_condition && input.in_place == nullptr) {
        TESSERA_ASSIGN_OR_RETURN(input.sla_condition, rows_of(*spec.sla_condition));
      }
      if (spec.filter && input.filter_ranges == nullptr) {
        TESSERA_ASSIGN_OR_RETURN(input.filter, mask_of(*spec.filter));
      }
      if (spec.fn == AggregateFn::kFirst || spec.fn == AggregateFn::kLast) {
        if (!block.has_time()) return time_not_loaded();
        if (times.empty()) {
          times.resize(n);
          for (size_t i = 0; i < n; ++i) times[i] = block.time_ns()[sel[i]];
        }
        input.time_ns = &times;
      }
      TESSERA_RETURN_IF_ERROR(out_.aggregators[a].update(input, &out_.memory_bytes));
    }
    out_.blocks_from_sorted_runs += reads_sorted_runs_here;
    return Status::ok();
  }

  // The tags whose runs the sorted run values of aggregate `spec` would follow (the
  // tenant's, the grouped ones, FILTER's), or nullopt when there are none or too
  // many, or FILTER is not on one tag.
  std::optional<std::vector<std::string>> sorted_run_tags(const AggregateSpec& spec) const {
    std::vector<std::string> tags;
    auto add_tag = [&](const std::string& tag) {
      if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
    };
    if (plan_.schema.options.tenant_column) add_tag(*plan_.schema.options.tenant_column);
    for (const std::string& tag : plan_.group_tags) add_tag(tag);
    if (spec.filter) {
      const std::string* tag = condition_tag(*spec.filter);
      if (tag == nullptr) return std::nullopt;
      add_tag(*tag);
    }
    if (tags.empty() || tags.size() > engine::kMaxSortedRunTags) return std::nullopt;
    return tags;
  }

  // A block's sorted run values of one column over some tags, as one aggregate
  // found or sorted them: the next one reading them skips the cache lookup.
  struct FoundSorted {
    const std::vector<std::string>* tags;
    const std::string* column;
    std::shared_ptr<const storage::SortedRunValues> sorted;  // null: not cached
  };

  // The sorted run values (storage::SortedRunValues) of aggregate a's argument over
  // the runs of its sorted_run_tags, when the selected rows are one span of the block
  // and every group run (`group_runs`) and kept FILTER range (`filter_ranges`, null
  // without FILTER) begins and ends where those runs do; else null, and the rows are
  // read. Values not yet sorted are sorted only by percentiles and sla_pct, and only
  // once each tag's cached runs show the boundaries hold: a block whose groups cut
  // the runs (hourly buckets in a day of one tenant) is not sorted for nothing.
  // `found` holds the block's values found so far.
  Result<std::shared_ptr<const storage::SortedRunValues>> sorted_runs_of(
      const engine::BlockSource& source, size_t a, const std::vector<uint32_t>& sel,
      const std::vector<uint32_t>& group_runs, const std::vector<uint32_t>* filter_ranges,
      std::vector<FoundSorted>& found) {
    using Sorted = std::shared_ptr<const storage::SortedRunValues>;
    const std::optional<std::vector<std::string>>& tags = sorted_run_tags_[a];
    const AggregateSpec& spec = plan_.aggregates[a];
    const size_t n = sel.size();
    if (!tags || !source.keeps_sorted_run_values() || n == 0 || sel.back() - sel.front() + 1 != n) {
      return Sorted();
    }
    if (spec.filter && filter_ranges == nullptr) return Sorted();
    // Short spans read from their rows cost no more than from their runs: a binary
    // search misses the cache about as often as a short span is read through.
    size_t spans = group_runs.size() - 1, kept = n;
    if (filter_ranges != nullptr) {
      spans = filter_ranges->size() / 2;
      kept = 0;
      for (size_t k = 0; k + 1 < filter_ranges->size(); k += 2) {
        kept += (*filter_ranges)[k + 1] - (*filter_ranges)[k];
      }
    }
    const size_t min_span =
        spec.fn == AggregateFn::kSlaPct ? kMinSortedSlaSpan : kMinSortedPercentileSpan;
    if (kept < min_span * spans) return Sorted();
    // Whether every boundary the query needs (offsets into the selection) is one
    // where `all_begin_runs` says a run begins. It is given the boundaries in
    // sorted lists: the selection's two ends, the group runs, the kept ranges.
    auto all_hold = [&](auto&& all_begin_runs) {
      const uint32_t ends[] = {0, static_cast<uint32_t>(n)};
      return all_begin_runs(std::span<const uint32_t>(ends)) && all_begin_runs(group_runs) &&
             (filter_ranges == nullptr || all_begin_runs(*filter_ranges));
    };
    auto begin_runs_of = [&](const std::vector<uint32_t>& run_starts) {
      return [&](std::span<const uint32_t> offsets) {
        ForwardSearch starts(run_starts);
        return std::all_of(offsets.begin(), offsets.end(),
                           [&](uint32_t offset) { return starts.contains(sel.front() + offset); });
      };
    };
    auto same = [&](const FoundSorted& f) {
      return *f.column == spec.arg->name && *f.tags == *tags;
    };
    size_t memo =
        static_cast<size_t>(std::find_if(found.begin(), found.end(), same) - found.begin());
    if (memo == found.size()) {
      TESSERA_ASSIGN_OR_RETURN(Sorted cached,
                               source.sorted_run_values(*tags, spec.arg->name, false));
      found.push_back({&*tags, &spec.arg->name, std::move(cached)});
    }
    if (const Sorted& cached = found[memo].sorted; cached != nullptr) {
      return all_hold(begin_runs_of(cached->run_starts)) ? cached : Sorted();
    }
    if (!reads_sorted_runs(spec)) return Sorted();
    std::vector<std::shared_ptr<const storage::TagRunStats>> tag_runs;
    for (const std::string& tag : *tags) {
      if (source.stats().find(tag) < 0) continue;  // NULL in every row: no boundary
      TESSERA_ASSIGN_OR_RETURN(std::shared_ptr<const storage::TagRunStats> runs,
                               source.tag_run_stats(tag, ""));
      if (runs == nullptr) return Sorted();  // short runs
      tag_runs.push_back(std::move(runs));
    }
    // A row begins a run of the tags together where it begins a run of any of them.
    const bool hold = !tag_runs.empty() && all_hold([&](std::span<const uint32_t> offsets) {
      return std::all_of(offsets.begin(), offsets.end(), [&](uint32_t offset) {
        return std::any_of(tag_runs.begin(), tag_runs.end(), [&](const auto& runs) {
          return std::binary_search(runs->run_starts.begin(), runs->run_starts.end(),
                                    sel.front() + offset);
        });
      });
    });
    if (!hold) return Sorted();
    TESSERA_ASSIGN_OR_RETURN(found[memo].sorted,
                             source.sorted_run_values(*tags, spec.arg->name, true));
    return found[memo].sorted;
  }

  Status gather_raw(const std::vector<uint32_t>& sel, const LeafResolver& leaves,
                    const engine::LoadedBlock& block) {
    if (!block.has_time()) return time_not_loaded();
    const size_t n = sel.size();
    std::vector<Vec> outputs;
    for (const BoundExpr& e : plan_.outputs) {
      TESSERA_ASSIGN_OR_RETURN(Vec v, evaluate(e, leaves, n));
      outputs.push_back(std::move(v));
    }
    std::vector<Vec> keys;
    for (const SortKey& k : plan_.order_by) {
      if (k.output_index >= 0) continue;
      TESSERA_ASSIGN_OR_RETURN(Vec v, evaluate(*k.expr, leaves, n));
      keys.push_back(std::move(v));
    }
    for (size_t i = 0; i < n; ++i) {
      OutputRow row;
      row.values.reserve(outputs.size());
      for (const Vec& v : outputs) {
        row.values.push_back(value_at(v, i));
        if (const std::string* s = std::get_if<std::string>(&row.values.back())) {
          row.bytes += s->size();
        }
      }
      for (const Vec& v : keys) row.sort_keys.push_back(value_at(v, i));
      row.bytes += sizeof(OutputRow) + sizeof(Value) * (outputs.size() + keys.size());
      row.time_ns = block.time_ns()[sel[i]];
      row.seq = out_.next_seq++;
      out_.raw_bytes += row.bytes;
      out_.raw_rows.push_back(std::move(row));
    }
    // With a LIMIT only the first `limit` rows in result order can be returned:
    // keep those, so that memory follows the LIMIT and not the table.
    if (plan_.limit) {
      const size_t limit = static_cast<size_t>(*plan_.limit);
      if (out_.raw_rows.size() > 2 * limit + kMinRowsBeforeTopK) {
        keep_first_in_order(plan_, limit, out_.raw_rows);
        out_.raw_bytes = 0;
        for (const OutputRow& row : out_.raw_rows) out_.raw_bytes += row.bytes;
      }
    }
    return Status::ok();
  }

  static Error time_not_loaded() {
    return make_error(ErrorCode::kInternal, "a block was scanned without its time column");
  }

  const RangeScanPlan& scan_;
  const BoundSelect& plan_;
  PartialResult& out_;
  PruneRule tenant_rule_;
  std::vector<std::optional<PruneRule>> conjunct_rules_;
  // Whether an aggregate reads a group id per row even where groups come in runs.
  const bool row_group_ids_wanted_;
  // Per aggregate, sorted_run_tags.
  std::vector<std::optional<std::vector<std::string>>> sorted_run_tags_;
  // The block's selected rows (scan_block), kept from block to block so that a
  // block of every row does not write them again: its first numbered_rows_ entries
  // hold their own index, 0, 1, 2, ... (block after block of every row: Q4b).
  std::vector<uint32_t> sel_;
  size_t numbered_rows_ = 0;
};

}  // namespace

PartialResult make_partial(const BoundSelect& plan) {
  PartialResult partial;
  partial.groups.dictionaries.resize(plan.group_tags.size());
  for (const AggregateSpec& spec : plan.aggregates) partial.aggregators.emplace_back(spec);
  if (plan.is_aggregate && plan.group_key_count() == 0) {
    add_group_if_new(partial.groups, "", &partial.memory_bytes);
    for (Aggregator& a : partial.aggregators) a.resize(1);
  }
  return partial;
}

Status scan_block_range(const RangeScanPlan& scan, size_t begin, size_t end, PartialResult& out) {
  return RangeScanner(scan, out).run(begin, end);
}

Error time_limit_error(const QueryContext& context) {
  return make_error(
      ErrorCode::kLimitExceeded,
      "query time limit of " + std::to_string(context.timeout.count()) + " ms exceeded");
}

}  // namespace tessera::query::detail
