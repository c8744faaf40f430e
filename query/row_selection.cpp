#include "query/row_selection.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <bit>
#include <numeric>

namespace tessera::query::detail {
namespace {

using Kind = BoundExpr::Kind;

// For each 8-bit mask, the positions of its set bits, lowest first: the lane
// permutation that packs the selected lanes of a vector to its front.
constexpr std::array<std::array<uint32_t, 8>, 256> kPackedLanes = [] {
  std::array<std::array<uint32_t, 8>, 256> table{};
  for (uint32_t mask = 0; mask < 256; ++mask) {
    uint32_t k = 0;
    for (uint32_t lane = 0; lane < 8; ++lane) {
      if ((mask >> lane) & 1) table[mask][k++] = lane;
    }
  }
  return table;
}();

// keep_rows_equal over every row of a block without NULLs, `match` being the one
// code of the value: rows 0..n-1 whose code is `match` are written to sel[0..kept).
// Eight rows per step without branches, whether the matches come in runs (a sorted
// block) or scattered. Raw AVX2: xsimd 8 offers no lane compaction (movemask and a
// lane permutation).
size_t keep_all_rows_with_code(const uint32_t* codes, size_t n, uint32_t match, uint32_t dict,
                               uint32_t* sel, bool* has_bad_code) {
  const __m256i wanted = _mm256_set1_epi32(static_cast<int>(match));
  const __m256i eight = _mm256_set1_epi32(8);
  __m256i rows = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256i max_code = _mm256_setzero_si256();
  size_t kept = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + i));
    max_code = _mm256_max_epu32(max_code, c);
    const auto mask = static_cast<uint32_t>(
        _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(c, wanted))));
    const __m256i lanes =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kPackedLanes[mask].data()));
    // kept <= i, so the eight lanes stored land inside rows already read.
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(sel + kept),
                        _mm256_permutevar8x32_epi32(rows, lanes));
    kept += static_cast<size_t>(std::popcount(mask));
    rows = _mm256_add_epi32(rows, eight);
  }
  alignas(32) std::array<uint32_t, 8> max_lanes;
  _mm256_store_si256(reinterpret_cast<__m256i*>(max_lanes.data()), max_code);
  uint32_t max = *std::max_element(max_lanes.begin(), max_lanes.end());
  for (; i < n; ++i) {
    sel[kept] = static_cast<uint32_t>(i);
    kept += codes[i] == match;
    max = std::max(max, codes[i]);
  }
  *has_bad_code = n > 0 && max >= dict;
  return kept;
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

// 1 where the bool vector `cond` is true, 0 where false or NULL.
std::vector<uint8_t> truth_bytes(const Vec& cond) {
  std::vector<uint8_t> truth(cond.size, 0);
  if (cond.type == ValueType::kNull) return truth;
  for (size_t i = 0; i < cond.size; ++i) truth[i] = cond.valid[i] && cond.ints[i] != 0;
  return truth;
}

// The column of `block` that `e` reads when `e` is an expression of one
// dictionary-coded string column whose dictionary is smaller than the selection
// (so that evaluating per entry is cheaper than per row); null otherwise.
const storage::Column* one_coded_column(const BoundExpr& e, const engine::LoadedBlock& block,
                                        size_t selected, const std::string** name) {
  *name = nullptr;
  if (!reads_one_string_column(e, name) || *name == nullptr) return nullptr;
  const storage::Column* col = block.find(**name);
  if (col == nullptr || col->type != storage::ColumnType::kString ||
      col->dictionary.size() >= selected || col->codes.size() != block.row_count() ||
      (!col->valid.empty() && col->valid.size() != block.row_count())) {
    return nullptr;
  }
  return col;
}

