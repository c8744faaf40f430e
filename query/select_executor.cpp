#include "query/select_executor.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "query/aggregate.h"
#include "query/expression_eval.h"

namespace tessera::query {
namespace {

using Kind = BoundExpr::Kind;
constexpr uint32_t kNullTagId = std::numeric_limits<uint32_t>::max();

// ---- Pruning ---------------------------------------------------------------

struct PruneRule {
  int64_t min_time_ns = std::numeric_limits<int64_t>::min();
  int64_t max_time_ns = std::numeric_limits<int64_t>::max();
  std::vector<std::pair<std::string, std::string>> equalities;  // string column = constant
};

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

// Only top-level AND conjuncts prune: each must hold for a row to be kept.
PruneRule derive_prune_rule(const BoundSelect& plan, const std::optional<std::string>& tenant,
                            std::vector<std::string>* described) {
  PruneRule rule;
  if (tenant) {
    rule.equalities.emplace_back(*plan.schema.options.tenant_column, *tenant);
    described->push_back("tenant scope: " + *plan.schema.options.tenant_column + " = '" + *tenant +
                         "'");
  }
  for (const BoundExpr& c : plan.where_conjuncts) {
    if (c.kind != Kind::kBinary || c.children.size() != 2) continue;
    const BoundExpr* col = &c.children[0];
    const BoundExpr* lit = &c.children[1];
    BinaryOp op = c.binary_op;
    if (col->kind != Kind::kColumn) {
      std::swap(col, lit);
      op = mirror(op);
    }
    if (col->kind != Kind::kColumn || lit->kind != Kind::kConstant) continue;
    if (col->type == ValueType::kTime) {
      int64_t v = 0;
      if (!constant_ns(*lit, &v)) continue;
      bool used = true;
      switch (op) {
        case BinaryOp::kEqual:
          rule.min_time_ns = std::max(rule.min_time_ns, v);
          rule.max_time_ns = std::min(rule.max_time_ns, v);
          break;
        case BinaryOp::kGreaterEqual:
          rule.min_time_ns = std::max(rule.min_time_ns, v);
          break;
        case BinaryOp::kGreater:
          if (v == std::numeric_limits<int64_t>::max()) {
            rule.max_time_ns = std::numeric_limits<int64_t>::min();
            rule.min_time_ns = std::numeric_limits<int64_t>::max();
          } else {
            rule.min_time_ns = std::max(rule.min_time_ns, v + 1);
          }
          break;
        case BinaryOp::kLessEqual:
          rule.max_time_ns = std::min(rule.max_time_ns, v);
          break;
        case BinaryOp::kLess:
          if (v == std::numeric_limits<int64_t>::min()) {
            rule.max_time_ns = std::numeric_limits<int64_t>::min();
            rule.min_time_ns = std::numeric_limits<int64_t>::max();
          } else {
            rule.max_time_ns = std::min(rule.max_time_ns, v - 1);
          }
          break;
        default:
          used = false;
          break;
      }
      if (used) described->push_back(c.text);
    } else if (col->type == ValueType::kString && op == BinaryOp::kEqual) {
      if (const std::string* s = std::get_if<std::string>(&lit->constant)) {
        rule.equalities.emplace_back(col->name, *s);
        described->push_back(c.text);
      }
    }
  }
  return rule;
}

bool can_skip(const PruneRule& rule, const storage::BlockStats& stats) {
  if (stats.row_count == 0) return true;
  if (stats.max_time_ns < rule.min_time_ns || stats.min_time_ns > rule.max_time_ns) return true;
  for (const auto& [column, value] : rule.equalities) {
    const int i = stats.find(column);
    if (i < 0) return true;  // the column is NULL in every row: `=` is never true
    const storage::ColumnStats& cs = stats.columns[static_cast<size_t>(i)];
    if (stats.column_types[static_cast<size_t>(i)] != storage::ColumnType::kString) continue;
    if (!cs.has_min_max) return true;
    if (value < cs.min_string || value > cs.max_string) return true;
  }
  return false;
}

// ---- Reading block columns -------------------------------------------------

Result<Vec> gather_column(const storage::Block& block, const BoundExpr& leaf,
                          const std::vector<uint32_t>& sel) {
  const size_t n = sel.size();
  if (leaf.name == "time") {
    Vec v;
    v.type = ValueType::kTime;
    v.size = n;
    v.ints.resize(n);
    v.valid.assign(n, 1);
    for (size_t i = 0; i < n; ++i) v.ints[i] = block.time_ns[sel[i]];
    return v;
  }
  const storage::Column* col = block.find(leaf.name);
  if (col == nullptr) return Vec::nulls(leaf.type, n);
  if (col->size() != block.row_count() ||
      (!col->valid.empty() && col->valid.size() != block.row_count())) {
    return make_error(ErrorCode::kCorruption,
                      "column \"" + leaf.name + "\" has " + std::to_string(col->size()) +
                          " rows in a block of " + std::to_string(block.row_count()));
  }
  Vec v = Vec::nulls(leaf.type, n);
  if (col->valid.empty()) {
    std::fill(v.valid.begin(), v.valid.end(), uint8_t{1});
  } else {
    for (size_t i = 0; i < n; ++i) v.valid[i] = col->valid[sel[i]] != 0;
  }
  using storage::ColumnType;
  switch (col->type) {
    case ColumnType::kInt64:
      if (leaf.type == ValueType::kFloat) {  // an integer written into a float column
        for (size_t i = 0; i < n; ++i) v.floats[i] = static_cast<double>(col->ints[sel[i]]);
        return v;
      }
      if (leaf.type != ValueType::kInt) break;
      for (size_t i = 0; i < n; ++i) v.ints[i] = col->ints[sel[i]];
      return v;
    case ColumnType::kFloat64:
      if (leaf.type != ValueType::kFloat) break;
      for (size_t i = 0; i < n; ++i) v.floats[i] = col->floats[sel[i]];
      return v;
    case ColumnType::kBool:
      if (leaf.type != ValueType::kBool) break;
      for (size_t i = 0; i < n; ++i) v.ints[i] = col->bools[sel[i]] != 0;
      return v;
    case ColumnType::kString: {
      if (leaf.type != ValueType::kString) break;
      const size_t dict = col->dictionary.size();
      for (size_t i = 0; i < n; ++i) {
        if (!v.valid[i]) continue;
        const uint32_t code = col->codes[sel[i]];
        if (code >= dict) {
          return make_error(ErrorCode::kCorruption, "column \"" + leaf.name +
                                                        "\": dictionary code " +
                                                        std::to_string(code) + " out of range");
        }
        v.strings[i] = col->dictionary[code];
      }
      return v;
    }
  }
  return make_error(ErrorCode::kInternal, "column \"" + leaf.name + "\" is stored as " +
                                              std::string(storage::column_type_name(col->type)) +
                                              " but the schema says " +
                                              std::string(value_type_name(leaf.type)));
}

// Keeps the positions of `sel` where `cond` is true (not false, not unknown).
std::vector<uint32_t> keep_true(const std::vector<uint32_t>& sel, const Vec& cond) {
  std::vector<uint32_t> out;
  out.reserve(sel.size());
  if (cond.type == ValueType::kNull) return out;
  for (size_t i = 0; i < sel.size(); ++i) {
    if (cond.valid[i] && cond.ints[i] != 0) out.push_back(sel[i]);
  }
  return out;
}

// True when every column `e` reads is the one string column *name (and it reads one).
bool reads_one_string_column(const BoundExpr& e, const std::string** name) {
  if (e.kind == Kind::kColumn) {
    if (e.type != ValueType::kString || e.name == "time") return false;
    if (*name != nullptr && **name != e.name) return false;
    *name = &e.name;
    return true;
  }
  for (const BoundExpr& c : e.children) {
    if (!reads_one_string_column(c, name)) return false;
  }
  return true;
}

Vec take(const Vec& v, const std::vector<uint32_t>& index) {
  const size_t n = index.size();
  Vec out = Vec::nulls(v.type, n);
  if (v.type == ValueType::kNull) return out;
  for (size_t i = 0; i < n; ++i) out.valid[i] = v.valid[index[i]];
  if (v.type == ValueType::kFloat) {
    for (size_t i = 0; i < n; ++i) out.floats[i] = v.floats[index[i]];
  } else if (v.type == ValueType::kString) {
    for (size_t i = 0; i < n; ++i) out.strings[i] = v.strings[index[i]];
  } else {
    for (size_t i = 0; i < n; ++i) out.ints[i] = v.ints[index[i]];
  }
  return out;
}

// Evaluates a row-level expression over the selected rows. An expression of one
// dictionary-coded column (tenant = 'x', provider IN (...), host IS NULL) is
// evaluated once per dictionary entry (plus once for NULL) and mapped through the
// row codes, instead of once per row.
Result<Vec> evaluate_rows(const BoundExpr& e, const storage::Block& block,
                          const std::vector<uint32_t>& sel, const LeafResolver& leaves) {
  const std::string* name = nullptr;
  if (reads_one_string_column(e, &name) && name != nullptr) {
    const storage::Column* col = block.find(*name);
    if (col != nullptr && col->type == storage::ColumnType::kString &&
        col->dictionary.size() < sel.size() && col->codes.size() == block.row_count() &&
        (col->valid.empty() || col->valid.size() == block.row_count())) {
      const size_t dict = col->dictionary.size();
      Vec entries = Vec::nulls(ValueType::kString, dict + 1);  // the last entry is NULL
      for (size_t c = 0; c < dict; ++c) {
        entries.strings[c] = col->dictionary[c];
        entries.valid[c] = 1;
      }
      LeafResolver per_entry = [&](const BoundExpr&) -> Result<Vec> { return entries; };
      TESSERA_ASSIGN_OR_RETURN(Vec per_code, evaluate(e, per_entry, dict + 1));
      std::vector<uint32_t> index(sel.size());
      for (size_t i = 0; i < sel.size(); ++i) {
        const uint32_t r = sel[i];
        const uint32_t code = col->codes[r];
        if (col->is_valid(r) && code >= dict) {
          return make_error(ErrorCode::kCorruption, "column \"" + *name + "\": dictionary code " +
                                                        std::to_string(code) + " out of range");
        }
        index[i] = col->is_valid(r) ? code : static_cast<uint32_t>(dict);
      }
      return take(per_code, index);
    }
  }
  return evaluate(e, leaves, sel.size());
}

// ---- Groups ----------------------------------------------------------------

struct TagDictionary {
  std::vector<std::string> names;
  std::unordered_map<std::string, uint32_t> ids;

