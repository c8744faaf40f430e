// Line shape (tags sorted: channel, sentiment, status, tenant; absent fields left out):
//   cx_conversation,channel=email,sentiment=neutral,status=resolved,tenant=shop-000.myshopify.com
//     first_response_minutes=31.07,resolution_minutes=270.12,messages=4i,escalated=false,
//     ai_drafted=true,ai_approved=true,tone_grade=4i,accuracy_grade=4i,policy_grade=5i
//     1735718400861000000
#include "bench/datagen/cx_conversation_table.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "bench/datagen/civil_date.h"
#include "bench/datagen/random.h"

namespace tessera::datagen {
namespace {

constexpr const char* kStatusNames[] = {"new", "resolved", "pending"};
constexpr const char* kSentimentNames[] = {"positive", "neutral", "negative", "very_negative"};
constexpr const char* kChannelNames[] = {"email", "chat", "sms"};

// Seconds into the day, drawn from the daily curve by rejection.
double daytime_heavy_second(Rng& rng) {
  for (;;) {
    const double sec = rng.uniform() * static_cast<double>(kSecondsPerDay);
    if (rng.uniform() < kDiurnal[static_cast<size_t>(sec / 3600)] / 1.5) return sec;
  }
}

int grade(Rng& rng, double mean, double stddev) {
  return static_cast<int>(std::clamp<long>(std::lround(rng.normal(mean, stddev)), 1, 5));
}

int64_t hundredths(double x) { return static_cast<int64_t>(std::llround(x * 100.0)); }

}  // namespace

std::vector<Conversation> generate_conversations_day(const WorkloadWorld& world, int day) {
  Rng rng(stream_seed(world.shape.seed, "cx", static_cast<uint64_t>(day)));
  const int64_t day_index = world.shape.start_day + day;
  const int64_t day0_ms = day_index * kSecondsPerDay * 1000;
  const int64_t end_ms = world.shape.end_seconds() * 1000;
  const double dow = kDayOfWeek[static_cast<size_t>(weekday_monday0(day_index))];
  std::vector<Conversation> rows;
  for (size_t si = 0; si < world.shops.size(); ++si) {
    const double expected = world.shop_conversations_per_day[si] * dow * rng.lognormal(1.0, 0.15);
    const auto count = static_cast<int64_t>(expected + rng.uniform());
    const double median_response = 35.0 * world.shop_response_factor[si];
    for (int64_t k = 0; k < count; ++k) {
      Conversation c;
      c.shop = static_cast<int>(si);
      c.created_ms = day0_ms + static_cast<int64_t>(daytime_heavy_second(rng) * 1000.0);
      const double age_hours = static_cast<double>(end_ms - c.created_ms) / 3.6e6;
      const double u = rng.uniform();
      if (age_hours > 72) {
        c.status =
            u < 0.90 ? CxStatus::kResolved : (u < 0.97 ? CxStatus::kPending : CxStatus::kNew);
      } else if (age_hours > 12) {
        c.status =
            u < 0.60 ? CxStatus::kResolved : (u < 0.85 ? CxStatus::kPending : CxStatus::kNew);
      } else {
        c.status =
            u < 0.25 ? CxStatus::kResolved : (u < 0.55 ? CxStatus::kPending : CxStatus::kNew);
      }
      // Most new conversations have no reply yet.
      if (!(c.status == CxStatus::kNew && rng.uniform() < 0.6)) {
        c.first_response_centiminutes =
            std::max<int64_t>(10, hundredths(rng.lognormal(median_response, 1.1)));
      }
      if (c.status == CxStatus::kResolved) {
        c.resolution_centiminutes = std::max<int64_t>(0, c.first_response_centiminutes) +
                                    hundredths(rng.lognormal(240.0, 1.0));
      }
      c.messages = 1 + static_cast<int64_t>(rng.lognormal(3.0, 0.6));
      const double us = rng.uniform();
      c.sentiment = us < 0.30   ? CxSentiment::kPositive
                    : us < 0.75 ? CxSentiment::kNeutral
                    : us < 0.93 ? CxSentiment::kNegative
                                : CxSentiment::kVeryNegative;
      const double escalation_p = 0.03 + (c.sentiment == CxSentiment::kNegative ? 0.10 : 0.0) +
                                  (c.sentiment == CxSentiment::kVeryNegative ? 0.30 : 0.0);
      c.escalated = rng.uniform() < escalation_p;
      const double uc = rng.uniform();
      c.channel = uc < 0.55 ? CxChannel::kEmail : (uc < 0.9 ? CxChannel::kChat : CxChannel::kSms);
      c.ai_drafted = rng.uniform() < world.shop_ai_draft_rate[si];
      if (c.ai_drafted) {
        c.ai_approved = rng.uniform() < 0.78;
        c.tone_grade = grade(rng, 4.0, 0.8);
        c.accuracy_grade = grade(rng, 3.8, 0.9);
        c.policy_grade = grade(rng, 4.3, 0.7);
      }
      rows.push_back(c);
    }
  }
  // Stable: ties in (time, shop) keep generation order.
  std::stable_sort(rows.begin(), rows.end(), [](const Conversation& a, const Conversation& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.shop < b.shop;
  });
  return rows;
}

void write_conversations(const WorkloadWorld& world, const std::vector<Conversation>& rows,
                         LineWriter& out) {
  std::string prefix;
  for (const Conversation& c : rows) {
    prefix.assign("cx_conversation,channel=");
    prefix += kChannelNames[static_cast<size_t>(c.channel)];
    prefix += ",sentiment=";
    prefix += kSentimentNames[static_cast<size_t>(c.sentiment)];
    prefix += ",status=";
    prefix += kStatusNames[static_cast<size_t>(c.status)];
    prefix += ",tenant=";
    prefix += world.shops[static_cast<size_t>(c.shop)];
    prefix += ' ';
    out.begin_line(prefix);
    if (c.first_response_centiminutes >= 0) {
      out.scaled_field("first_response_minutes", c.first_response_centiminutes, 2);
    }
    if (c.resolution_centiminutes >= 0) {
      out.scaled_field("resolution_minutes", c.resolution_centiminutes, 2);
    }
    out.int_field("messages", c.messages);
    out.bool_field("escalated", c.escalated);
    out.bool_field("ai_drafted", c.ai_drafted);
    out.bool_field("ai_approved", c.ai_approved);
    if (c.ai_drafted) {
      out.int_field("tone_grade", c.tone_grade);
      out.int_field("accuracy_grade", c.accuracy_grade);
      out.int_field("policy_grade", c.policy_grade);
    }
    out.end_line(c.created_ms * 1'000'000);
  }
}

}  // namespace tessera::datagen