// `e` evaluated once per dictionary entry of `col`, then once more for NULL.
Result<Vec> evaluate_per_entry(const BoundExpr& e, const storage::Column& col) {
  const size_t dict = col.dictionary.size();
  Vec entries = Vec::nulls(ValueType::kString, dict + 1);
  for (size_t c = 0; c < dict; ++c) {
    entries.strings[c] = col.dictionary[c];
    entries.valid[c] = 1;
  }
  LeafResolver per_entry = [&](const BoundExpr&) -> Result<Vec> { return entries; };
  return evaluate(e, per_entry, dict + 1);
}

// The truth of `cond` per dictionary entry of `col`, then for the NULL entry (never
// true), computed straight from the dictionary for the conditions dashboards filter
// on: column = 'v', column <> 'v' and column [NOT] IN ('v', ...). nullopt for any
// other shape, which evaluate_per_entry handles: it copies the dictionary into a Vec
// and evaluates the expression tree over it, which cost more than the rows' own loop.
std::optional<std::vector<uint8_t>> direct_entry_truth(const BoundExpr& cond,
                                                       const storage::Column& col) {
  auto string_constant = [](const BoundExpr& e) -> const std::string* {
    return e.kind == Kind::kConstant ? std::get_if<std::string>(&e.constant) : nullptr;
  };
  std::vector<const std::string*> values;
  bool negated = false;
  if (cond.kind == Kind::kBinary && cond.children.size() == 2 &&
      (cond.binary_op == BinaryOp::kEqual || cond.binary_op == BinaryOp::kNotEqual)) {
    const BoundExpr* column = &cond.children[0];
    const BoundExpr* constant = &cond.children[1];
    if (column->kind != Kind::kColumn) std::swap(column, constant);
    const std::string* value = string_constant(*constant);
    if (column->kind != Kind::kColumn || value == nullptr) return std::nullopt;
    values.push_back(value);
    negated = cond.binary_op == BinaryOp::kNotEqual;
  } else if (cond.kind == Kind::kIn && cond.children.size() >= 2 &&
             cond.children[0].kind == Kind::kColumn) {
    for (size_t k = 1; k < cond.children.size(); ++k) {
      const std::string* value = string_constant(cond.children[k]);
      if (value == nullptr) return std::nullopt;  // a NULL item makes NOT IN never true
      values.push_back(value);
    }
    negated = cond.is_negated;
  } else {
    return std::nullopt;
  }
  const size_t dict = col.dictionary.size();
  std::vector<uint8_t> truth(dict + 1, 0);
  for (size_t c = 0; c < dict; ++c) {
    bool listed = false;
    for (const std::string* value : values) listed |= col.dictionary[c] == *value;
    truth[c] = listed != negated;
  }
  return truth;
}

// Calls entry(i, k) with each selected row's entry k: its code, or the NULL entry
// (the dictionary size). Out-of-range codes of valid rows are given the NULL entry,
// so that k is always in range, and reported after the loop.
template <typename Entry>
Status for_each_entry(const storage::Column& col, const std::vector<uint32_t>& sel,
                      const std::string& name, Entry entry) {
  const uint32_t dict = static_cast<uint32_t>(col.dictionary.size());
  const uint8_t* valid = col.valid.empty() ? nullptr : col.valid.data();
  bool has_bad_code = false;
  for (size_t i = 0; i < sel.size(); ++i) {
    const uint32_t r = sel[i];
    const uint32_t code = col.codes[r];
    const bool is_valid = valid == nullptr || valid[r] != 0;
    const bool is_bad = is_valid & (code >= dict);
    has_bad_code |= is_bad;
    entry(i, is_valid & !is_bad ? code : dict);
  }
  if (has_bad_code) {
    return make_error(ErrorCode::kCorruption,
                      "column \"" + name + "\": a dictionary code is out of range");
  }
  return Status::ok();
}