  uint32_t intern(std::string_view name) {
    auto it = ids.find(std::string(name));
    if (it != ids.end()) return it->second;
    const uint32_t id = static_cast<uint32_t>(names.size());
    names.emplace_back(name);
    ids.emplace(std::string(name), id);
    return id;
  }
};

struct GroupTable {
  std::vector<int64_t> buckets;   // per group (time grouping)
  std::vector<uint32_t> tag_ids;  // per group, group_tags.size() entries each
  std::vector<TagDictionary> dictionaries;
  std::unordered_map<std::string, uint32_t> by_key;
  size_t count = 0;
};

constexpr size_t kGroupOverheadBytes = 96;
// Bounds of the per-block dense group lookup tables (tag-code combinations per
// bucket, and table entries per block); beyond them rows use the hash map.
constexpr uint64_t kMaxDenseCombos = 4096;
constexpr size_t kMaxDenseEntriesPerBlock = size_t{1} << 16;
// Raw rows gathered past 2 * LIMIT + this many are cut back to the LIMIT.
constexpr size_t kMinRowsBeforeTopK = 4096;

// ---- Sorting ---------------------------------------------------------------

struct OutputRow {
  std::vector<Value> values;     // the output columns
  std::vector<Value> sort_keys;  // ORDER BY expressions not among the outputs
  // Default order: raw rows by (time, write order); groups by their position in
  // the (time, tags) order, with time_ns 0.
  int64_t time_ns = 0;
  uint64_t seq = 0;
  size_t bytes = 0;  // charged against the memory limit
};

// The result order: ORDER BY keys, then the default order. A strict weak order, so
// that a partial sort (top-k for LIMIT) and a full sort agree.
class RowOrder {
 public:
  explicit RowOrder(const BoundSelect& plan) : plan_(&plan), hidden_(plan.order_by.size(), 0) {
    size_t next = 0;
    for (size_t k = 0; k < plan.order_by.size(); ++k) {
      if (plan.order_by[k].output_index < 0) hidden_[k] = next++;
    }
  }
  bool operator()(const OutputRow& a, const OutputRow& b) const {
    for (size_t k = 0; k < plan_->order_by.size(); ++k) {
      const SortKey& key = plan_->order_by[k];
      const size_t out = static_cast<size_t>(key.output_index);
      const Value& x = key.output_index >= 0 ? a.values[out] : a.sort_keys[hidden_[k]];
      const Value& y = key.output_index >= 0 ? b.values[out] : b.sort_keys[hidden_[k]];
      int c = compare_for_sort(x, y);
      // NULLs last ascending and first descending (PostgreSQL): reversing the
      // whole order, NULL included, does exactly that.
      if (key.is_descending) c = -c;
      if (c != 0) return c < 0;
    }
    if (a.time_ns != b.time_ns) return a.time_ns < b.time_ns;
    return a.seq < b.seq;
  }

