// Randomized differential test of the select executor: random small tables (random
// block layouts, NULLs, absent columns, dedup masks) and random queries (filters,
// groupings, aggregates, raw rows, tenant scope), each checked against a brute-force
// row-at-a-time reference evaluator written here. Clustered blocks exercise the
// aggregation from block statistics.
#include "query/select_executor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <tuple>

#include "query/query_runner.h"
#include "query/scan_workers.h"
#include "tests/query/query_test_util.h"
#include "tests/support/memory_engine.h"

namespace tessera::query {
namespace {

using testing::kSecond;
using testing::utc;
using Opt3 = std::optional<bool>;  // three-valued: nullopt is unknown

const int64_t kBase = utc(2025, 1, 16);

struct Row {
  int64_t t = 0;
  std::optional<std::string> tenant, host;
  std::optional<double> v;
  std::optional<int64_t> n;
  std::optional<bool> b;
};

// A condition as SQL text plus its reference meaning.
struct Cond {
  std::string sql;
  std::function<Opt3(const Row&)> eval;
};

Opt3 cmp_result(int c, const std::string& op) {
  if (op == "=") return c == 0;
  if (op == "!=") return c != 0;
  if (op == "<") return c < 0;
  if (op == "<=") return c <= 0;
  if (op == ">") return c > 0;
  return c >= 0;
}

template <typename T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(int percent) { return pick(100) < percent; }

  std::optional<std::string> tag(const char* prefix, int values) {
    if (chance(15)) return std::nullopt;
    return std::string(prefix) + std::to_string(pick(values));
  }

  Cond atom() {
    static const char* kOps[] = {"=", "!=", "<", "<=", ">", ">="};
    const std::string op = kOps[pick(6)];
    switch (pick(10)) {
      case 0: {
        const int64_t k = pick(8);
        return {"n " + op + " " + std::to_string(k), [op, k](const Row& r) -> Opt3 {
                  if (!r.n) return std::nullopt;
                  return cmp_result(three_way(*r.n, k), op);
                }};
      }
      case 1: {
        const double k = pick(10) * 0.5 + 0.25;
        return {"v " + op + " " + std::to_string(k), [op, k](const Row& r) -> Opt3 {
                  if (!r.v) return std::nullopt;
                  return cmp_result(three_way(*r.v, k), op);
                }};
      }
      case 2: {
        const std::string h = "h" + std::to_string(pick(4));
        return {"host " + op + " '" + h + "'", [op, h](const Row& r) -> Opt3 {
                  if (!r.host) return std::nullopt;
                  return cmp_result(r.host->compare(h), op);
                }};
      }
      case 3: {
        const bool negated = chance(50);
        const bool with_null = chance(30);
        std::string sql = std::string("tenant ") + (negated ? "NOT IN" : "IN") + " ('a', 'c'" +
                          (with_null ? ", NULL" : "") + ")";
        return {sql, [negated, with_null](const Row& r) -> Opt3 {
                  // IN is true on a match, unknown when NULL is involved, else false.
                  if (!r.tenant) return std::nullopt;
                  if (*r.tenant == "a" || *r.tenant == "c") return !negated;
                  if (with_null) return std::nullopt;
                  return negated;
                }};
      }
      case 4: {
        const bool negated = chance(50);
        return {std::string("host IS ") + (negated ? "NOT " : "") + "NULL",
                [negated](const Row& r) -> Opt3 { return r.host.has_value() == negated; }};
      }
      case 5:
        return {"b", [](const Row& r) -> Opt3 { return r.b; }};
      case 6: {
        const int64_t s = pick(60);
        const int64_t t = kBase + s * kSecond;
        return {"time " + op + " " + std::to_string(t),
                [op, t](const Row& r) -> Opt3 { return cmp_result(three_way(r.t, t), op); }};
      }
      case 7: {
        const int64_t s = pick(60);
        const int64_t t = kBase + s * kSecond;
        return {"time " + op + " '" + testing::render_time(t) + "'",
                [op, t](const Row& r) -> Opt3 { return cmp_result(three_way(r.t, t), op); }};
      }
      case 8: {
        // A tenant equality: blocks of one tenant satisfy it without evaluation.
        const std::string t(1, static_cast<char>('a' + pick(2)));
        return {"tenant = '" + t + "'", [t](const Row& r) -> Opt3 {
                  if (!r.tenant) return std::nullopt;
                  return *r.tenant == t;
                }};
      }
      default: {
        // Mixed int/float arithmetic in a comparison.
        return {"n * 2 + v > 6", [](const Row& r) -> Opt3 {
                  if (!r.n || !r.v) return std::nullopt;
                  return static_cast<double>(*r.n * 2) + *r.v > 6;
                }};
      }
    }
  }

