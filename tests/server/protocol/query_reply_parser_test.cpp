#include "server/protocol/query_reply_parser.h"

#include <gtest/gtest.h>

namespace tessera::server {
namespace {

TEST(QueryReplyParserTest, ParsesOkAndErrStatusLines) {
  auto ok = parse_reply_status("OK 2 10 345");
  ASSERT_TRUE(ok.is_ok());
  EXPECT_TRUE(ok->is_ok);
  EXPECT_EQ(ok->columns, 2u);
  EXPECT_EQ(ok->rows, 10u);
  EXPECT_EQ(ok->elapsed_us, 345u);
  auto err = parse_reply_status("ERR unknown_table no table \"x\"");
  ASSERT_TRUE(err.is_ok());
  EXPECT_FALSE(err->is_ok);
  EXPECT_EQ(err->error_code, "unknown_table");
  EXPECT_EQ(err->error_message, "no table \"x\"");
}

TEST(QueryReplyParserTest, RejectsMalformedStatusLines) {
  for (const char* bad : {"", "OK", "OK 1 2", "OK 1 2 3 4", "OK a 2 3", "OK -1 2 3", "hello",
                          "OK 100001 0 0", "OK 1 2 3x"}) {
    EXPECT_FALSE(parse_reply_status(bad).is_ok()) << bad;
  }
}

TEST(QueryReplyParserTest, SplitsAndUnescapesCells) {
  auto row = split_row("a\\tb\t\\N\t\\\\N\t\tx\\ny", 5);
  ASSERT_TRUE(row.is_ok());
  ASSERT_EQ(row->size(), 5u);
  EXPECT_EQ((*row)[0], "a\tb");
  EXPECT_EQ((*row)[1], std::nullopt);
  EXPECT_EQ((*row)[2], "\\N");
  EXPECT_EQ((*row)[3], "");
  EXPECT_EQ((*row)[4], "x\ny");
  EXPECT_TRUE(split_row("", 0)->empty());
  EXPECT_FALSE(split_row("a\tb", 3).is_ok());
  EXPECT_FALSE(split_row("a\\", 1).is_ok());
  EXPECT_FALSE(split_row("a\\q", 1).is_ok());
}

}  // namespace
}  // namespace tessera::server