 private:
  const BoundSelect* plan_;
  std::vector<size_t> hidden_;
};

class Executor {
 public:
  Executor(const BoundSelect& plan, const engine::TableSnapshot& snapshot,
           const std::optional<std::string>& tenant, const QueryContext& context, ScanStats& stats)
      : plan_(plan), snapshot_(snapshot), tenant_(tenant), context_(context), stats_(stats) {
    groups_.dictionaries.resize(plan.group_tags.size());
    for (const AggregateSpec& spec : plan.aggregates) aggregators_.emplace_back(spec);
  }

  Result<ResultSet> run() {
    const auto deadline = std::chrono::steady_clock::now() + context_.timeout;
    const PruneRule rule = derive_prune_rule(plan_, tenant_, &stats_.pruning_predicates);
    if (plan_.is_aggregate && plan_.group_key_count() == 0) add_group_if_new("");  // one row always
    stats_.blocks_total = snapshot_.blocks.size();
    for (size_t b = 0; b < snapshot_.blocks.size(); ++b) {
      if (std::chrono::steady_clock::now() > deadline) {
        return make_error(
            ErrorCode::kLimitExceeded,
            "query time limit of " + std::to_string(context_.timeout.count()) + " ms exceeded");
      }
      const engine::BlockView& view = snapshot_.blocks[b];
      if (can_skip(rule, view.source->stats())) {
        ++stats_.blocks_pruned;
        continue;
      }
      ++stats_.blocks_scanned;
      TESSERA_ASSIGN_OR_RETURN(std::shared_ptr<const storage::Block> block, view.source->load());
      TESSERA_RETURN_IF_ERROR(scan_block(*block, view.live_rows.get()));
      if (memory_bytes_ + raw_bytes_ > context_.max_memory_bytes) {
        return make_error(ErrorCode::kLimitExceeded, "query memory limit of " +
                                                         std::to_string(context_.max_memory_bytes) +
                                                         " bytes exceeded");
      }
    }
    std::vector<OutputRow> rows;
    if (plan_.is_aggregate) {
      stats_.groups = groups_.count;
      TESSERA_ASSIGN_OR_RETURN(rows, finish_groups());
    } else {
      rows = std::move(raw_rows_);
    }
    std::sort(rows.begin(), rows.end(), RowOrder(plan_));
    if (plan_.limit && rows.size() > static_cast<size_t>(*plan_.limit)) {
      rows.resize(static_cast<size_t>(*plan_.limit));
    }
    if (rows.size() > context_.max_result_rows) {
      return make_error(ErrorCode::kLimitExceeded, "result has " + std::to_string(rows.size()) +
                                                       " rows, over the limit of " +
                                                       std::to_string(context_.max_result_rows));
    }
    ResultSet result;
    result.columns = plan_.output_names;
    result.rows.reserve(rows.size());
    for (OutputRow& row : rows) result.rows.push_back(std::move(row.values));
    return result;
  }