  Cond condition(int depth) {
    if (depth == 0 || chance(40)) return atom();
    const int kind = pick(3);
    if (kind == 0) {
      Cond c = condition(depth - 1);
      return {"NOT (" + c.sql + ")", [c](const Row& r) -> Opt3 {
                Opt3 x = c.eval(r);
                return x ? Opt3(!*x) : Opt3();
              }};
    }
    Cond a = condition(depth - 1), b = condition(depth - 1);
    const bool is_and = kind == 1;
    return {"(" + a.sql + (is_and ? " AND " : " OR ") + b.sql + ")",
            [a, b, is_and](const Row& r) -> Opt3 {
              Opt3 x = a.eval(r), y = b.eval(r);
              if (is_and) {
                if ((x && !*x) || (y && !*y)) return false;
                if (x && y) return true;
                return std::nullopt;
              }
              if ((x && *x) || (y && *y)) return true;
              if (x && y) return false;
              return std::nullopt;
            }};
  }

  std::mt19937 rng_;
};

// ---- Reference aggregates --------------------------------------------------------

std::optional<double> reference_percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const double pos = p * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = static_cast<size_t>(std::ceil(pos));
  return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

struct RefAggregate {
  std::string sql;
  // Reference over the group's rows (in write order).
  std::function<Value(const std::vector<const Row*>&)> eval;
};

// `sql`, the exact percentile p of the column `field` of Row.
template <typename T>
RefAggregate reference_percentile_of(std::string sql, std::optional<T> Row::*field, double p) {
  return {std::move(sql), [field, p](const std::vector<const Row*>& rows) {
            std::vector<double> vals;
            for (const Row* r : rows) {
              if (r->*field) vals.push_back(static_cast<double>(*(r->*field)));
            }
            auto result = reference_percentile(vals, p);
            return result ? Value{*result} : Value{};
          }};
}

std::vector<RefAggregate> reference_aggregates(const Cond& filter) {
  using Rows = std::vector<const Row*>;
  std::vector<RefAggregate> out;
  out.push_back(
      {"count(*)", [](const Rows& rows) { return Value{static_cast<int64_t>(rows.size())}; }});
  out.push_back({"count(n)", [](const Rows& rows) {
                   int64_t c = 0;
                   for (const Row* r : rows) c += r->n.has_value();
                   return Value{c};
                 }});
  out.push_back({"sum(n)", [](const Rows& rows) {
                   std::optional<int64_t> s;
                   for (const Row* r : rows) {
                     if (r->n) s = s.value_or(0) + *r->n;
                   }
                   return s ? Value{*s} : Value{};
                 }});
  out.push_back({"sum(v)", [](const Rows& rows) {
                   std::optional<double> s;
                   for (const Row* r : rows) {
                     if (r->v) s = s.value_or(0) + *r->v;
                   }
                   return s ? Value{*s} : Value{};
                 }});
  out.push_back({"avg(v)", [](const Rows& rows) {
                   double s = 0;
                   int64_t c = 0;
                   for (const Row* r : rows) {
                     if (r->v) {
                       s += *r->v;
                       ++c;
                     }
                   }
                   return c ? Value{s / static_cast<double>(c)} : Value{};
                 }});
  out.push_back({"min(n)", [](const Rows& rows) {
                   std::optional<int64_t> m;
                   for (const Row* r : rows) {
                     if (r->n && (!m || *r->n < *m)) m = r->n;
                   }
                   return m ? Value{*m} : Value{};
                 }});
  out.push_back({"max(host)", [](const Rows& rows) {
                   std::optional<std::string> m;
                   for (const Row* r : rows) {
                     if (r->host && (!m || *r->host > *m)) m = r->host;
                   }
                   return m ? Value{*m} : Value{};
                 }});
  out.push_back({"first(n)", [](const Rows& rows) {
                   const Row* best = nullptr;
                   for (const Row* r : rows) {
                     if (r->n && (best == nullptr || r->t <= best->t)) best = r;
                   }
                   return best ? Value{*best->n} : Value{};
                 }});
  out.push_back({"last(v)", [](const Rows& rows) {
                   const Row* best = nullptr;
                   for (const Row* r : rows) {
                     if (r->v && (best == nullptr || r->t >= best->t)) best = r;
                   }
                   return best ? Value{*best->v} : Value{};
                 }});
  // Percentiles of a column another percentile also reads select from one gathered
  // copy (AggregateSpec::gathers_with) when a query asks for both.
  out.push_back(reference_percentile_of("median(v)", &Row::v, 0.5));
  out.push_back(reference_percentile_of("percentile(v, 0.9)", &Row::v, 0.9));
  out.push_back(reference_percentile_of("percentile(n, 0.25)", &Row::n, 0.25));
  out.push_back(reference_percentile_of("percentile(n, 0.75)", &Row::n, 0.75));
  out.push_back({"count(DISTINCT host)", [](const Rows& rows) {
                   std::set<std::string> s;
                   for (const Row* r : rows) {
                     if (r->host) s.insert(*r->host);
                   }
                   return Value{static_cast<int64_t>(s.size())};
                 }});
  out.push_back({"count_if(" + filter.sql + ")", [filter](const Rows& rows) {
                   int64_t c = 0;
                   for (const Row* r : rows) {
                     Opt3 x = filter.eval(*r);
                     c += x && *x;
                   }
                   return Value{c};
                 }});
  out.push_back({"sla_pct(v, 2.5)", [](const Rows& rows) {
                   int64_t total = 0, ok = 0;
                   for (const Row* r : rows) {
                     if (!r->v) continue;
                     ++total;
                     ok += *r->v <= 2.5;
                   }
                   return total
                              ? Value{100.0 * static_cast<double>(ok) / static_cast<double>(total)}
                              : Value{};
                 }});
  // Integer column: an integer target compares exactly, a float one as doubles.
  for (const auto& [sql, target] : {std::pair<std::string, double>{"sla_pct(n, 3)", 3.0},
                                    std::pair<std::string, double>{"sla_pct(n, 2.5)", 2.5}}) {
    out.push_back({sql, [target](const Rows& rows) {
                     int64_t total = 0, ok = 0;
                     for (const Row* r : rows) {
                       if (!r->n) continue;
                       ++total;
                       ok += static_cast<double>(*r->n) <= target;
                     }
                     return total ? Value{100.0 * static_cast<double>(ok) /
                                          static_cast<double>(total)}
                                  : Value{};
                   }});
  }
  out.push_back({"count_if(b) FILTER (WHERE " + filter.sql + ")", [filter](const Rows& rows) {
                   int64_t c = 0;
                   for (const Row* r : rows) {
                     Opt3 x = filter.eval(*r);
                     c += x && *x && r->b && *r->b;
                   }
                   return Value{c};
                 }});
  out.push_back(
      {"percentile(v, 0.9) FILTER (WHERE " + filter.sql + ")", [filter](const Rows& rows) {
         std::vector<double> vals;
         for (const Row* r : rows) {
           Opt3 x = filter.eval(*r);
           if (x && *x && r->v) vals.push_back(*r->v);
         }
         auto p = reference_percentile(vals, 0.9);
         return p ? Value{*p} : Value{};
       }});
  out.push_back({"sum(n) FILTER (WHERE " + filter.sql + ")", [filter](const Rows& rows) {
                   std::optional<int64_t> s;
                   for (const Row* r : rows) {
                     Opt3 x = filter.eval(*r);
                     if (x && *x && r->n) s = s.value_or(0) + *r->n;
                   }
                   return s ? Value{*s} : Value{};
                 }});
  out.push_back({"sum(n) / count(*)", [](const Rows& rows) {
                   std::optional<int64_t> s;
                   for (const Row* r : rows) {
                     if (r->n) s = s.value_or(0) + *r->n;
                   }
                   if (!s || rows.empty()) return Value{};
                   return Value{static_cast<double>(*s) / static_cast<double>(rows.size())};
                 }});
  return out;
}

// ---- Table generation ------------------------------------------------------------

engine::TableSchema table_schema() {
  engine::TableSchema s;
  s.name = "t";
  s.columns = {{"time", engine::ColumnKind::kTime, storage::ColumnType::kInt64},
               {"tenant", engine::ColumnKind::kTag, storage::ColumnType::kString},
               {"host", engine::ColumnKind::kTag, storage::ColumnType::kString},
               {"v", engine::ColumnKind::kField, storage::ColumnType::kFloat64},
               {"n", engine::ColumnKind::kField, storage::ColumnType::kInt64},
               {"b", engine::ColumnKind::kField, storage::ColumnType::kBool}};
  return s;
}

// Fills `engine` with random blocks; returns the live rows in write order.
std::vector<Row> make_table(Generator& gen, tessera::testing::MemoryEngine& engine) {
  engine.put_table(table_schema());
  std::vector<Row> live;
  const int blocks = gen.pick(4) + 1;
  for (int k = 0; k < blocks; ++k) {
    // A clustered block (one tenant, one host, one 10 s bucket, as sorted
    // segments hold) lets aggregates be answered from its statistics. A sorted
    // block (one tenant, long runs of one host, often without NULLs) takes the
    // run-by-run aggregation and skips conditions its statistics prove.
    const bool clustered = gen.chance(40);
    const bool sorted = !clustered && gen.chance(35);
    const bool dense = sorted && gen.chance(70);
    const int rows = sorted ? 40 + gen.pick(200) : gen.pick(25);
    std::vector<Row> block_rows(static_cast<size_t>(rows));
    std::vector<uint8_t> mask;
    // Clustered blocks with a mask fold from their live rows' statistics.
    const bool has_mask = gen.chance(30);
    const int64_t bucket = gen.pick(6) * 10;
    std::optional<std::string> block_tenant;
    if (!gen.chance(15)) block_tenant = std::string(1, static_cast<char>('a' + gen.pick(3)));
    const std::optional<std::string> block_host = gen.tag("h", 4);
    for (Row& r : block_rows) {
      if (clustered) {
        r.t = kBase + (bucket + gen.pick(10)) * kSecond;
        r.tenant = block_tenant;
        r.host = block_host;
      } else if (sorted) {
        r.t = kBase + gen.pick(60) * kSecond;
        r.tenant = block_tenant;
        r.host = gen.tag("h", 4);
      } else {
        r.t = kBase + gen.pick(60) * kSecond;
        if (!gen.chance(15)) r.tenant = std::string(1, static_cast<char>('a' + gen.pick(3)));
        r.host = gen.tag("h", 4);
      }
      if (dense || !gen.chance(20)) r.v = gen.pick(10) * 0.5;
      if (dense || !gen.chance(20)) r.n = gen.pick(9) - 1;
      if (!gen.chance(30)) r.b = gen.chance(50);
      if (has_mask) mask.push_back(gen.chance(75) ? 1 : 0);
    }
    if (sorted) {
      // Series order: by host (NULL first, as partition_sort puts it), then time.
      std::stable_sort(block_rows.begin(), block_rows.end(), [](const Row& a, const Row& b) {
        return std::tie(a.host, a.t) < std::tie(b.host, b.t);
      });
    }
    storage::Block block;
    std::vector<std::optional<std::string>> tenants, hosts;
    std::vector<std::optional<double>> vs;
    std::vector<std::optional<int64_t>> ns;
    std::vector<std::optional<bool>> bs;
    for (const Row& r : block_rows) {
      block.time_ns.push_back(r.t);
      tenants.push_back(r.tenant);
      hosts.push_back(r.host);
      vs.push_back(r.v);
      ns.push_back(r.n);
      bs.push_back(r.b);
    }
    // Some blocks lack a column entirely: every row is NULL there.
    auto maybe_add = [&](const std::string& name, storage::Column column, auto& values) {
      if (gen.chance(15)) {
        for (auto& v : values) v.reset();
        return;
      }
      block.column_names.push_back(name);
      block.columns.push_back(std::move(column));
    };
    maybe_add("tenant", tessera::testing::string_column(tenants), tenants);
    maybe_add("host", tessera::testing::string_column(hosts), hosts);
    maybe_add("v", tessera::testing::float_column(vs), vs);
    maybe_add("n", tessera::testing::int_column(ns), ns);
    maybe_add("b", tessera::testing::bool_column(bs), bs);
    for (size_t i = 0; i < block_rows.size(); ++i) {
      if (has_mask && mask[i] == 0) continue;
      Row r = block_rows[i];
      r.tenant = tenants[i];
      r.host = hosts[i];
      r.v = vs[i];
      r.n = ns[i];
      r.b = bs[i];
      live.push_back(r);
    }
    engine.add_block("t", std::move(block), mask);
  }
  return live;
}

bool values_match(const Value& a, const Value& b) {
  const double* x = std::get_if<double>(&a);
  const double* y = std::get_if<double>(&b);
  if (x && y) return std::fabs(*x - *y) <= 1e-9 * std::max(1.0, std::fabs(*y));
  return testing::render(a) == testing::render(b);
}

std::string render_rows(const std::vector<std::vector<Value>>& rows) {
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out += "|";
      out += testing::render(row[i]);
    }
    out += "\n";
  }
  return out;
}

