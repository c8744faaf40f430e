// Helpers shared by the codec tests: hex rendering for golden bytes and the
// damage drills every decoder of untrusted bytes must survive.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::storage::codec_test {

// "03 00 ff": lower-case bytes separated by single spaces.
inline std::string hex(std::string_view bytes) {
  std::string out;
  char buf[4];
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", static_cast<uint8_t>(bytes[i]));
    if (i > 0) out += ' ';
    out += buf;
  }
  return out;
}

// The inverse of hex(); spaces are ignored.
inline std::string unhex(std::string_view text) {
  std::string out;
  int pending = -1;
  for (char c : text) {
    if (c == ' ' || c == '\n') continue;
    const int nibble = c <= '9' ? c - '0' : c - 'a' + 10;
    if (pending < 0) {
      pending = nibble;
    } else {
      out.push_back(static_cast<char>(pending * 16 + nibble));
      pending = -1;
    }
  }
  return out;
}

using Decode = std::function<Status(std::string_view)>;

// Every proper prefix of `encoded` must be rejected as kCorruption (every
// payload is exact-size, so a short one is always detectably short).
inline void expect_truncations_rejected(const std::string& encoded, const Decode& decode) {
  for (size_t len = 0; len < encoded.size(); ++len) {
    SCOPED_TRACE("truncated to " + std::to_string(len) + " of " + std::to_string(encoded.size()) +
                 " bytes");
    // A fresh copy so ASan sees reads past the prefix.
    const std::string prefix = encoded.substr(0, len);
    const Status status = decode(prefix);
    ASSERT_FALSE(status.is_ok());
    EXPECT_EQ(status.code(), ErrorCode::kCorruption) << status.to_string();
  }
}

// Flips every byte (all bits, and the lowest bit) and appends a byte: the
// decoder may accept a damaged payload (the output is then full length by
// construction) but must not crash, read out of bounds or report another code.
inline void expect_damage_survived(const std::string& encoded, const Decode& decode) {
  for (size_t i = 0; i < encoded.size(); ++i) {
    for (uint8_t flip : {uint8_t{0xff}, uint8_t{0x01}, uint8_t{0x80}}) {
      std::string damaged = encoded;
      damaged[i] = static_cast<char>(static_cast<uint8_t>(damaged[i]) ^ flip);
      const Status status = decode(damaged);
      if (!status.is_ok()) {
        EXPECT_EQ(status.code(), ErrorCode::kCorruption)
            << "byte " << i << " ^ " << int{flip} << ": " << status.to_string();
      }
    }
  }
  const Status extended = decode(encoded + std::string(1, '\0'));
  ASSERT_FALSE(extended.is_ok()) << "a trailing byte must be rejected";
  EXPECT_EQ(extended.code(), ErrorCode::kCorruption);
}

}  // namespace tessera::storage::codec_test
