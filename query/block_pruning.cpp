#include "query/block_pruning.h"

#include <algorithm>

namespace tessera::query::detail {
namespace {

using Kind = BoundExpr::Kind;

bool constant_ns(const BoundExpr& e, int64_t* out) {
  if (e.kind != Kind::kConstant) return false;
  if (const Timestamp* t = std::get_if<Timestamp>(&e.constant)) {
    *out = t->ns;
    return true;
  }
  if (const int64_t* i = std::get_if<int64_t>(&e.constant)) {
    *out = *i;
    return true;
  }
  return false;
}

BinaryOp mirror(BinaryOp op) {
  switch (op) {
    case BinaryOp::kLess:
      return BinaryOp::kGreater;
    case BinaryOp::kLessEqual:
      return BinaryOp::kGreaterEqual;
    case BinaryOp::kGreater:
      return BinaryOp::kLess;
    case BinaryOp::kGreaterEqual:
      return BinaryOp::kLessEqual;
    default:
      return op;
  }
}

// Adds what conjunct `c` requires of every kept row to `rule`; false when it
// cannot be expressed there (the rule then says less than the WHERE clause).
bool add_conjunct(const BoundExpr& c, PruneRule& rule) {
  if (c.kind != Kind::kBinary || c.children.size() != 2) return false;
  const BoundExpr* col = &c.children[0];
  const BoundExpr* lit = &c.children[1];
  BinaryOp op = c.binary_op;
  if (col->kind != Kind::kColumn) {
    std::swap(col, lit);
    op = mirror(op);
  }
  if (col->kind != Kind::kColumn || lit->kind != Kind::kConstant) return false;
  if (col->type == ValueType::kTime) {
    int64_t v = 0;
    if (!constant_ns(*lit, &v)) return false;
    constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    auto keep_none = [&] {
      rule.max_time_ns = kMin;
      rule.min_time_ns = kMax;
    };
    switch (op) {
      case BinaryOp::kEqual:
        rule.min_time_ns = std::max(rule.min_time_ns, v);
        rule.max_time_ns = std::min(rule.max_time_ns, v);
        return true;
      case BinaryOp::kGreaterEqual:
        rule.min_time_ns = std::max(rule.min_time_ns, v);
        return true;
      case BinaryOp::kGreater:
        if (v == kMax) {
          keep_none();
        } else {
          rule.min_time_ns = std::max(rule.min_time_ns, v + 1);
        }
        return true;
      case BinaryOp::kLessEqual:
        rule.max_time_ns = std::min(rule.max_time_ns, v);
        return true;
      case BinaryOp::kLess:
        if (v == kMin) {
          keep_none();
        } else {
          rule.max_time_ns = std::min(rule.max_time_ns, v - 1);
        }
        return true;
      default:
        return false;
    }
  }
  if (col->type == ValueType::kString && op == BinaryOp::kEqual) {
    if (const std::string* s = std::get_if<std::string>(&lit->constant)) {
      rule.equalities.emplace_back(col->name, *s);
      return true;
    }
  }
  return false;
}

// The position of equality k's column in `stats` (-1: absent), through the rule's hints.
int find_equality_column(const PruneRule& rule, size_t k, const storage::BlockStats& stats) {
  if (rule.column_hints.size() != rule.equalities.size()) {
    rule.column_hints.assign(rule.equalities.size(), -1);
  }
  const int i = stats.find(rule.equalities[k].first, rule.column_hints[k]);
  if (i >= 0) rule.column_hints[k] = i;
  return i;
}

}  // namespace

PruneRule derive_prune_rule(const BoundSelect& plan, const std::optional<std::string>& tenant,
                            std::vector<std::string>* described) {
  PruneRule rule;
  if (tenant) {
    rule.equalities.emplace_back(*plan.schema.options.tenant_column, *tenant);
    described->push_back("tenant scope: " + *plan.schema.options.tenant_column + " = '" + *tenant +
                         "'");
  }
  for (const BoundExpr& c : plan.where_conjuncts) {
    if (!add_conjunct(c, rule)) {
      rule.is_exact = false;
    } else {
      described->push_back(c.text);
    }
  }
  return rule;
}

engine::TimeRange queried_time_range(const BoundSelect& plan) {
  PruneRule rule;
  for (const BoundExpr& c : plan.where_conjuncts) add_conjunct(c, rule);
  return {rule.min_time_ns, rule.max_time_ns};
}

bool can_skip(const PruneRule& rule, const storage::BlockStats& stats) {
  if (stats.row_count == 0) return true;
  if (stats.max_time_ns < rule.min_time_ns || stats.min_time_ns > rule.max_time_ns) return true;
  for (size_t k = 0; k < rule.equalities.size(); ++k) {
    const std::string& value = rule.equalities[k].second;
    const int i = find_equality_column(rule, k, stats);
    if (i < 0) return true;  // the column is NULL in every row: `=` is never true
    const storage::ColumnStats& cs = stats.columns[static_cast<size_t>(i)];
    if (stats.column_types[static_cast<size_t>(i)] != storage::ColumnType::kString) continue;
    if (!cs.has_min_max) return true;
    if (value < cs.min_string || value > cs.max_string) return true;
  }
  return false;
}

std::pair<size_t, size_t> run_blocks_holding(const engine::TableSnapshot& snapshot,
                                             const engine::TableSnapshot::SortedRun& run,
                                             const std::string& column, const std::string& value) {
  int hint = -1;
  bool is_string = true;
  // The column's statistics in block b; null when the block holds only NULL there.
  auto column_of = [&](size_t b) -> const storage::ColumnStats* {
    const storage::BlockStats& stats = snapshot.blocks[b].source->stats();
    const int i = stats.find(column, hint);
    if (i < 0) return nullptr;
    hint = i;
    is_string &= stats.column_types[static_cast<size_t>(i)] == storage::ColumnType::kString;
    const storage::ColumnStats& cs = stats.columns[static_cast<size_t>(i)];
    return cs.has_min_max ? &cs : nullptr;
  };
  // Blocks wholly below `value` (NULL sorts first) form a prefix of the run.
  size_t first = run.begin;
  size_t count = run.end - run.begin;
  while (count > 0) {
    const size_t half = count / 2;
    const storage::ColumnStats* cs = column_of(first + half);
    if (cs == nullptr || cs->max_string < value) {
      first += half + 1;
      count -= half + 1;
    } else {
      count = half;
    }
  }
  size_t last = first;
  for (; last < run.end; ++last) {
    const storage::ColumnStats* cs = column_of(last);
    if (cs != nullptr && cs->min_string > value) break;
  }
  if (!is_string) return {run.begin, run.end};  // no string order to search by
  return {first, last};
}

bool every_row_satisfies(const PruneRule& rule, const storage::BlockStats& stats) {
  if (stats.row_count == 0) return false;
  if (stats.min_time_ns < rule.min_time_ns || stats.max_time_ns > rule.max_time_ns) return false;
  for (size_t k = 0; k < rule.equalities.size(); ++k) {
    const std::string& value = rule.equalities[k].second;
    const int i = find_equality_column(rule, k, stats);
    if (i < 0) return false;
    const storage::ColumnStats& cs = stats.columns[static_cast<size_t>(i)];
    if (stats.column_types[static_cast<size_t>(i)] != storage::ColumnType::kString ||
        cs.null_count != 0 || !cs.has_min_max || cs.min_string != value || cs.max_string != value) {
      return false;
    }
  }
  return true;
}

std::optional<PruneRule> conjunct_rule(const BoundExpr& conjunct) {
  PruneRule rule;
  if (!add_conjunct(conjunct, rule)) return std::nullopt;
  return rule;
}

}  // namespace tessera::query::detail