// evaluate_truth's loop for a column without NULLs and with at most 32 dictionary
// entries: the entries' truth as the bits of one word, a row's truth the bit its
// code selects. Over every row of the block the loop reads the codes in order and
// has no loads that depend on them, so the compiler vectorises it (AVX2 variable
// shifts, eight rows a step); it is most of a grouped count_if's time otherwise.
Status truth_of_codes(const storage::Column& col, const std::vector<uint32_t>& sel,
                      const std::vector<uint8_t>& entry_truth, const std::string& name,
                      uint8_t* truth) {
  const auto dict = static_cast<uint32_t>(col.dictionary.size());
  uint32_t bits = 0;
  for (uint32_t c = 0; c < dict; ++c) bits |= uint32_t{entry_truth[c]} << c;
  const uint32_t* codes = col.codes.data();
  const size_t n = sel.size();
  uint32_t bad = 0;  // a code past the dictionary: damage the decoder did not catch
  if (selects_every_row(sel)) {
    for (size_t i = 0; i < n; ++i) {
      bad |= codes[i] >= dict;
      truth[i] = static_cast<uint8_t>((bits >> (codes[i] & 31)) & 1);
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      const uint32_t code = codes[sel[i]];
      bad |= code >= dict;
      truth[i] = static_cast<uint8_t>((bits >> (code & 31)) & 1);
    }
  }
  if (bad != 0) {
    return make_error(ErrorCode::kCorruption,
                      "column \"" + name + "\": a dictionary code is out of range");
  }
  return Status::ok();
}

}  // namespace