// Each query runs three times: on the calling thread alone; split into up to six
// ranges of blocks (one per thread) that five scan workers help read; and in up to
// three ranges on three background workers (at a lower priority) while the caller
// waits. The ranges' partial results must merge into the same answer.
TEST(SelectExecutorTest, MatchesBruteForceReferenceOnRandomTablesAndQueries) {
  ScanWorkers workers(5);
  ScanWorkers background(3, 1);
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Generator gen(seed);
    tessera::testing::MemoryEngine engine;
    std::vector<Row> rows = make_table(gen, engine);

    QueryContext context;
    context.now_ns = kBase;
    std::optional<std::string> reader_tenant;
    if (gen.chance(25)) {
      context.role = Role::kReader;
      context.tenant = "a";
      reader_tenant = "a";
    }
    const bool has_where = gen.chance(70);
    const Cond where = gen.condition(2);
    const Cond filter = gen.condition(1);
    std::vector<const Row*> matched;
    for (const Row& r : rows) {
      if (reader_tenant && r.tenant != reader_tenant) continue;
      if (has_where) {
        Opt3 x = where.eval(r);
        if (!x || !*x) continue;
      }
      matched.push_back(&r);
    }
    const std::string where_sql = has_where ? " WHERE " + where.sql : "";

    std::string sql;
    std::vector<std::vector<Value>> expected;
    if (gen.chance(25)) {
      // Raw rows: default order is time, then write order.
      sql = "SELECT time, host, n FROM t" + where_sql;
      std::vector<const Row*> ordered = matched;
      std::stable_sort(ordered.begin(), ordered.end(),
                       [](const Row* a, const Row* b) { return a->t < b->t; });
      for (const Row* r : ordered) {
        expected.push_back({Value{Timestamp{r->t}}, r->host ? Value{*r->host} : Value{},
                            r->n ? Value{*r->n} : Value{}});
      }
    } else {
      const int grouping = gen.pick(5);  // none, host, tenant+host, time(10s), time(10s)+host
      const bool by_time = grouping >= 3;
      const bool by_host = grouping == 1 || grouping == 2 || grouping == 4;
      const bool by_tenant = grouping == 2;
      std::vector<RefAggregate> all = reference_aggregates(filter);
      std::vector<RefAggregate> chosen;
      // Often only aggregates that block statistics can answer (the first six).
      const size_t candidates = gen.chance(40) ? 6 : all.size();
      for (size_t i = 0; i < candidates; ++i) {
        if (gen.chance(35)) chosen.push_back(all[i]);
      }
      if (chosen.empty()) chosen.push_back(all[0]);
      sql = "SELECT ";
      for (size_t i = 0; i < chosen.size(); ++i) sql += (i ? ", " : "") + chosen[i].sql;
      sql += " FROM t" + where_sql;
      std::vector<std::string> keys;
      if (by_time) keys.push_back("time(10s)");
      if (by_tenant) keys.push_back("tenant");
      if (by_host) keys.push_back("host");
      if (!keys.empty()) {
        sql += " GROUP BY ";
        for (size_t i = 0; i < keys.size(); ++i) sql += (i ? ", " : "") + keys[i];
      }
      // Group rows by key; std::map with a NULL-last ordering of the key values.
      using Key = std::vector<Value>;
      auto key_less = [](const Key& a, const Key& b) {
        for (size_t i = 0; i < a.size(); ++i) {
          const bool an = is_null(a[i]), bn = is_null(b[i]);
          if (an != bn) return bn;
          if (an) continue;
          if (testing::render(a[i]) != testing::render(b[i])) {
            if (const Timestamp* x = std::get_if<Timestamp>(&a[i]))
              return x->ns < std::get<Timestamp>(b[i]).ns;
            return std::get<std::string>(a[i]) < std::get<std::string>(b[i]);
          }
        }
        return false;
      };
      std::map<Key, std::vector<const Row*>, decltype(key_less)> groups(key_less);
      if (keys.empty()) groups[Key{}];
      for (const Row* r : matched) {
        Key k;
        if (by_time) k.push_back(Value{Timestamp{r->t - (r->t % (10 * kSecond))}});
        if (by_tenant) k.push_back(r->tenant ? Value{*r->tenant} : Value{});
        if (by_host) k.push_back(r->host ? Value{*r->host} : Value{});
        groups[k].push_back(r);
      }
      // HAVING count(*) >= 2 (count(*) need not be selected).
      const bool has_having = !keys.empty() && gen.chance(30);
      if (has_having) sql += " HAVING count(*) >= 2";
      for (const auto& [key, members] : groups) {
        if (has_having && members.size() < 2) continue;
        std::vector<Value> row = key;
        for (const RefAggregate& a : chosen) row.push_back(a.eval(members));
        expected.push_back(std::move(row));
      }
      // ORDER BY the first aggregate (by its text), stable over the default order.
      if (gen.chance(40)) {
        const bool desc = gen.chance(50);
        sql += " ORDER BY " + chosen[0].sql + (desc ? " DESC" : "");
        // Then, at times, every group key in the default order's place: the same
        // order, which the executor reaches without the default order's sort.
        if (gen.chance(50)) {
          for (const std::string& key : keys) sql += key == "time(10s)" ? ", time" : ", " + key;
        }
        const size_t col = keys.size();
        auto number = [](const Value& v) {
          if (const int64_t* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
          if (const double* d = std::get_if<double>(&v)) return *d;
          return 0.0;
        };
        std::stable_sort(expected.begin(), expected.end(), [&](const auto& a, const auto& b) {
          const bool an = is_null(a[col]), bn = is_null(b[col]);
          // PostgreSQL: NULLs last ascending, first descending.
          if (an || bn) return an != bn && (desc ? an : bn);
          if (const std::string* x = std::get_if<std::string>(&a[col])) {
            const std::string& y = std::get<std::string>(b[col]);
            return desc ? *x > y : *x < y;
          }
          return desc ? number(a[col]) > number(b[col]) : number(a[col]) < number(b[col]);
        });
      }
    }
    if (gen.chance(30)) {
      const size_t limit = static_cast<size_t>(gen.pick(4));
      sql += " LIMIT " + std::to_string(limit);
      if (expected.size() > limit) expected.resize(limit);
    }
    SCOPED_TRACE(sql);
    enum class Scan { kCaller, kRanges, kBackground };
    for (const Scan scan : {Scan::kCaller, Scan::kRanges, Scan::kBackground}) {
      SCOPED_TRACE(scan == Scan::kCaller   ? "on the calling thread"
                   : scan == Scan::kRanges ? "in ranges on scan workers"
                                           : "in ranges on background workers");
      context.scan_workers = scan == Scan::kRanges ? &workers : nullptr;
      context.background_workers = scan == Scan::kBackground ? &background : nullptr;
      context.background_scan_rows = 1;
      context.min_rows_per_scan_range =
          scan == Scan::kCaller ? QueryContext{}.min_rows_per_scan_range : 1;
      auto result = run_query(engine, sql, context);
      ASSERT_TRUE(result.is_ok()) << result.status().to_string();
      bool same = result->rows.size() == expected.size();
      for (size_t i = 0; same && i < expected.size(); ++i) {
        same = result->rows[i].size() == expected[i].size();
        for (size_t j = 0; same && j < expected[i].size(); ++j) {
          same = values_match(result->rows[i][j], expected[i][j]);
        }
      }
      EXPECT_TRUE(same) << "got:\n"
                        << render_rows(result->rows) << "expected:\n"
                        << render_rows(expected);
    }
  }
}

