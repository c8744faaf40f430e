// Aggregate binding: an aggregate written more than once in a statement gets one
// slot (the scan computes it once), while aggregates that differ in function,
// argument or FILTER keep slots of their own.
#include "query/expr_binder.h"

#include <gtest/gtest.h>

#include "query/binder.h"
#include "query/parser.h"

namespace tessera::query {
namespace {

engine::TableSchema schema() {
  engine::TableSchema s;
  s.name = "ads";
  s.columns = {{"time", engine::ColumnKind::kTime, storage::ColumnType::kInt64},
               {"tenant", engine::ColumnKind::kTag, storage::ColumnType::kString},
               {"spend", engine::ColumnKind::kField, storage::ColumnType::kFloat64},
               {"clicks", engine::ColumnKind::kField, storage::ColumnType::kInt64}};
  return s;
}

std::vector<std::string> aggregate_texts(const std::string& sql) {
  auto statement = parse_statement(sql);
  EXPECT_TRUE(statement.is_ok()) << sql;
  QueryContext context;
  auto plan = bind_select(std::get<SelectStmt>(statement.value()), schema(), context);
  EXPECT_TRUE(plan.is_ok()) << plan.error().message;
  std::vector<std::string> texts;
  for (const AggregateSpec& spec : plan->aggregates) {
    texts.push_back(spec.text + (spec.filter ? " [" + spec.filter->text + "]" : ""));
  }
  return texts;
}

TEST(ExprBinderTest, RepeatedAggregatesShareOneSlot) {
  EXPECT_EQ(aggregate_texts("SELECT 100.0 * sum(clicks) / sum(spend), sum(spend) / sum(clicks), "
                            "sum(spend) FROM ads HAVING sum(spend) > 1 ORDER BY sum(clicks)"),
            (std::vector<std::string>{"sum(clicks)", "sum(spend)"}));
}

TEST(ExprBinderTest, AggregatesThatDifferKeepTheirOwnSlots) {
  EXPECT_EQ(aggregate_texts("SELECT sum(spend), avg(spend), sum(clicks), "
                            "sum(spend) FILTER (WHERE tenant = 'a'), "
                            "sum(spend) FILTER (WHERE tenant = 'b'), "
                            "sum(spend) FILTER (WHERE tenant = 'a') FROM ads"),
            (std::vector<std::string>{"sum(spend)", "avg(spend)", "sum(clicks)",
                                      "sum(spend) FILTER (WHERE tenant = 'a') [tenant = 'a']",
                                      "sum(spend) FILTER (WHERE tenant = 'b') [tenant = 'b']"}));
}

}  // namespace
}  // namespace tessera::query