Result<Vec> gather_column(const engine::LoadedBlock& block, const BoundExpr& leaf,
                          const std::vector<uint32_t>& sel) {
  const size_t n = sel.size();
  if (leaf.name == "time") {
    if (!block.has_time()) {
      return make_error(ErrorCode::kInternal, "time was read from a block loaded without it");
    }
    Vec v;
    v.type = ValueType::kTime;
    v.size = n;
    v.ints.resize(n);
    v.valid.assign(n, 1);
    for (size_t i = 0; i < n; ++i) v.ints[i] = block.time_ns()[sel[i]];
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
  // Every row selected (the common case without a WHERE clause or dedup mask):
  // whole-vector copies instead of per-row indexing.
  if (n == block.row_count()) {
    Vec v;
    v.type = leaf.type;
    v.size = n;
    if (col->valid.empty()) {
      v.valid.assign(n, 1);
    } else {
      v.valid = col->valid;  // 0/1 bytes, as Vec::valid holds them
    }
    if (col->type == storage::ColumnType::kFloat64 && leaf.type == ValueType::kFloat) {
      v.floats = col->floats;
      return v;
    }
    if (col->type == storage::ColumnType::kInt64 && leaf.type == ValueType::kInt) {
      v.ints = col->ints;
      return v;
    }
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

std::vector<uint32_t> keep_true(const std::vector<uint32_t>& sel, const Vec& cond) {
  std::vector<uint32_t> out;
  out.reserve(sel.size());
  if (cond.type == ValueType::kNull) return out;
  for (size_t i = 0; i < sel.size(); ++i) {
    if (cond.valid[i] && cond.ints[i] != 0) out.push_back(sel[i]);
  }
  return out;
}

Result<Vec> evaluate_rows(const BoundExpr& e, const engine::LoadedBlock& block,
                          const std::vector<uint32_t>& sel, const LeafResolver& leaves) {
  const std::string* name = nullptr;
  const storage::Column* col = one_coded_column(e, block, sel.size(), &name);
  if (col == nullptr) return evaluate(e, leaves, sel.size());
  TESSERA_ASSIGN_OR_RETURN(Vec per_entry, evaluate_per_entry(e, *col));
  std::vector<uint32_t> index(sel.size());
  TESSERA_RETURN_IF_ERROR(
      for_each_entry(*col, sel, *name, [&](size_t i, uint32_t k) { index[i] = k; }));
  return take(per_entry, index);
}

namespace {

// The truth of `cond` per dictionary entry of `col`, then for NULL.
Result<std::vector<uint8_t>> entry_truth_of(const BoundExpr& cond, const storage::Column& col) {
  if (std::optional<std::vector<uint8_t>> direct = direct_entry_truth(cond, col)) {
    return std::move(*direct);
  }
  TESSERA_ASSIGN_OR_RETURN(Vec per_entry, evaluate_per_entry(cond, col));
  return truth_bytes(per_entry);
}

}  // namespace

const std::string* condition_tag(const BoundExpr& cond) {
  const std::string* name = nullptr;
  return reads_one_string_column(cond, &name) ? name : nullptr;
}

Result<bool> truth_ranges(const BoundExpr& cond, const engine::LoadedBlock& block,
                          const std::vector<uint32_t>& sel, const storage::TagRunStats& runs,
                          std::vector<uint32_t>* ranges) {
  ranges->clear();
  const std::string* name = nullptr;
  const storage::Column* col = one_coded_column(cond, block, sel.size(), &name);
  if (col == nullptr || !selects_every_row(sel) ||
      runs.dictionary.size() != col->dictionary.size() ||
      runs.run_starts.size() != runs.run_count() + 1 || runs.run_starts.back() != sel.size()) {
    return false;
  }
  TESSERA_ASSIGN_OR_RETURN(const std::vector<uint8_t> entry_truth, entry_truth_of(cond, *col));
  const auto dict = static_cast<uint32_t>(col->dictionary.size());
  std::vector<uint32_t>& bounds = *ranges;  // as kept_ranges gives them
  for (size_t r = 0; r < runs.run_count(); ++r) {
    const uint32_t code = runs.codes[r];
    if (code != storage::TagRunStats::kNullCode && code >= dict) {
      return make_error(ErrorCode::kCorruption,
                        "column \"" + *name + "\": a dictionary code is out of range");
    }
    if (entry_truth[code == storage::TagRunStats::kNullCode ? dict : code] == 0) continue;
    const uint32_t begin = runs.run_starts[r];
    const uint32_t end = runs.run_starts[r + 1];
    if (!bounds.empty() && bounds.back() == begin) {
      bounds.back() = end;  // extends the range before
    } else {
      bounds.push_back(begin);
      bounds.push_back(end);
    }
  }
  return true;
}

Result<std::vector<uint8_t>> evaluate_truth(const BoundExpr& cond, const engine::LoadedBlock& block,
                                            const std::vector<uint32_t>& sel,
                                            const LeafResolver& leaves) {
  const std::string* name = nullptr;
  if (const storage::Column* col = one_coded_column(cond, block, sel.size(), &name)) {
    TESSERA_ASSIGN_OR_RETURN(const std::vector<uint8_t> entry_truth, entry_truth_of(cond, *col));
    std::vector<uint8_t> truth(sel.size());
    if (col->valid.empty() && col->dictionary.size() <= 32) {
      TESSERA_RETURN_IF_ERROR(truth_of_codes(*col, sel, entry_truth, *name, truth.data()));
      return truth;
    }
    TESSERA_RETURN_IF_ERROR(
        for_each_entry(*col, sel, *name, [&](size_t i, uint32_t k) { truth[i] = entry_truth[k]; }));
    return truth;
  }
  TESSERA_ASSIGN_OR_RETURN(Vec v, evaluate(cond, leaves, sel.size()));
  return truth_bytes(v);
}

namespace {

// Which dictionary entries of a string column are one value.
struct MatchingCodes {
  std::vector<uint8_t> matches;  // per entry: 1 when it is the value
  size_t count = 0;
  uint32_t last = 0;  // the last entry that is
};

MatchingCodes matching_codes(const storage::Column& col, std::string_view value) {
  MatchingCodes out;
  out.matches.resize(col.dictionary.size());
  for (size_t c = 0; c < col.dictionary.size(); ++c) {
    out.matches[c] = col.dictionary[c] == value;
    if (out.matches[c]) {
      ++out.count;
      out.last = static_cast<uint32_t>(c);
    }
  }
  return out;
}

Status bad_code_error(const std::string& column) {
  return make_error(ErrorCode::kCorruption,
                    "column \"" + column + "\": a dictionary code is out of range");
}

}  // namespace

Status select_rows_equal(const engine::LoadedBlock& block, const std::string& column,
                         std::string_view value, std::vector<uint32_t>& sel) {
  const size_t n = block.row_count();
  const storage::Column* col = block.find(column);
  if (col != nullptr && col->type == storage::ColumnType::kString && col->valid.empty() &&
      col->codes.size() >= n) {
    const MatchingCodes codes = matching_codes(*col, value);
    if (codes.count == 0) {
      sel.clear();
      return Status::ok();
    }
    if (codes.count == 1) {
      // Counted first, so that only the kept rows (and the eight lanes the last
      // compaction step may store past them) are ever written.
      const uint32_t* c = col->codes.data();
      size_t kept = 0;
      for (size_t i = 0; i < n; ++i) kept += c[i] == codes.last;
      sel.resize(kept + 8);
      bool has_bad_code = false;
      const uint32_t dict = static_cast<uint32_t>(col->dictionary.size());
      sel.resize(keep_all_rows_with_code(c, n, codes.last, dict, sel.data(), &has_bad_code));
      return has_bad_code ? bad_code_error(column) : Status::ok();
    }
  }
  sel.resize(n);
  std::iota(sel.begin(), sel.end(), uint32_t{0});
  return keep_rows_equal(block, column, value, sel);
}

Status keep_rows_equal(const engine::LoadedBlock& block, const std::string& column,
                       std::string_view value, std::vector<uint32_t>& sel) {
  const storage::Column* col = block.find(column);
  if (col == nullptr || col->type != storage::ColumnType::kString) {
    sel.clear();
    return Status::ok();
  }
  if (!sel.empty() && (sel.back() >= col->codes.size() ||
                       (!col->valid.empty() && sel.back() >= col->valid.size()))) {
    return make_error(ErrorCode::kCorruption,
                      "column \"" + column + "\" is shorter than its block");
  }
  const MatchingCodes matching = matching_codes(*col, value);
  const std::vector<uint8_t>& code_matches = matching.matches;
  const size_t matching_codes = matching.count;
  const uint32_t match = matching.last;
  if (matching_codes == 0) {
    sel.clear();
    return Status::ok();
  }
  // Compacted in place without branches: row i is written at `kept` <= i. Codes past
  // the dictionary (damage the decoder did not catch) are noted and reported after.
  const uint32_t* codes = col->codes.data();
  const uint8_t* valid = col->valid.empty() ? nullptr : col->valid.data();
  const uint32_t dict = static_cast<uint32_t>(col->dictionary.size());
  size_t kept = 0;
  bool has_bad_code = false;
  const bool every_row = selects_every_row(sel);
  if (matching_codes == 1 && valid == nullptr && every_row) {
    kept = keep_all_rows_with_code(codes, sel.size(), match, dict, sel.data(), &has_bad_code);
  } else if (matching_codes == 1 && valid == nullptr) {
    for (const uint32_t r : sel) {
      const uint32_t code = codes[r];
      sel[kept] = r;
      kept += code == match;
      has_bad_code |= code >= dict;
    }
  } else {  // NULLs, or a dictionary that repeats the value
    for (const uint32_t r : sel) {
      const uint32_t code = codes[r];
      const bool is_valid = valid == nullptr || valid[r] != 0;
      const bool in_range = code < dict;
      sel[kept] = r;
      kept += is_valid && in_range && code_matches[code] != 0;
      has_bad_code |= is_valid && !in_range;
    }
  }
  if (has_bad_code) return bad_code_error(column);
  sel.resize(kept);
  return Status::ok();
}

}  // namespace tessera::query::detail
