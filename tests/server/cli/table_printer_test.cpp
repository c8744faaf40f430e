#include "server/cli/table_printer.h"

#include <gtest/gtest.h>

namespace tessera::server {
namespace {

TEST(TablePrinterTest, AlignsColumnsAndRightAlignsNumbers) {
  const std::string table =
      format_table({"tenant", "roas"}, {{std::string("ws_0007"), std::string("1.5")},
                                        {std::string("b"), std::nullopt},
                                        {std::string("tab\there"), std::string("12")}});
  EXPECT_EQ(table,
            "tenant    | roas\n"
            "----------+-----\n"
            "ws_0007   |  1.5\n"
            "b         | NULL\n"
            "tab\\there |   12\n"
            "(3 rows)\n");
}

TEST(TablePrinterTest, CountsUtf8CodePointsForWidth) {
  EXPECT_EQ(format_table({"x"}, {{std::string("\xc3\xa9t\xc3\xa9")}}),
            "x\n---\n\xc3\xa9t\xc3\xa9\n(1 row)\n");
}

}  // namespace
}  // namespace tessera::server
