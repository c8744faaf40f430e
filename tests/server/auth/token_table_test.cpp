#include "server/auth/token_table.h"

#include <gtest/gtest.h>

#include "server/auth/constant_time.h"

namespace tessera::server {
namespace {

TEST(TokenTableTest, ParsesRolesTenantsCommentsAndBlankLines) {
  auto table = TokenTable::parse(
      "# tokens\n"
      "\n"
      "adm1n admin\n"
      "svc\tservice\r\n"
      "  w1 writer tenant=ws_0007\n"
      "w2 writer\n"
      "r1 reader tenant=shop-042.myshopify.com\n");
  ASSERT_TRUE(table.is_ok()) << table.error().message;
  EXPECT_EQ(table->size(), 5u);
  EXPECT_EQ(table->find("adm1n"), (Principal{query::Role::kAdmin, std::nullopt}));
  EXPECT_EQ(table->find("svc"), (Principal{query::Role::kService, std::nullopt}));
  EXPECT_EQ(table->find("w1"), (Principal{query::Role::kWriter, "ws_0007"}));
  EXPECT_EQ(table->find("w2"), (Principal{query::Role::kWriter, std::nullopt}));
  EXPECT_EQ(table->find("r1"), (Principal{query::Role::kReader, "shop-042.myshopify.com"}));
  EXPECT_EQ(table->find("r"), std::nullopt);
  EXPECT_EQ(table->find("r1 "), std::nullopt);
  EXPECT_EQ(table->find(""), std::nullopt);
}

TEST(TokenTableTest, ReportsMalformedLinesWithTheirNumber) {
  const std::pair<const char*, const char*> cases[] = {
      {"a admin\nlonely\n",
       "tokens file line 2: expected \"<token> <role> [tenant=<id>]\", got 1 fields"},
      {"a root\n",
       "tokens file line 1: unknown role \"root\" (expected admin, service, writer or reader)"},
      {"# c\n\nr reader\n", "tokens file line 3: role reader requires tenant=<id>"},
      {"a admin tenant=x\n", "tokens file line 1: role admin cannot have a tenant"},
      {"a service tenant=x\n", "tokens file line 1: role service cannot have a tenant"},
      {"w writer tenant=\n", "tokens file line 1: expected tenant=<id>, got \"tenant=\""},
      {"w writer team=x\n", "tokens file line 1: expected tenant=<id>, got \"team=x\""},
      {"a admin\na service\n", "tokens file line 2: duplicate token"},
      {"a writer tenant=x extra\n",
       "tokens file line 1: expected \"<token> <role> [tenant=<id>]\", got 4 fields"},
  };
  for (const auto& [text, message] : cases) {
    auto table = TokenTable::parse(text);
    ASSERT_FALSE(table.is_ok()) << text;
    EXPECT_EQ(table.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(table.error().message, message);
  }
  EXPECT_FALSE(TokenTable::parse(std::string(513, 't') + " admin\n").is_ok());
}

TEST(TokenTableTest, LoadReportsMissingFile) {
  auto table = TokenTable::load("/nonexistent/tessera/tokens");
  ASSERT_FALSE(table.is_ok());
  EXPECT_EQ(table.error().code, ErrorCode::kIoError);
}

TEST(ConstantTimeTest, ComparesLikeEquality) {
  const char* samples[] = {"",    "a",    "b",   "ab",        "abc",
                           "abd", "abcd", "\0x", "token-123", "token-124"};
  for (const char* a : samples) {
    for (const char* b : samples) {
      EXPECT_EQ(constant_time_equals(a, b), std::string_view(a) == std::string_view(b))
          << a << " vs " << b;
    }
  }
  EXPECT_FALSE(constant_time_equals(std::string_view("a\0", 2), std::string_view("a", 1)));
  EXPECT_TRUE(constant_time_equals(std::string(1000, 'z'), std::string(1000, 'z')));
}

TEST(PrincipalTest, OnlyServiceAndWritersIngest) {
  EXPECT_TRUE(can_ingest({query::Role::kService, std::nullopt}));
  EXPECT_TRUE(can_ingest({query::Role::kWriter, "t"}));
  EXPECT_FALSE(can_ingest({query::Role::kAdmin, std::nullopt}));
  EXPECT_FALSE(can_ingest({query::Role::kReader, "t"}));
  EXPECT_EQ(ingest_tenant_scope({query::Role::kWriter, "t"}), "t");
  EXPECT_EQ(ingest_tenant_scope({query::Role::kService, std::nullopt}), std::nullopt);
}

}  // namespace
}  // namespace tessera::server