 private:
  Status scan_block(const storage::Block& block, const std::vector<uint8_t>* live) {
    const size_t rows = block.row_count();
    stats_.rows_scanned += rows;
    if (live != nullptr && live->size() != rows) {
      return make_error(ErrorCode::kInternal, "dedup mask does not match its block");
    }
    std::vector<uint32_t> sel;
    sel.reserve(rows);
    for (size_t r = 0; r < rows; ++r) {
      if (live == nullptr || (*live)[r] != 0) sel.push_back(static_cast<uint32_t>(r));
    }
    if (tenant_) TESSERA_RETURN_IF_ERROR(apply_tenant_scope(block, sel));
    LeafResolver leaves = [&](const BoundExpr& leaf) -> Result<Vec> {
      return gather_column(block, leaf, sel);
    };
    for (const BoundExpr& conjunct : plan_.where_conjuncts) {
      if (sel.empty()) break;
      TESSERA_ASSIGN_OR_RETURN(Vec cond, evaluate_rows(conjunct, block, sel, leaves));
      sel = keep_true(sel, cond);
    }
    stats_.rows_matched += sel.size();
    if (sel.empty()) return Status::ok();
    return plan_.is_aggregate ? aggregate_block(block, sel, leaves)
                              : gather_raw(sel, leaves, block);
  }

