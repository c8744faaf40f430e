#include "server/protocol/sync_ack.h"

#include <gtest/gtest.h>

#include "server/protocol/control_line.h"

namespace tessera::server {
namespace {

TEST(SyncAckTest, ReportsCountsSinceThePreviousSync) {
  SyncAck ack;
  ack.add_accepted(3);
  ack.add_rejected(2, "col 5: bad field");
  EXPECT_EQ(ack.take_reply("a"), "err 2 col 5: bad field\nok a accepted=3 rejected=1\n");
  EXPECT_EQ(ack.take_reply("b"), "ok b accepted=0 rejected=0\n");
}

TEST(SyncAckTest, CapsErrLinesAtOneHundredAndCountsTheRest) {
  SyncAck ack;
  std::string expected;
  for (uint64_t i = 1; i <= 250; ++i) {
    ack.add_rejected(i, "bad");
    if (i <= 100) expected += "err " + std::to_string(i) + " bad\n";
  }
  expected += "err - 150 more rejected lines omitted\nok 7 accepted=0 rejected=250\n";
  EXPECT_EQ(ack.take_reply("7"), expected);
}

TEST(SyncAckTest, ExactlyOneHundredRejectionsHaveNoOmittedLine) {
  SyncAck ack;
  for (uint64_t i = 1; i <= 100; ++i) ack.add_rejected(i, "x");
  const std::string reply = ack.take_reply("s");
  EXPECT_EQ(reply.find("omitted"), std::string::npos);
  EXPECT_TRUE(reply.ends_with("ok s accepted=0 rejected=100\n"));
}

TEST(SyncAckTest, FlattensMultiLineReasons) {
  SyncAck ack;
  ack.add_rejected(4, "a\nb");
  EXPECT_EQ(ack.take_reply("x"), "err 4 a b\nok x accepted=0 rejected=1\n");
}

TEST(SyncAckTest, FailedSyncRepliesWithoutOk) {
  SyncAck ack;
  ack.add_accepted(5);
  ack.add_rejected(1, "bad");
  EXPECT_EQ(ack.take_failed_reply("sync failed: disk full"),
            "err 1 bad\nerr - sync failed: disk full\n");
  EXPECT_EQ(ack.take_reply("n"), "ok n accepted=0 rejected=0\n");
}

TEST(ControlLineTest, ClassifiesDataCommentsAndControls) {
  EXPECT_EQ(parse_control_line("cpu v=1")->kind, ControlKind::kData);
  EXPECT_EQ(parse_control_line("")->kind, ControlKind::kData);
  EXPECT_EQ(parse_control_line("# a comment")->kind, ControlKind::kComment);
  EXPECT_EQ(parse_control_line("#authority x")->kind, ControlKind::kComment);
  EXPECT_EQ(parse_control_line("#")->kind, ControlKind::kComment);

  auto auth = parse_control_line("#auth s3cret");
  ASSERT_TRUE(auth.is_ok());
  EXPECT_EQ(auth->kind, ControlKind::kAuth);
  EXPECT_EQ(auth->argument, "s3cret");

  auto sync = parse_control_line("#sync 42 ");
  ASSERT_TRUE(sync.is_ok());
  EXPECT_EQ(sync->kind, ControlKind::kSync);
  EXPECT_EQ(sync->argument, "42");
  EXPECT_EQ(parse_control_line("#sync")->argument, "-");
}

TEST(ControlLineTest, ParsesEveryPrecision) {
  EXPECT_EQ(parse_control_line("#precision s")->precision, engine::Precision::kSeconds);
  EXPECT_EQ(parse_control_line("#precision ms")->precision, engine::Precision::kMilliseconds);
  EXPECT_EQ(parse_control_line("#precision us")->precision, engine::Precision::kMicroseconds);
  EXPECT_EQ(parse_control_line("#precision ns")->precision, engine::Precision::kNanoseconds);
}

TEST(ControlLineTest, RejectsMalformedControlLines) {
  EXPECT_EQ(parse_control_line("#precision h").error().message,
            "#precision: expected s, ms, us or ns, got \"h\"");
  EXPECT_EQ(parse_control_line("#precision").error().message,
            "#precision: expected s, ms, us or ns, got \"\"");
  EXPECT_EQ(parse_control_line("#auth").error().message, "#auth needs a token");
  EXPECT_FALSE(parse_control_line("#auth a b").is_ok());
  EXPECT_FALSE(parse_control_line("#sync a b").is_ok());
  EXPECT_EQ(parse_control_line("#sync " + std::string(129, 'i')).error().message,
            "#sync id longer than 128 bytes");
  EXPECT_TRUE(parse_control_line("#sync " + std::string(128, 'i')).is_ok());
}

}  // namespace
}  // namespace tessera::server
