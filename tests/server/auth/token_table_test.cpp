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
       "tokens file line 1: field 2 (the role) is not admin, service, writer or reader"},
      {"# c\n\nr reader\n", "tokens file line 3: role reader requires tenant=<id>"},
      {"a admin tenant=x\n", "tokens file line 1: role admin cannot have a tenant"},
      {"a service tenant=x\n", "tokens file line 1: role service cannot have a tenant"},
      {"w writer tenant=\n", "tokens file line 1: field 3 must be tenant=<id> with a non-empty id"},
      {"w writer team=x\n", "tokens file line 1: field 3 must be tenant=<id> with a non-empty id"},
      {"a admin\na service\n", "tokens file line 2: duplicate token (first on line 1)"},
      {"a writer tenant=x extra\n",
       "tokens file line 1: expected \"<token> <role> [tenant=<id>]\", got 4 fields"},
  };
  for (const auto& [text, message] : cases) {
    auto table = TokenTable::parse(text);
    ASSERT_FALSE(table.is_ok()) << text;
    EXPECT_EQ(table.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(table.error().message, message);
  }
  EXPECT_EQ(TokenTable::parse(std::string(513, 't') + " admin\n").error().message,
            "tokens file line 1: field 1 (the token) is longer than 512 bytes");
}

// Issue 5: a line with its fields swapped or shifted puts a token where the role
// or the tenant belongs; the error (printed at start-up, often into logs) must
// name the line and the field, never repeat what is in it.
TEST(TokenTableTest, ErrorsNeverEchoAField) {
  const char* lines[] = {
      "admin s3cret\n",
      "reader s3cret tenant=t\n",
      "w writer s3cret\n",
      "w writer tenant=s3cret extra\n",
      "s3cret\n",
      "r reader s3cret\n",
      "dup7x admin\ndup7y service\ndup7x admin\n",
  };
  for (const char* text : lines) {
    auto table = TokenTable::parse(text);
    ASSERT_FALSE(table.is_ok()) << text;
    const std::string& message = table.error().message;
    EXPECT_TRUE(message.starts_with("tokens file line ")) << message;
    for (const char* secret : {"s3cret", "dup7"}) {
      EXPECT_EQ(message.find(secret), std::string::npos) << text << " -> " << message;
    }
  }
}

TEST(TokenTableTest, FindsADuplicateAmongManyTokens) {
  std::string text;
  const int kTokens = 50'000;
  for (int i = 0; i < kTokens; ++i) text += "tok" + std::to_string(i) + " service\n";
  auto table = TokenTable::parse(text);
  ASSERT_TRUE(table.is_ok()) << table.error().message;
  EXPECT_EQ(table->size(), static_cast<size_t>(kTokens));
  EXPECT_EQ(table->find("tok49999"), (Principal{query::Role::kService, std::nullopt}));
  auto duplicate = TokenTable::parse(text + "tok123 reader tenant=t\n");
  ASSERT_FALSE(duplicate.is_ok());
  EXPECT_EQ(duplicate.error().message,
            "tokens file line 50001: duplicate token (first on line 124)");
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