  // The scan itself drops other tenants' rows, so nothing in the statement can widen it.
  Status apply_tenant_scope(const storage::Block& block, std::vector<uint32_t>& sel) {
    const storage::Column* col = block.find(*plan_.schema.options.tenant_column);
    if (col == nullptr || col->type != storage::ColumnType::kString) {
      sel.clear();
      return Status::ok();
    }
    std::vector<uint8_t> code_matches(col->dictionary.size());
    for (size_t c = 0; c < col->dictionary.size(); ++c)
      code_matches[c] = col->dictionary[c] == *tenant_;
    std::vector<uint32_t> kept;
    kept.reserve(sel.size());
    for (uint32_t r : sel) {
      if (r >= col->codes.size())
        return make_error(ErrorCode::kCorruption, "tenant column too short");
      const uint32_t code = col->codes[r];
      if (col->is_valid(r) && code < code_matches.size() && code_matches[code]) kept.push_back(r);
    }
    sel = std::move(kept);
    return Status::ok();
  }

  uint32_t add_group_if_new(const std::string& key) {
    auto it = groups_.by_key.find(key);
    if (it != groups_.by_key.end()) return it->second;
    const uint32_t id = static_cast<uint32_t>(groups_.count++);
    groups_.by_key.emplace(key, id);
    memory_bytes_ += kGroupOverheadBytes + key.size() * 2;
    return id;
  }