// A condition on one string column is evaluated once per dictionary entry; a code
// past the dictionary (damage the decoder did not catch) fails the query cleanly.
TEST(SelectExecutorTest, ReportsADictionaryCodeOutOfRangeAsCorruption) {
  tessera::testing::MemoryEngine engine;
  engine.put_table(table_schema());
  storage::Block block;
  std::vector<std::optional<std::string>> hosts;
  for (int i = 0; i < 8; ++i) {
    block.time_ns.push_back(kBase + i * kSecond);
    hosts.push_back(i % 2 == 0 ? "h1" : "h2");  // statistics cannot answer host = 'h1'
  }
  block.column_names = {"host"};
  block.columns = {tessera::testing::string_column(hosts)};
  // Statistics of the intact block (computing them from the damaged one would read
  // past the dictionary), then the damage: the dictionary has two entries.
  storage::BlockStats stats = storage::compute_stats(block);
  block.columns[0].codes[5] = 7;
  engine.add_block_with_stats("t", std::move(block), std::move(stats));

  QueryContext context;
  // A condition, an equality filter, and grouping by one tag (one pass over codes)
  // and by the tag and time (the general group lookup).
  for (const char* sql :
       {"SELECT count_if(host = 'h1') FROM t", "SELECT count(*) FROM t WHERE host = 'h1'",
        "SELECT host, count(*) FROM t GROUP BY host",
        "SELECT host, count(*) FROM t GROUP BY time(1s), host"}) {
    SCOPED_TRACE(sql);
    auto result = run_query(engine, sql, context);
    ASSERT_FALSE(result.is_ok());
    EXPECT_EQ(result.error().code, ErrorCode::kCorruption);
    EXPECT_NE(result.error().message.find("code is out of range"), std::string::npos)
        << result.error().message;
  }
}

}  // namespace
}  // namespace tessera::query
