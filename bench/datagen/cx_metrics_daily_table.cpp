// Line shape (one tag, tenant = the shop; absent averages left out):
//   cx_metrics_daily,tenant=shop-000.myshopify.com conversations_total=91i,...,
//     median_first_response_minutes=34.5,...,sla_target_minutes=120i,... 1735689600000000000
#include "bench/datagen/cx_metrics_daily_table.h"

#include <algorithm>
#include <string>

#include "bench/datagen/civil_date.h"
#include "bench/datagen/percentile.h"

namespace tessera::datagen {
namespace {

struct ShopDay {
  int64_t total = 0, new_count = 0, resolved = 0, pending = 0;
  std::vector<double> first_response;  // minutes
  std::vector<double> resolution;
  int64_t escalated = 0, messages = 0;
  int64_t sentiment[4] = {0, 0, 0, 0};
  int64_t drafted = 0, approved = 0;
  int64_t tone_sum = 0, accuracy_sum = 0, policy_sum = 0;
};

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

}  // namespace

void write_cx_metrics_day(const WorkloadWorld& world, int day,
                          const std::vector<Conversation>& rows, LineWriter& out) {
  std::vector<ShopDay> shops(world.shops.size());
  for (const Conversation& c : rows) {
    ShopDay& a = shops[static_cast<size_t>(c.shop)];
    ++a.total;
    switch (c.status) {
      case CxStatus::kNew:
        ++a.new_count;
        break;
      case CxStatus::kResolved:
        ++a.resolved;
        break;
      case CxStatus::kPending:
        ++a.pending;
        break;
    }
    if (c.first_response_centiminutes >= 0) {
      a.first_response.push_back(static_cast<double>(c.first_response_centiminutes) / 100.0);
    }
    if (c.resolution_centiminutes >= 0) {
      a.resolution.push_back(static_cast<double>(c.resolution_centiminutes) / 100.0);
    }
    a.escalated += c.escalated ? 1 : 0;
    a.messages += c.messages;
    ++a.sentiment[static_cast<size_t>(c.sentiment)];
    if (c.ai_drafted) {
      ++a.drafted;
      a.approved += c.ai_approved ? 1 : 0;
      a.tone_sum += c.tone_grade;
      a.accuracy_sum += c.accuracy_grade;
      a.policy_sum += c.policy_grade;
    }
  }

  const int64_t ts_ns = (world.shape.start_day + day) * kSecondsPerDay * kNanosPerSecond;
  std::string prefix;
  for (size_t si = 0; si < shops.size(); ++si) {
    ShopDay& a = shops[si];
    std::sort(a.first_response.begin(), a.first_response.end());
    std::sort(a.resolution.begin(), a.resolution.end());
    int64_t met = 0;
    for (double m : a.first_response) met += m <= static_cast<double>(kSlaTargetMinutes) ? 1 : 0;
    const auto responded = static_cast<int64_t>(a.first_response.size());

    prefix = "cx_metrics_daily,tenant=" + world.shops[si] + " ";
    out.begin_line(prefix);
    out.int_field("conversations_total", a.total);
    out.int_field("conversations_new", a.new_count);
    out.int_field("conversations_resolved", a.resolved);
    out.int_field("conversations_pending", a.pending);
    if (!a.first_response.empty()) {
      out.float4_field("avg_first_response_minutes", mean(a.first_response));
      out.float4_field("median_first_response_minutes", *percentile_cont(a.first_response, 0.5));
      out.float4_field("p95_first_response_minutes", *percentile_cont(a.first_response, 0.95));
    }
    if (!a.resolution.empty()) {
      out.float4_field("avg_resolution_minutes", mean(a.resolution));
      out.float4_field("median_resolution_minutes", *percentile_cont(a.resolution, 0.5));
    }
    out.int_field("sla_target_minutes", kSlaTargetMinutes);
    out.int_field("sla_met_count", met);
    out.int_field("sla_breached_count", responded - met);
    if (responded > 0) {
      out.float4_field("sla_compliance_pct",
                       100.0 * static_cast<double>(met) / static_cast<double>(responded));
    }
    out.int_field("escalations_count", a.escalated);
    if (a.total > 0) {
      const auto total = static_cast<double>(a.total);
      out.float4_field("escalation_rate_pct", 100.0 * static_cast<double>(a.escalated) / total);
      out.float4_field("avg_messages_per_conversation", static_cast<double>(a.messages) / total);
    }
    out.int_field("sentiment_positive_count", a.sentiment[0]);
    out.int_field("sentiment_neutral_count", a.sentiment[1]);
    out.int_field("sentiment_negative_count", a.sentiment[2]);
    out.int_field("sentiment_very_negative_count", a.sentiment[3]);
    out.int_field("ai_drafted_count", a.drafted);
    if (a.drafted > 0) {
      const auto drafted = static_cast<double>(a.drafted);
      out.float4_field("ai_approval_rate_pct", 100.0 * static_cast<double>(a.approved) / drafted);
      out.float4_field("avg_tone_grade", static_cast<double>(a.tone_sum) / drafted);
      out.float4_field("avg_accuracy_grade", static_cast<double>(a.accuracy_sum) / drafted);
      out.float4_field("avg_policy_grade", static_cast<double>(a.policy_sum) / drafted);
    }
    out.end_line(ts_ns);
  }
}

}  // namespace tessera::datagen