  Status aggregate_block(const storage::Block& block, const std::vector<uint32_t>& sel,
                         const LeafResolver& leaves) {
    const size_t n = sel.size();
    std::vector<uint32_t> gids(n, 0);
    const size_t tag_count = plan_.group_tags.size();
    if (plan_.group_key_count() > 0) {
      // Dictionary codes map to group-wide tag ids once per block, not per row.
      // Each row also gets a dense block-local combination of its tag codes, so
      // that most rows find their group with one array lookup.
      std::vector<std::vector<uint32_t>> row_tag_ids(tag_count,
                                                     std::vector<uint32_t>(n, kNullTagId));
      std::vector<uint32_t> combo(n, 0);
      uint64_t combos = 1;
      for (size_t k = 0; k < tag_count; ++k) {
        const storage::Column* col = block.find(plan_.group_tags[k]);
        if (col == nullptr) continue;  // every row NULL: one slot, nothing to add
        if (col->type != storage::ColumnType::kString || col->codes.size() != block.row_count() ||
            (!col->valid.empty() && col->valid.size() != block.row_count())) {
          return make_error(ErrorCode::kCorruption,
                            "tag column \"" + plan_.group_tags[k] + "\" does not match its block");
        }
        const size_t dict = col->dictionary.size();
        std::vector<uint32_t> code_to_id(dict);
        for (size_t c = 0; c < dict; ++c) {
          code_to_id[c] = groups_.dictionaries[k].intern(col->dictionary[c]);
        }
        const uint64_t stride = combos;
        combos = combos <= kMaxDenseCombos ? combos * (dict + 1) : combos;
        for (size_t i = 0; i < n; ++i) {
          const uint32_t r = sel[i];
          uint32_t local = static_cast<uint32_t>(dict);
          if (col->is_valid(r)) {
            const uint32_t code = col->codes[r];
            if (code >= dict)
              return make_error(ErrorCode::kCorruption, "tag dictionary code out of range");
            row_tag_ids[k][i] = code_to_id[code];
            local = code;
          }
          if (combos <= kMaxDenseCombos) combo[i] += static_cast<uint32_t>(local * stride);
        }
      }
      std::string key;
      auto lookup = [&](size_t i, int64_t bucket) -> uint32_t {
        key.clear();
        if (plan_.bucketer) key.append(reinterpret_cast<const char*>(&bucket), sizeof(bucket));
        for (size_t k = 0; k < tag_count; ++k) {
          key.append(reinterpret_cast<const char*>(&row_tag_ids[k][i]), sizeof(uint32_t));
        }
        const size_t before = groups_.count;
        const uint32_t gid = add_group_if_new(key);
        if (groups_.count != before) {
          groups_.buckets.push_back(bucket);
          for (size_t k = 0; k < tag_count; ++k) groups_.tag_ids.push_back(row_tag_ids[k][i]);
        }
        return gid;
      };
      constexpr uint32_t kUnset = std::numeric_limits<uint32_t>::max();
      const bool is_dense = combos <= kMaxDenseCombos;
      std::unordered_map<int64_t, std::vector<uint32_t>> tables;  // by bucket start
      size_t dense_entries = 0;
      std::vector<uint32_t>* table = nullptr;
      int64_t table_bucket = 0;
      for (size_t i = 0; i < n; ++i) {
        const int64_t bucket =
            plan_.bucketer ? plan_.bucketer->bucket_start(block.time_ns[sel[i]]) : 0;
        if (is_dense && (table == nullptr || bucket != table_bucket)) {
          auto it = tables.find(bucket);
          if (it != tables.end()) {
            table = &it->second;
          } else if (dense_entries + combos <= kMaxDenseEntriesPerBlock) {
            table = &tables[bucket];
            table->assign(combos, kUnset);
            dense_entries += combos;
          } else {
            table = nullptr;
          }
          table_bucket = bucket;
        }
        if (table != nullptr) {
          uint32_t& slot = (*table)[combo[i]];
          if (slot == kUnset) slot = lookup(i, bucket);
          gids[i] = slot;
        } else {
          gids[i] = lookup(i, bucket);
        }
      }
    }
    for (Aggregator& a : aggregators_) a.resize(groups_.count);

    std::vector<int64_t> times;
    for (size_t a = 0; a < plan_.aggregates.size(); ++a) {
      const AggregateSpec& spec = plan_.aggregates[a];
      AggregateInput input;
      input.group_ids = &gids;
      std::optional<Vec> arg, sla, filter_vec;
      std::vector<uint8_t> filter;
      if (spec.arg) {
        TESSERA_ASSIGN_OR_RETURN(arg, evaluate_rows(*spec.arg, block, sel, leaves));
        input.arg = &*arg;
      }
      if (spec.sla_condition) {
        TESSERA_ASSIGN_OR_RETURN(sla, evaluate(*spec.sla_condition, leaves, n));
        input.sla_condition = &*sla;
      }
      if (spec.filter) {
        TESSERA_ASSIGN_OR_RETURN(filter_vec, evaluate_rows(*spec.filter, block, sel, leaves));
        filter.assign(n, 0);
        if (filter_vec->type != ValueType::kNull) {
          for (size_t i = 0; i < n; ++i)
            filter[i] = filter_vec->valid[i] && filter_vec->ints[i] != 0;
        }
        input.filter = &filter;
      }
      if (spec.fn == AggregateFn::kFirst || spec.fn == AggregateFn::kLast) {
        if (times.empty()) {
          times.resize(n);
          for (size_t i = 0; i < n; ++i) times[i] = block.time_ns[sel[i]];
        }
        input.time_ns = &times;
      }
      TESSERA_RETURN_IF_ERROR(aggregators_[a].update(input, &memory_bytes_));
    }
    return Status::ok();
  }

  Status gather_raw(const std::vector<uint32_t>& sel, const LeafResolver& leaves,
                    const storage::Block& block) {
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
      row.time_ns = block.time_ns[sel[i]];
      row.seq = next_seq_++;
      raw_bytes_ += row.bytes;
      raw_rows_.push_back(std::move(row));
    }
    // With a LIMIT only the first `limit` rows in result order can be returned:
    // keep those, so that memory follows the LIMIT and not the table.
    if (plan_.limit) {
      const size_t limit = static_cast<size_t>(*plan_.limit);
      if (raw_rows_.size() > 2 * limit + kMinRowsBeforeTopK) {
        std::nth_element(raw_rows_.begin(), raw_rows_.begin() + static_cast<ptrdiff_t>(limit),
                         raw_rows_.end(), RowOrder(plan_));
        raw_rows_.resize(limit);
        raw_bytes_ = 0;
        for (const OutputRow& row : raw_rows_) raw_bytes_ += row.bytes;
      }
    }
    return Status::ok();
  }

