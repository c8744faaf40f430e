// cx_conversation: support conversations of the shops, time = created_at (ms).
// Arrivals follow the daily curve; status depends on the conversation's age at
// the end of the range (the last hours hold more new and pending ones).
#pragma once

#include <cstdint>
#include <vector>

#include "bench/datagen/line_writer.h"
#include "bench/datagen/workload_world.h"

namespace tessera::datagen {

enum class CxStatus : uint8_t { kNew, kResolved, kPending };
enum class CxSentiment : uint8_t { kPositive, kNeutral, kNegative, kVeryNegative };
enum class CxChannel : uint8_t { kEmail, kChat, kSms };

struct Conversation {
  int64_t created_ms = 0;  // since the epoch
  int shop = 0;            // index into WorkloadWorld::shops
  CxStatus status = CxStatus::kNew;
  CxSentiment sentiment = CxSentiment::kNeutral;
  CxChannel channel = CxChannel::kEmail;
  int64_t first_response_centiminutes = -1;  // -1: no reply yet
  int64_t resolution_centiminutes = -1;      // -1: not resolved
  int64_t messages = 0;
  bool escalated = false;
  bool ai_drafted = false;
  bool ai_approved = false;  // only if drafted
  int tone_grade = 0;        // 1..5 when drafted, else 0
  int accuracy_grade = 0;
  int policy_grade = 0;
};

// The conversations created on day `day` (0-based), in file order: by
// created_at, then shop. Deterministic in (world.shape, day).
std::vector<Conversation> generate_conversations_day(const WorkloadWorld& world, int day);

// Appends one line per conversation to `out`.
void write_conversations(const WorkloadWorld& world, const std::vector<Conversation>& rows,
                         LineWriter& out);

}  // namespace tessera::datagen
