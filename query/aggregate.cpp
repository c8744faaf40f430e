#include "query/aggregate.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>
#include <span>

#include "query/forward_search.h"
#include "query/percentile.h"
#include "query/sorted_run_percentile.h"
#include "query/vector_kernels.h"
#include "storage/block/float_order.h"

namespace tessera::query {
namespace {

// Rough per-entry cost of a hash-set node, for the memory limit.
constexpr size_t kSetEntryBytes = 32;

using storage::float_order_less;

// sla_pct's target when it is a numeric constant, compared as compare_with_number
// compares it: as a double when either side is a float, else as an integer.
struct SlaTarget {
  bool as_double = false;
  double float_value = 0;
  int64_t int_value = 0;
};

std::optional<SlaTarget> constant_sla_target(const AggregateSpec& spec) {
  if (spec.fn != AggregateFn::kSlaPct || !spec.arg || !spec.sla_condition) return std::nullopt;
  const BoundExpr& target = spec.sla_condition->children[1];
  if (target.kind != BoundExpr::Kind::kConstant) return std::nullopt;
  const int64_t* as_int = std::get_if<int64_t>(&target.constant);
  const double* as_double = std::get_if<double>(&target.constant);
  if (as_int == nullptr && as_double == nullptr) return std::nullopt;
  SlaTarget t;
  t.as_double =
      spec.arg->type == ValueType::kFloat || target.type == ValueType::kFloat || as_double;
  t.float_value = as_double != nullptr ? *as_double : static_cast<double>(*as_int);
  t.int_value = as_int != nullptr ? *as_int : 0;
  return t;
}

// Adds v to sum modulo 2^64 and returns the carry out of int64: +1 or -1 when the
// true sum passed INT64_MAX or INT64_MIN, else 0. Wrapping sums with their carries
// add up exactly in any order, so partial sums merge without spurious overflows.
inline int64_t add_with_carry(int64_t& sum, int64_t v) {
  const bool wrapped = __builtin_add_overflow(sum, v, &sum);
  return wrapped ? (v > 0 ? 1 : -1) : 0;
}

// The values of `pieces` (vectors or spans of values) together.
template <typename Pieces>
size_t value_count(const Pieces& pieces) {
  size_t count = 0;
  for (const auto& piece : pieces) count += piece.size();
  return count;
}

// Rows of one group, [begin, end).
struct GroupSpan {
  uint32_t group = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
};

// The rows of the group runs of `in` (AggregateInput::run_starts) that the ranges
// `kept` (AggregateInput::filter_ranges) keep, as spans of one group each, in row
// order.
std::vector<GroupSpan> kept_spans(const AggregateInput& in, const std::vector<uint32_t>& kept) {
  const std::vector<uint32_t>& run_starts = *in.run_starts;
  std::vector<GroupSpan> spans;
  size_t r = 0;  // the run holding row `begin`; run_starts ends with the row count
  for (size_t k = 0; k + 1 < kept.size(); k += 2) {
    for (uint32_t begin = kept[k]; begin < kept[k + 1];) {
      while (run_starts[r + 1] <= begin) ++r;
      const uint32_t end = std::min(kept[k + 1], run_starts[r + 1]);
      spans.push_back({in.run_group(r), begin, end});
      begin = end;
    }
  }
  return spans;
}

// Calls body(group, begin, end) for each span of rows of one group: `kept` (FILTER's
// kept spans) when given, else the runs when the block has long ones, so that a
// run's counters add up in registers and reach the group's slot once (not a load
// and store of the same slot per row), else row by row.
template <typename Body>
void for_each_span(const AggregateInput& in, const std::vector<GroupSpan>* kept, Body&& body) {
  if (kept != nullptr) {
    for (const GroupSpan& span : *kept) body(span.group, span.begin, span.end);
  } else if (in.run_starts != nullptr) {
    const std::vector<uint32_t>& runs = *in.run_starts;
    for (size_t r = 0; r + 1 < runs.size(); ++r) body(in.run_group(r), runs[r], runs[r + 1]);
  } else {
    const std::vector<uint32_t>& gid = *in.group_ids;
    for (size_t i = 0; i < gid.size(); ++i) body(gid[i], i, i + 1);
  }
}

}  // namespace

void Aggregator::add_wrapped(size_t g, detail::WrappedSum part) {
  carries_[g] += add_with_carry(ints_[g], part.sum) + part.carry;
}

void Aggregator::resize(size_t n) {
  switch (spec_.fn) {
    case AggregateFn::kCountStar:
    case AggregateFn::kCount:
      counts_.resize(n, 0);
      break;
    case AggregateFn::kSlaPct:
      counts_.resize(n, 0);
      counts_ok_.resize(n, 0);
      break;
    case AggregateFn::kCountDistinct:
      if (spec_.arg_type == ValueType::kString) {
        distinct_strings_.resize(n);
      } else {
        distinct_ints_.resize(n);
      }
      break;
    case AggregateFn::kSum:
    case AggregateFn::kAvg:
      counts_.resize(n, 0);
      ints_.resize(n, 0);
      carries_.resize(n, 0);
      floats_.resize(n, 0.0);
      wide_.resize(n, 0.0L);
      has_.resize(n, 0);
      break;
    case AggregateFn::kMin:
    case AggregateFn::kMax:
    case AggregateFn::kFirst:
    case AggregateFn::kLast:
      ints_.resize(n, 0);
      floats_.resize(n, 0.0);
      strings_.resize(n);
      best_time_.resize(n, 0);
      has_.resize(n, 0);
      break;
    case AggregateFn::kPercentile:
      gathered_.resize(n);
      break;
    case AggregateFn::kApproxPercentile:
      sketches_.resize(n);
      break;
  }
}

bool reads_groups_by_runs(const AggregateSpec& spec) {
  switch (spec.fn) {
    case AggregateFn::kCountStar:
    case AggregateFn::kCount:
    case AggregateFn::kSlaPct:
    case AggregateFn::kPercentile:
      return true;
    case AggregateFn::kSum:
    case AggregateFn::kAvg:
      return spec.arg_type == ValueType::kFloat;
    default:
      return false;
  }
}

bool reads_sorted_runs(const AggregateSpec& spec) {
  if (!spec.arg || spec.arg->kind != BoundExpr::Kind::kColumn ||
      spec.arg->type != ValueType::kFloat) {
    return false;
  }
  return spec.fn == AggregateFn::kPercentile ||
         (spec.fn == AggregateFn::kSlaPct && constant_sla_target(spec).has_value());
}

bool sums_sorted_runs(const AggregateSpec& spec) {
  const bool counts_or_sums = spec.fn == AggregateFn::kCount || spec.fn == AggregateFn::kSum ||
                              spec.fn == AggregateFn::kAvg;
  return counts_or_sums && spec.arg && spec.arg->kind == BoundExpr::Kind::kColumn &&
         spec.arg->type == ValueType::kFloat;
}

bool reads_in_place(const AggregateSpec& spec, const storage::Column& column) {
  if (!spec.arg) return false;
  if (!column.valid.empty() && column.valid.size() != column.size()) return false;
  const bool is_float =
      spec.arg->type == ValueType::kFloat && column.type == storage::ColumnType::kFloat64;
  const bool is_int =
      spec.arg->type == ValueType::kInt && column.type == storage::ColumnType::kInt64;
  switch (spec.fn) {
    case AggregateFn::kCount:
    case AggregateFn::kSum:
    case AggregateFn::kAvg:
    case AggregateFn::kPercentile:
      return is_float || is_int;
    case AggregateFn::kSlaPct:
      return (is_float || is_int) && !spec.filter && constant_sla_target(spec).has_value();
    default:
      return false;
  }
}

bool Aggregator::update_single_group(const AggregateInput& in, const ArgValues& arg) {
  const size_t n = in.rows();
  const uint32_t g = in.run_starts != nullptr ? in.run_group(0) : (*in.group_ids)[0];
  switch (spec_.fn) {
    case AggregateFn::kCountStar:
      counts_[g] += static_cast<int64_t>(n);
      return true;
    case AggregateFn::kCount:
      if (arg.type == ValueType::kNull) return true;
      counts_[g] += static_cast<int64_t>(
          arg.all_valid ? n : detail::count_nonzero(std::span<const uint8_t>(arg.valid, n)));
      return true;
    case AggregateFn::kSum:
    case AggregateFn::kAvg:
      // Only when every row has a value (NULL slots need not hold 0).
      if (!arg.all_valid) return false;
      if (arg.type == ValueType::kFloat) {
        floats_[g] += detail::sum_doubles(std::span<const double>(arg.floats, n));
      } else if (arg.type == ValueType::kInt && spec_.fn == AggregateFn::kSum) {
        add_wrapped(g, detail::sum_int64(std::span<const int64_t>(arg.ints, n)));
      } else {
        return false;
      }
      counts_[g] += static_cast<int64_t>(n);
      return true;
    default:
      return false;
  }
}

std::vector<uint32_t> find_group_runs(const std::vector<uint32_t>& group_ids,
                                      size_t min_average_run) {
  const size_t n = group_ids.size();
  std::vector<uint32_t> starts;
  // One run is always kept, however short the block: it is the single-group case.
  const size_t max_runs = std::max<size_t>(1, n / std::max<size_t>(min_average_run, 1));
  for (size_t i = 0; i < n; ++i) {
    if (i == 0 || group_ids[i] != group_ids[i - 1]) {
      if (starts.size() >= max_runs) return {};
      starts.push_back(static_cast<uint32_t>(i));
    }
  }
  starts.push_back(static_cast<uint32_t>(n));
  return starts;
}

std::optional<Status> Aggregator::update_dense(const AggregateInput& in, const ArgValues& arg) {
  const size_t n = in.rows();
  const std::vector<uint32_t>* runs = in.run_starts;
  // Per-row group ids: only read when the rows do not come in runs.
  const uint32_t* gid = runs == nullptr ? in.group_ids->data() : nullptr;
  // Adds each row's (or run's) count to its group.
  auto add_counts = [&] {
    if (runs != nullptr) {
      for (size_t r = 0; r + 1 < runs->size(); ++r) {
        counts_[in.run_group(r)] += (*runs)[r + 1] - (*runs)[r];
      }
    } else {
      for (size_t i = 0; i < n; ++i) counts_[gid[i]] += 1;
    }
  };
  switch (spec_.fn) {
    case AggregateFn::kCountStar:
      add_counts();
      return Status::ok();
    case AggregateFn::kCount:
    case AggregateFn::kSum:
    case AggregateFn::kAvg:
      break;
    default:
      return std::nullopt;
  }
  if (arg.type == ValueType::kNull || !arg.all_valid) return std::nullopt;
  if (spec_.fn == AggregateFn::kCount) {
    add_counts();
    return Status::ok();
  }
  if (arg.type == ValueType::kFloat) {
    const double* v = arg.floats;
    if (runs != nullptr) {
      for (size_t r = 0; r + 1 < runs->size(); ++r) {
        const uint32_t b = (*runs)[r];
        floats_[in.run_group(r)] +=
            detail::sum_doubles(std::span<const double>(v + b, (*runs)[r + 1] - b));
      }
    } else {
      for (size_t i = 0; i < n; ++i) floats_[gid[i]] += v[i];
    }
  } else if (arg.type == ValueType::kInt && spec_.fn == AggregateFn::kSum) {
    const int64_t* v = arg.ints;
    if (runs != nullptr) {
      for (size_t r = 0; r + 1 < runs->size(); ++r) {
        const uint32_t b = (*runs)[r];
        add_wrapped(in.run_group(r),
                    detail::sum_int64(std::span<const int64_t>(v + b, (*runs)[r + 1] - b)));
      }
    } else {
      for (size_t i = 0; i < n; ++i) carries_[gid[i]] += add_with_carry(ints_[gid[i]], v[i]);
    }
  } else {
    return std::nullopt;
  }
  add_counts();
  return Status::ok();
}

Status Aggregator::update_sla_in_place(const AggregateInput& in) {
  const storage::Column& column = *in.in_place;
  const std::optional<SlaTarget> target = constant_sla_target(spec_);
  if (!target) return make_error(ErrorCode::kInternal, spec_.text + " has no constant target");
  const uint8_t* valid = column.valid.empty() ? nullptr : column.valid.data();
  const bool is_float = column.type == storage::ColumnType::kFloat64;
  auto count = [&](size_t b, size_t e) {
    const uint8_t* v = valid != nullptr ? valid + b : nullptr;
    if (is_float)
      return detail::count_at_most(column.floats.data() + b, v, e - b, target->float_value);
    if (target->as_double) {
      return detail::count_at_most(column.ints.data() + b, v, e - b, target->float_value);
    }
    return detail::count_at_most(column.ints.data() + b, v, e - b, target->int_value);
  };
  auto add = [&](uint32_t g, size_t b, size_t e) {
    const detail::AtMostCounts c = count(b, e);
    counts_[g] += c.with_value;
    counts_ok_[g] += c.at_most;
  };
  for_each_span(in, nullptr, add);
  return Status::ok();
}

Status Aggregator::update_from_sorted_runs(const AggregateInput& in, size_t* memory_bytes) {
  const storage::SortedRunValues& sorted = *in.sorted_runs;
  const bool is_sla = spec_.fn == AggregateFn::kSlaPct;
  const bool is_sum = sums_sorted_runs(spec_);
  const std::optional<SlaTarget> target = is_sla ? constant_sla_target(spec_) : std::nullopt;
  if ((!is_sla && !is_sum && spec_.fn != AggregateFn::kPercentile) || (is_sla && !target) ||
      (is_sum && sorted.run_sums.size() != sorted.run_count()) || in.run_starts == nullptr ||
      in.filter != nullptr) {
    return make_error(ErrorCode::kInternal, spec_.text + " cannot read sorted run values");
  }
  std::vector<GroupSpan> kept;
  if (in.filter_ranges != nullptr) kept = kept_spans(in, *in.filter_ranges);
  // The sorted run that begins at a block row; spans come in row order.
  ForwardSearch run_at(sorted.run_starts);
  bool is_held = false;
  Status status = Status::ok();
  auto read_runs = [&](uint32_t g, size_t begin, size_t end) {
    if (!status.is_ok()) return;  // nothing more is read after the first bad span
    const std::optional<size_t> first_run =
        run_at.find(in.first_row + static_cast<uint32_t>(begin));
    const std::optional<size_t> end_run = run_at.find(in.first_row + static_cast<uint32_t>(end));
    if (!first_run || !end_run) {
      status = make_error(ErrorCode::kInternal, spec_.text + ": a span is not whole sorted runs");
      return;
    }
    for (size_t r = *first_run; r < *end_run; ++r) {
      const std::span<const double> values = sorted.run_values(r);
      if (is_sla) {
        counts_[g] += static_cast<int64_t>(values.size());
        counts_ok_[g] += static_cast<int64_t>(sorted.count_at_most(r, target->float_value));
      } else if (is_sum) {
        counts_[g] += static_cast<int64_t>(values.size());
        if (spec_.fn != AggregateFn::kCount) floats_[g] += sorted.run_sums[r];
      } else if (!values.empty()) {
        if (sorted_parts_.size() <= g) sorted_parts_.resize(gathered_.size());
        sorted_parts_[g].push_back(values);
        // Charged as if gathered: the query keeps them alive past the cache's budget.
        *memory_bytes += sizeof(values) + values.size_bytes();
        is_held = true;
      }
    }
  };
  for_each_span(in, in.filter_ranges != nullptr ? &kept : nullptr, read_runs);
  TESSERA_RETURN_IF_ERROR(status);
  if (is_held && (sorted_owners_.empty() || sorted_owners_.back() != in.sorted_runs)) {
    sorted_owners_.push_back(in.sorted_runs);
  }
  return Status::ok();
}

Status Aggregator::update(const AggregateInput& in, size_t* memory_bytes) {
  if (in.group_ids == nullptr &&
      (in.run_starts == nullptr || in.run_groups == nullptr || !reads_groups_by_runs(spec_))) {
    return make_error(ErrorCode::kInternal, spec_.text + " was given no group per row");
  }
  if (in.sorted_runs != nullptr) return update_from_sorted_runs(in, memory_bytes);
  // Per-row group ids (empty when the block's groups are given by runs alone, which
  // only the run and span paths below then read).
  static const std::vector<uint32_t> kNoRows;
  const std::vector<uint32_t>& gid = in.group_ids != nullptr ? *in.group_ids : kNoRows;
  const size_t n = in.rows();
  if (in.in_place != nullptr && spec_.fn == AggregateFn::kSlaPct) return update_sla_in_place(in);
  ArgValues values;
  if (in.in_place != nullptr) {
    values.type = spec_.arg->type;
    values.floats = in.in_place->floats.data();
    values.ints = in.in_place->ints.data();
    values.valid = in.in_place->valid.empty() ? nullptr : in.in_place->valid.data();
    values.all_valid = values.valid == nullptr;
  } else if (in.arg != nullptr) {
    values.type = in.arg->type;
    values.floats = in.arg->floats.data();
    values.ints = in.arg->ints.data();
    values.valid = in.arg->valid.data();
    // Only count, sum, avg and percentiles have whole-vector paths that need to know.
    const bool asks = spec_.fn == AggregateFn::kCount || spec_.fn == AggregateFn::kSum ||
                      spec_.fn == AggregateFn::kAvg || spec_.fn == AggregateFn::kPercentile;
    values.all_valid =
        asks && in.arg->type != ValueType::kNull && detail::all_nonzero(in.arg->valid);
    if (values.all_valid) values.valid = nullptr;
  }
  const bool filtered = in.filter != nullptr || in.filter_ranges != nullptr;
  if (in.single_group && !filtered && n > 0 && update_single_group(in, values)) {
    return Status::ok();
  }
  if (!filtered && n > 0) {
    if (std::optional<Status> done = update_dense(in, values)) return *done;
  }
  const uint8_t* filter = in.filter != nullptr ? in.filter->data() : nullptr;
  // FILTER in long runs, over runs of one group: the spans it keeps are read whole,
  // as if there were no FILTER.
  std::vector<GroupSpan> spans;
  const bool by_kept_spans =
      in.filter_ranges != nullptr && in.run_starts != nullptr && reads_groups_by_runs(spec_);
  if (by_kept_spans) {
    spans = kept_spans(in, *in.filter_ranges);
    filter = nullptr;
  } else if (in.filter_ranges != nullptr && in.filter == nullptr) {
    return make_error(ErrorCode::kInternal, spec_.text + " was given FILTER as ranges alone");
  }
  auto counts = [&](size_t i) { return filter == nullptr || filter[i] != 0; };
  // Numeric cases read `values` (a Vec or a column read in place); the others, which
  // reads_in_place does not admit, read `arg`.
  const Vec* arg = in.arg;
  // A NULL-typed argument has no value in any row: only count(*) counts.
  if (arg != nullptr && arg->type == ValueType::kNull) return Status::ok();
  const uint8_t* valid = values.valid;
  auto has_value = [&](size_t i) { return (valid == nullptr || valid[i] != 0) && counts(i); };
  const std::vector<GroupSpan>* kept = by_kept_spans ? &spans : nullptr;

  switch (spec_.fn) {
    case AggregateFn::kCountStar:
      for_each_span(in, kept, [&](uint32_t g, size_t b, size_t e) {
        if (filter == nullptr) {
          counts_[g] += static_cast<int64_t>(e - b);
          return;
        }
        int64_t c = 0;
        for (size_t i = b; i < e; ++i) c += counts(i);
        counts_[g] += c;
      });
      return Status::ok();
    case AggregateFn::kCount:
      for_each_span(in, kept, [&](uint32_t g, size_t b, size_t e) {
        if (filter == nullptr && valid == nullptr) {
          counts_[g] += static_cast<int64_t>(e - b);
          return;
        }
        int64_t c = 0;
        for (size_t i = b; i < e; ++i) c += has_value(i);
        counts_[g] += c;
      });
      return Status::ok();
    case AggregateFn::kSlaPct: {
      const uint8_t* cond_valid = in.sla_condition->valid.data();
      const int64_t* cond = in.sla_condition->ints.data();
      for_each_span(in, kept, [&](uint32_t g, size_t b, size_t e) {
        int64_t total = 0, ok = 0;
        for (size_t i = b; i < e; ++i) {
          const bool counted = has_value(i);
          total += counted;
          ok += counted & (cond_valid[i] != 0) & (cond[i] != 0);
        }
        counts_[g] += total;
        counts_ok_[g] += ok;
      });
      return Status::ok();
    }
    case AggregateFn::kCountDistinct:
      for (size_t i = 0; i < n; ++i) {
        if (!has_value(i)) continue;
        bool inserted = false;
        if (arg->type == ValueType::kString) {
          auto& set = distinct_strings_[gid[i]];
          inserted = set.emplace(arg->strings[i]).second;
          if (inserted) *memory_bytes += kSetEntryBytes + arg->strings[i].size();
        } else {
          int64_t key = 0;
          if (arg->type == ValueType::kFloat) {
            double v = arg->floats[i];
            if (v == 0.0) v = 0.0;                // -0.0 equals 0.0
            if (std::isnan(v)) v = std::nan("");  // every NaN is one value
            key = std::bit_cast<int64_t>(v);
          } else {
            key = arg->ints[i];
          }
          inserted = distinct_ints_[gid[i]].insert(key).second;
          if (inserted) *memory_bytes += kSetEntryBytes;
        }
      }
      return Status::ok();
    case AggregateFn::kSum:
    case AggregateFn::kAvg:
      if (values.type == ValueType::kFloat) {
        for_each_span(in, kept, [&](uint32_t g, size_t b, size_t e) {
          const detail::SumCount part =
              detail::sum_doubles_where(values.floats + b, valid == nullptr ? nullptr : valid + b,
                                        filter == nullptr ? nullptr : filter + b, e - b);
          floats_[g] += part.sum;
          counts_[g] += part.count;
        });
        return Status::ok();
      }
      if (spec_.fn == AggregateFn::kAvg) {
        // Exact up to 2^64 values: avg of integers never overflows.
        for (size_t i = 0; i < n; ++i) {
          if (!has_value(i)) continue;
          counts_[gid[i]] += 1;
          wide_[gid[i]] += static_cast<long double>(values.ints[i]);
        }
        return Status::ok();
      }
      for (size_t i = 0; i < n; ++i) {
        if (!has_value(i)) continue;
        const uint32_t g = gid[i];
        counts_[g] += 1;
        carries_[g] += add_with_carry(ints_[g], values.ints[i]);
      }
      return Status::ok();
    case AggregateFn::kMin:
    case AggregateFn::kMax: {
      const bool is_min = spec_.fn == AggregateFn::kMin;
      for (size_t i = 0; i < n; ++i) {
        if (!has_value(i)) continue;
        const uint32_t g = gid[i];
        bool better = !has_[g];
        switch (arg->type) {
          case ValueType::kFloat:
            better = better || (is_min ? float_order_less(arg->floats[i], floats_[g])
                                       : float_order_less(floats_[g], arg->floats[i]));
            if (better) floats_[g] = arg->floats[i];
            break;
          case ValueType::kString:
            better =
                better || (is_min ? arg->strings[i] < strings_[g] : arg->strings[i] > strings_[g]);
            if (better) strings_[g].assign(arg->strings[i]);
            break;
          default:
            better = better || (is_min ? arg->ints[i] < ints_[g] : arg->ints[i] > ints_[g]);
            if (better) ints_[g] = arg->ints[i];
            break;
        }
        has_[g] = 1;
      }
      return Status::ok();
    }
    case AggregateFn::kFirst:
    case AggregateFn::kLast: {
      const bool is_first = spec_.fn == AggregateFn::kFirst;
      const std::vector<int64_t>& t = *in.time_ns;
      for (size_t i = 0; i < n; ++i) {
        if (!has_value(i)) continue;
        const uint32_t g = gid[i];
        // Rows arrive in write order, so on equal times the later write wins.
        const bool better = !has_[g] || (is_first ? t[i] <= best_time_[g] : t[i] >= best_time_[g]);
        if (!better) continue;
        has_[g] = 1;
        best_time_[g] = t[i];
        switch (arg->type) {
          case ValueType::kFloat:
            floats_[g] = arg->floats[i];
            break;
          case ValueType::kString:
            strings_[g].assign(arg->strings[i]);
            break;
          default:
            ints_[g] = arg->ints[i];
            break;
        }
      }
      return Status::ok();
    }
    case AggregateFn::kPercentile:
      for_each_span(in, kept, [&](uint32_t g, size_t b, size_t e) {
        // Branch-free compaction: every row's value is written, and the end moves
        // past it only when the row counts.
        detail::UninitializedVector<double>& out = gathered_[g];
        const size_t before = out.size();
        out.resize(before + (e - b));
        double* dst = out.data() + before;
        size_t kept = 0;
        if (values.type == ValueType::kFloat && valid == nullptr && filter == nullptr) {
          std::copy(values.floats + b, values.floats + e, dst);
          kept = e - b;
        } else if (values.type == ValueType::kFloat) {
          for (size_t i = b; i < e; ++i) {
            dst[kept] = values.floats[i];
            kept += has_value(i);
          }
        } else {
          for (size_t i = b; i < e; ++i) {
            dst[kept] = static_cast<double>(values.ints[i]);
            kept += has_value(i);
          }
        }
        out.resize(before + kept);
        *memory_bytes += kept * sizeof(double);
      });
      return Status::ok();
    case AggregateFn::kApproxPercentile:
      for (size_t i = 0; i < n; ++i) {
        if (!has_value(i)) continue;
        sketches_[gid[i]].add(arg->type == ValueType::kFloat ? arg->floats[i]
                                                             : static_cast<double>(arg->ints[i]));
      }
      return Status::ok();
  }
  return Status::ok();
}

Status Aggregator::fold_stats(size_t g, uint64_t row_count, const storage::ColumnStats* column) {
  const int64_t rows = static_cast<int64_t>(row_count);
  if (spec_.fn == AggregateFn::kCountStar) {
    counts_[g] += rows;
    return Status::ok();
  }
  if (column == nullptr) return Status::ok();  // every row NULL
  const int64_t values = rows - static_cast<int64_t>(column->null_count);
  switch (spec_.fn) {
    case AggregateFn::kCount:
      counts_[g] += values;
      return Status::ok();
    case AggregateFn::kSum:
    case AggregateFn::kAvg:
      if (values == 0) return Status::ok();
      counts_[g] += values;
      if (spec_.arg_type == ValueType::kFloat) {
        floats_[g] += column->sum_float;
        return Status::ok();
      }
      wide_[g] += static_cast<long double>(column->sum_int);
      carries_[g] += add_with_carry(ints_[g], column->sum_int);
      return Status::ok();
    case AggregateFn::kMin:
    case AggregateFn::kMax: {
      if (!column->has_min_max) return Status::ok();
      const bool is_min = spec_.fn == AggregateFn::kMin;
      const bool first = !has_[g];
      has_[g] = 1;
      switch (spec_.arg_type) {
        case ValueType::kFloat: {
          const double v = is_min ? column->min_float : column->max_float;
          if (first || (is_min ? float_order_less(v, floats_[g]) : float_order_less(floats_[g], v)))
            floats_[g] = v;
          break;
        }
        case ValueType::kString: {
          const std::string& v = is_min ? column->min_string : column->max_string;
          if (first || (is_min ? v < strings_[g] : v > strings_[g])) strings_[g] = v;
          break;
        }
        default: {
          const int64_t v = is_min ? column->min_int : column->max_int;
          if (first || (is_min ? v < ints_[g] : v > ints_[g])) ints_[g] = v;
          break;
        }
      }
      return Status::ok();
    }
    case AggregateFn::kApproxPercentile: {
      // The footer's bytes are checked here, where they are first used.
      Result<storage::QuantileSketch> sketch =
          storage::QuantileSketch::deserialize(column->quantile_sketch);
      if (!sketch) {
        return make_error(ErrorCode::kCorruption,
                          "block statistics for " + spec_.text + ": " + sketch.error().message);
      }
      sketches_[g].merge(*sketch);
      return Status::ok();
    }
    default:
      return make_error(ErrorCode::kInternal, spec_.text + " cannot be answered from statistics");
  }
}

Status Aggregator::fold_runs(std::span<const uint32_t> run_groups, const storage::TagRunStats& runs,
                             const storage::TagRunStats* stats) {
  const size_t n = runs.run_count();
  const std::vector<uint32_t>& starts = runs.run_starts;
  if (run_groups.size() != n || starts.size() != n + 1 ||
      (stats != nullptr && (stats->runs.size() != n || stats->value_counts.size() != n))) {
    return make_error(ErrorCode::kInternal, "run statistics do not match their runs");
  }
  if (spec_.fn == AggregateFn::kCountStar) {
    for (size_t r = 0; r < n; ++r) {
      if (run_groups[r] != kNoRunGroup) counts_[run_groups[r]] += starts[r + 1] - starts[r];
    }
    return Status::ok();
  }
  const bool sums_floats = (spec_.fn == AggregateFn::kSum || spec_.fn == AggregateFn::kAvg) &&
                           spec_.arg_type == ValueType::kFloat;
  if (stats != nullptr &&
      (spec_.fn == AggregateFn::kCount || (sums_floats && stats->float_sums.size() == n))) {
    // As fold_stats: a run without values adds 0 to the count and nothing to the sum.
    for (size_t r = 0; r < n; ++r) {
      const uint32_t g = run_groups[r];
      if (g == kNoRunGroup) continue;
      counts_[g] += stats->value_counts[r];
      if (sums_floats && stats->value_counts[r] != 0) floats_[g] += stats->float_sums[r];
    }
    return Status::ok();
  }
  for (size_t r = 0; r < n; ++r) {
    if (run_groups[r] == kNoRunGroup) continue;
    TESSERA_RETURN_IF_ERROR(fold_stats(run_groups[r], starts[r + 1] - starts[r],
                                       stats == nullptr ? nullptr : &stats->runs[r]));
  }
  return Status::ok();
}

void Aggregator::merge(Aggregator& later, const std::vector<uint32_t>& group_map,
                       size_t* memory_bytes) {
  for (size_t from = 0; from < group_map.size(); ++from) {
    const uint32_t g = group_map[from];
    switch (spec_.fn) {
      case AggregateFn::kCountStar:
      case AggregateFn::kCount:
        counts_[g] += later.counts_[from];
        break;
      case AggregateFn::kSlaPct:
        counts_[g] += later.counts_[from];
        counts_ok_[g] += later.counts_ok_[from];
        break;
      case AggregateFn::kCountDistinct:
        if (spec_.arg_type == ValueType::kString) {
          for (auto& v : later.distinct_strings_[from]) {
            if (distinct_strings_[g].insert(v).second) *memory_bytes += kSetEntryBytes + v.size();
          }
        } else {
          const size_t before = distinct_ints_[g].size();
          distinct_ints_[g].insert(later.distinct_ints_[from].begin(),
                                   later.distinct_ints_[from].end());
          *memory_bytes += (distinct_ints_[g].size() - before) * kSetEntryBytes;
        }
        break;
      case AggregateFn::kSum:
      case AggregateFn::kAvg:
        counts_[g] += later.counts_[from];
        floats_[g] += later.floats_[from];
        wide_[g] += later.wide_[from];
        has_[g] |= later.has_[from];
        carries_[g] += later.carries_[from] + add_with_carry(ints_[g], later.ints_[from]);
        break;
      case AggregateFn::kMin:
      case AggregateFn::kMax:
      case AggregateFn::kFirst:
      case AggregateFn::kLast: {
        if (!later.has_[from]) break;
        bool better = !has_[g];
        if (!better && (spec_.fn == AggregateFn::kFirst || spec_.fn == AggregateFn::kLast)) {
          // `later` holds later writes: on equal times they win, as in update().
          better = spec_.fn == AggregateFn::kFirst ? later.best_time_[from] <= best_time_[g]
                                                   : later.best_time_[from] >= best_time_[g];
        } else if (!better) {
          const bool is_min = spec_.fn == AggregateFn::kMin;
          switch (spec_.arg_type) {
            case ValueType::kFloat:
              better = is_min ? float_order_less(later.floats_[from], floats_[g])
                              : float_order_less(floats_[g], later.floats_[from]);
              break;
            case ValueType::kString:
              better =
                  is_min ? later.strings_[from] < strings_[g] : later.strings_[from] > strings_[g];
              break;
            default:
              better = is_min ? later.ints_[from] < ints_[g] : later.ints_[from] > ints_[g];
              break;
          }
        }
        if (!better) break;
        has_[g] = 1;
        best_time_[g] = later.best_time_[from];
        ints_[g] = later.ints_[from];
        floats_[g] = later.floats_[from];
        strings_[g] = std::move(later.strings_[from]);
        break;
      }
      case AggregateFn::kPercentile: {
        // Kept as parts, joined when the group is selected (percentiles()): merges
        // run on one thread, selections on several, a group each.
        if (parts_.size() <= g) parts_.resize(gathered_.size());
        std::vector<detail::UninitializedVector<double>>& parts = parts_[g];
        auto take = [&](detail::UninitializedVector<double>& values) {
          *memory_bytes += values.size() * sizeof(double);
          if (!values.empty()) parts.push_back(std::move(values));
        };
        take(later.gathered_[from]);
        if (from < later.parts_.size()) {
          for (detail::UninitializedVector<double>& part : later.parts_[from]) take(part);
          later.parts_[from].clear();
        }
        if (from < later.sorted_parts_.size() && !later.sorted_parts_[from].empty()) {
          if (sorted_parts_.size() <= g) sorted_parts_.resize(gathered_.size());
          std::vector<std::span<const double>>& runs = later.sorted_parts_[from];
          sorted_parts_[g].insert(sorted_parts_[g].end(), runs.begin(), runs.end());
          for (std::span<const double> run : runs) *memory_bytes += sizeof(run) + run.size_bytes();
          runs.clear();
        }
        break;
      }
      case AggregateFn::kApproxPercentile:
        sketches_[g].merge(later.sketches_[from]);
        break;
    }
  }
  // What the sorted runs moved over point into.
  sorted_owners_.insert(sorted_owners_.end(), later.sorted_owners_.begin(),
                        later.sorted_owners_.end());
}

Status Aggregator::check_totals() const {
  if (spec_.fn != AggregateFn::kSum || spec_.arg_type == ValueType::kFloat) return Status::ok();
  for (const int64_t carry : carries_) {
    if (carry != 0) {
      return make_error(ErrorCode::kInvalidInput, "integer overflow in " + spec_.text);
    }
  }
  return Status::ok();
}

size_t Aggregator::gathered_value_count() const {
  size_t count = 0;
  count += value_count(gathered_);
  for (const auto& parts : parts_) count += value_count(parts);
  for (const auto& runs : sorted_parts_) count += value_count(runs);
  return count;
}

Value Aggregator::finalize(size_t g) {
  auto typed = [&](ValueType type) -> Value {
    switch (type) {
      case ValueType::kFloat:
        return Value{floats_[g]};
      case ValueType::kString:
        return Value{strings_[g]};
      case ValueType::kBool:
        return Value{ints_[g] != 0};
      case ValueType::kTime:
        return Value{Timestamp{ints_[g]}};
      default:
        return Value{ints_[g]};
    }
  };
  switch (spec_.fn) {
    case AggregateFn::kCountStar:
    case AggregateFn::kCount:
      return Value{counts_[g]};
    case AggregateFn::kSlaPct:
      if (counts_[g] == 0) return Value{};
      return Value{100.0 * static_cast<double>(counts_ok_[g]) / static_cast<double>(counts_[g])};
    case AggregateFn::kCountDistinct:
      return Value{static_cast<int64_t>(spec_.arg_type == ValueType::kString
                                            ? distinct_strings_[g].size()
                                            : distinct_ints_[g].size())};
    case AggregateFn::kSum:
      if (counts_[g] == 0) return Value{};
      return spec_.arg_type == ValueType::kFloat ? Value{floats_[g]} : Value{ints_[g]};
    case AggregateFn::kAvg:
      if (counts_[g] == 0) return Value{};
      if (spec_.arg_type == ValueType::kFloat) {
        return Value{floats_[g] / static_cast<double>(counts_[g])};
      }
      return Value{static_cast<double>(wide_[g] / static_cast<long double>(counts_[g]))};
    case AggregateFn::kMin:
    case AggregateFn::kMax:
    case AggregateFn::kFirst:
    case AggregateFn::kLast:
      if (!has_[g]) return Value{};
      return typed(spec_.arg_type);
    case AggregateFn::kPercentile: {
      std::optional<double> p;
      percentiles(g, std::span<const double>(&spec_.fraction, 1),
                  std::span<std::optional<double>>(&p, 1));
      return p ? Value{*p} : Value{};
    }
    case AggregateFn::kApproxPercentile: {
      auto p = sketches_[g].quantile(spec_.fraction);
      return p ? Value{*p} : Value{};
    }
  }
  return Value{};
}

void Aggregator::percentiles(size_t g, std::span<const double> fractions,
                             std::span<std::optional<double>> out) {
  detail::UninitializedVector<double>& values = gathered_[g];
  const bool has_parts = g < parts_.size() && !parts_[g].empty();
  const bool has_sorted = g < sorted_parts_.size() && !sorted_parts_[g].empty();
  if (has_sorted && values.empty() && !has_parts &&
      selects_across_runs(sorted_parts_[g].size(), value_count(sorted_parts_[g]))) {
    percentile_cont_of_sorted_runs(sorted_parts_[g], fractions, out);
    return;
  }
  if (has_parts || has_sorted) {
    // Percentiles do not depend on the order of the values: the parts are appended.
    values.reserve(values.size() + (has_parts ? value_count(parts_[g]) : 0) +
                   (has_sorted ? value_count(sorted_parts_[g]) : 0));
    auto append = [&](auto& pieces) {
      for (const auto& piece : pieces) values.insert(values.end(), piece.begin(), piece.end());
      pieces = {};
    };
    if (has_parts) append(parts_[g]);
    if (has_sorted) append(sorted_parts_[g]);
  }
  percentile_cont(std::span<double>(values), fractions, out);
}

void finalize_group(std::vector<Aggregator>& aggregators, size_t g,
                    std::vector<std::vector<Value>>& values) {
  std::vector<size_t> sharing;
  std::vector<double> fractions;
  std::vector<std::optional<double>> selected;
  for (size_t a = 0; a < aggregators.size(); ++a) {
    const AggregateSpec& spec = aggregators[a].spec();
    if (spec.gathers_with >= 0) continue;  // selected with the one it shares with
    sharing = {a};
    for (size_t b = a + 1; b < aggregators.size(); ++b) {
      if (aggregators[b].spec().gathers_with == static_cast<int>(a)) sharing.push_back(b);
    }
    if (sharing.size() == 1) {
      values[a][g] = aggregators[a].finalize(g);
      continue;
    }
    fractions.clear();
    for (size_t s : sharing) fractions.push_back(aggregators[s].spec().fraction);
    selected.assign(sharing.size(), std::nullopt);
    aggregators[a].percentiles(g, fractions, selected);
    for (size_t i = 0; i < sharing.size(); ++i) {
      values[sharing[i]][g] = selected[i] ? Value{*selected[i]} : Value{};
    }
  }
}

}  // namespace tessera::query