  Result<std::vector<OutputRow>> finish_groups() {
    const size_t groups = groups_.count;
    const size_t key_count = plan_.group_key_count();
    const size_t tag_count = plan_.group_tags.size();
    // Column-major group keys and aggregate values.
    std::vector<std::vector<Value>> keys(key_count, std::vector<Value>(groups));
    for (size_t g = 0; g < groups; ++g) {
      size_t k = 0;
      if (plan_.bucketer) keys[k++][g] = Value{Timestamp{groups_.buckets[g]}};
      for (size_t t = 0; t < tag_count; ++t, ++k) {
        const uint32_t id = groups_.tag_ids[g * tag_count + t];
        if (id != kNullTagId) keys[k][g] = Value{groups_.dictionaries[t].names[id]};
      }
    }
    std::vector<std::vector<Value>> aggs(aggregators_.size(), std::vector<Value>(groups));
    for (size_t a = 0; a < aggregators_.size(); ++a) {
      aggregators_[a].resize(groups);
      for (size_t g = 0; g < groups; ++g) aggs[a][g] = aggregators_[a].finalize(g);
    }
    // Default order: time, then tags, ascending, NULL tags last.
    std::vector<size_t> order(groups);
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      for (size_t k = 0; k < key_count; ++k) {
        const int c = compare_for_sort(keys[k][a], keys[k][b]);
        if (c != 0) return c < 0;
      }
      return a < b;
    });
    auto column_of = [](const std::vector<Value>& values, const std::vector<size_t>& rows) {
      std::vector<const Value*> ptrs(rows.size());
      for (size_t i = 0; i < rows.size(); ++i) ptrs[i] = &values[rows[i]];
      return ptrs;
    };
    auto resolver_for = [&](const std::vector<size_t>& rows) -> LeafResolver {
      return [&, rows](const BoundExpr& leaf) -> Result<Vec> {
        const auto& source = leaf.kind == Kind::kGroupKey ? keys : aggs;
        if (leaf.kind != Kind::kGroupKey && leaf.kind != Kind::kAggregate) {
          return make_error(ErrorCode::kInternal, "row-level column in a group expression");
        }
        return vec_from_values(leaf.type, column_of(source[static_cast<size_t>(leaf.index)], rows));
      };
    };
    if (plan_.having) {
      TESSERA_ASSIGN_OR_RETURN(Vec keep,
                               evaluate(*plan_.having, resolver_for(order), order.size()));
      std::vector<size_t> kept;
      for (size_t i = 0; i < order.size(); ++i) {
        if (keep.type != ValueType::kNull && keep.valid[i] && keep.ints[i] != 0)
          kept.push_back(order[i]);
      }
      order = std::move(kept);
    }
    const LeafResolver leaves = resolver_for(order);
    const size_t n = order.size();
    std::vector<Vec> outputs;
    for (const BoundExpr& e : plan_.outputs) {
      TESSERA_ASSIGN_OR_RETURN(Vec v, evaluate(e, leaves, n));
      outputs.push_back(std::move(v));
    }
    std::vector<Vec> sort_keys;
    for (const SortKey& k : plan_.order_by) {
      if (k.output_index >= 0) continue;
      TESSERA_ASSIGN_OR_RETURN(Vec v, evaluate(*k.expr, leaves, n));
      sort_keys.push_back(std::move(v));
    }
    std::vector<OutputRow> rows(n);
    for (size_t i = 0; i < n; ++i) {
      for (const Vec& v : outputs) rows[i].values.push_back(value_at(v, i));
      for (const Vec& v : sort_keys) rows[i].sort_keys.push_back(value_at(v, i));
      rows[i].seq = i;  // already in the default (time, tags) order
    }
    return rows;
  }

  const BoundSelect& plan_;
  const engine::TableSnapshot& snapshot_;
  const std::optional<std::string>& tenant_;
  const QueryContext& context_;
  ScanStats& stats_;
  GroupTable groups_;
  std::vector<Aggregator> aggregators_;
  std::vector<OutputRow> raw_rows_;
  uint64_t next_seq_ = 0;
  size_t raw_bytes_ = 0;  // held by raw_rows_
  size_t memory_bytes_ = 0;
};

}  // namespace

Result<ResultSet> execute_select(const BoundSelect& plan, const engine::TableSnapshot& snapshot,
                                 const std::optional<std::string>& tenant,
                                 const QueryContext& context, ScanStats* stats) {
  ScanStats local;
  Executor executor(plan, snapshot, tenant, context, stats != nullptr ? *stats : local);
  return executor.run();
}

}  // namespace tessera::query
