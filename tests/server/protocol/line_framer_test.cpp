#include "server/protocol/line_framer.h"

#include <gtest/gtest.h>

#include <random>

namespace tessera::server {
namespace {

// "<number>:<text>" or "<number>:OVERSIZE" per line, so failures read easily.
std::string render(const std::vector<FramedLine>& lines) {
  std::string out;
  for (const auto& l : lines) {
    out += std::to_string(l.line_number) + ":" +
           (l.is_oversize ? "OVERSIZE" : std::string(l.text)) + "|";
  }
  return out;
}

std::string feed_all(LineFramer& framer, const std::vector<std::string>& chunks,
                     bool finish = true) {
  std::string out;
  for (const auto& chunk : chunks) {
    std::vector<FramedLine> lines;
    framer.feed(chunk, lines);
    out += render(lines);  // views are valid until the next feed
  }
  if (finish) {
    std::vector<FramedLine> lines;
    framer.finish(lines);
    out += render(lines);
  }
  return out;
}

TEST(LineFramerTest, SplitsCompleteLinesAndNumbersFromOne) {
  LineFramer framer;
  EXPECT_EQ(feed_all(framer, {"a\nbb\n\n#sync 1\n"}), "1:a|2:bb|3:|4:#sync 1|");
  EXPECT_EQ(framer.lines_seen(), 4u);
}

TEST(LineFramerTest, JoinsLinesSplitAcrossFeeds) {
  LineFramer framer;
  EXPECT_EQ(feed_all(framer, {"cpu va", "lue=1", "\ncpu value=2\nm", "", "em x=3\n"}),
            "1:cpu value=1|2:cpu value=2|3:mem x=3|");
}

TEST(LineFramerTest, StripsCarriageReturnEvenWhenSplitFromNewline) {
  LineFramer framer;
  EXPECT_EQ(feed_all(framer, {"a\r\nb\r", "\nc\r\n"}), "1:a|2:b|3:c|");
}

TEST(LineFramerTest, FinishEmitsUnterminatedLastLine) {
  LineFramer framer;
  EXPECT_EQ(feed_all(framer, {"a\nlast"}), "1:a|2:last|");
  LineFramer empty;
  EXPECT_EQ(feed_all(empty, {"a\n"}), "1:a|");
}

TEST(LineFramerTest, RejectsOversizeLineInOneChunkAndContinues) {
  LineFramer framer(4);
  EXPECT_EQ(feed_all(framer, {"1234\n12345\nok\n"}), "1:1234|2:OVERSIZE|3:ok|");
  EXPECT_EQ(framer.oversize_reason(), "line exceeds 4 bytes");
}

TEST(LineFramerTest, LineOfExactlyMaxBytesWithCarriageReturnFits) {
  LineFramer framer(4);
  EXPECT_EQ(feed_all(framer, {"12", "34\r", "\n"}), "1:1234|");
}

TEST(LineFramerTest, DiscardsOversizeLineAcrossFeedsWithoutBufferingIt) {
  LineFramer framer(8);
  std::vector<FramedLine> lines;
  framer.feed("first\n0123", lines);
  EXPECT_EQ(render(lines), "1:first|");
  lines.clear();
  framer.feed("456789", lines);  // crosses the limit: reported at once
  EXPECT_EQ(render(lines), "2:OVERSIZE|");
  lines.clear();
  framer.feed(std::string(10'000, 'x'), lines);
  framer.feed("yyy\nnext\n", lines);
  EXPECT_EQ(render(lines), "3:next|");
  lines.clear();
  framer.finish(lines);
  EXPECT_TRUE(lines.empty());
}

TEST(LineFramerTest, OversizeCompletedFromPendingBytesIsRejected) {
  LineFramer framer(8);
  EXPECT_EQ(feed_all(framer, {"01234", "5678\nz\n"}), "1:OVERSIZE|2:z|");
}

TEST(LineFramerTest, OversizeUnterminatedTailIsDroppedAtFinish) {
  LineFramer framer(3);
  EXPECT_EQ(feed_all(framer, {"ab\nabcdef"}), "1:ab|2:OVERSIZE|");
}

TEST(LineFramerTest, RandomSplitsGiveTheSameLinesAsOneFeed) {
  const uint32_t seed = 20260102;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::string input;
  for (int i = 0; i < 300; ++i) {
    const int len = static_cast<int>(rng() % 40);
    for (int j = 0; j < len; ++j) input += static_cast<char>('a' + rng() % 26);
    if (rng() % 5 == 0) input += '\r';
    input += '\n';
  }
  LineFramer whole(30);
  const std::string expected = feed_all(whole, {input});
  for (int round = 0; round < 50; ++round) {
    std::vector<std::string> chunks;
    size_t pos = 0;
    while (pos < input.size()) {
      const size_t n = std::min<size_t>(input.size() - pos, rng() % 64);
      chunks.push_back(input.substr(pos, n));
      pos += n;
    }
    LineFramer framer(30);
    ASSERT_EQ(feed_all(framer, chunks), expected) << "round " << round;
  }
}

}  // namespace
}  // namespace tessera::server
