// Line shape (tags sorted: failure_reason, model, status, tenant):
//   tryon_job,failure_reason=none,model=kling-v1,status=completed,tenant=ws_0003
//     lifecycle_seconds=93.417,credits_charged=2i 1735700000123000000
#include "bench/datagen/tryon_job_table.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "bench/datagen/civil_date.h"
#include "bench/datagen/random.h"
#include "bench/datagen/weighted_choice.h"

namespace tessera::datagen {
namespace {

struct TryonModel {
  const char* name;
  double weight;
  double median_seconds;
  int64_t credits;
  double fail_p;
  double expire_p;
};
constexpr TryonModel kModels[] = {
    {"kling-v1", 0.25, 95.0, 2, 0.06, 0.05},
    {"kling-v1.5", 0.35, 120.0, 3, 0.05, 0.04},
    {"idm-vton", 0.25, 40.0, 1, 0.09, 0.01},
    {"ootd", 0.15, 30.0, 1, 0.12, 0.01},
};

struct Job {
  int64_t created_ms;
  size_t tenant;
  size_t model;
  const char* status;
  const char* failure_reason;
  int64_t lifecycle_ms;  // -1: still running
  int64_t credits;
};

}  // namespace

void write_tryon_jobs_day(const WorkloadWorld& world, int day, LineWriter& out) {
  Rng rng(stream_seed(world.shape.seed, "tryon", static_cast<uint64_t>(day)));
  const int64_t day_index = world.shape.start_day + day;
  const int64_t day0_ms = day_index * kSecondsPerDay * 1000;
  const int64_t end_ms = world.shape.end_seconds() * 1000;
  const double dow = kDayOfWeek[static_cast<size_t>(weekday_monday0(day_index))];
  double model_weights[std::size(kModels)];
  for (size_t i = 0; i < std::size(kModels); ++i) model_weights[i] = kModels[i].weight;
  const WeightedChoice model_choice(model_weights);

  std::vector<Job> jobs;
  for (size_t ti = 0; ti < world.tenants.size(); ++ti) {
    const auto count = static_cast<int64_t>(
        world.tryon_jobs_per_day[ti] * dow * rng.lognormal(1.0, 0.2) + rng.uniform());
    for (int64_t k = 0; k < count; ++k) {
      Job j{};
      j.tenant = ti;
      j.created_ms = day0_ms + static_cast<int64_t>(rng.uniform() * kSecondsPerDay * 1000.0);
      j.model = model_choice.pick(rng);
      const TryonModel& m = kModels[j.model];
      j.failure_reason = "none";
      j.lifecycle_ms = -1;
      const double age_s = static_cast<double>(end_ms - j.created_ms) / 1000.0;
      const double u = rng.uniform();
      if (age_s < 120 && u < 0.5) {
        j.status = "queued";
      } else if (age_s < 600 && u < 0.8) {
        j.status = "processing";
      } else {
        const double v = rng.uniform();
        if (v < m.fail_p) {
          j.status = "failed";
          const double r = rng.uniform();
          j.failure_reason = r < 0.3    ? "timeout"
                             : r < 0.45 ? "nsfw"
                             : r < 0.7  ? "bad_input"
                                        : "provider_error";
          j.lifecycle_ms = std::llround(rng.lognormal(m.median_seconds * 0.6, 0.8) * 1000.0);
        } else if (v < m.fail_p + m.expire_p) {
          j.status = "provider_expired";
          j.failure_reason = rng.uniform() < 0.7 ? "timeout" : "provider_error";
          j.lifecycle_ms = std::llround((900 + rng.uniform() * 2700) * 1000.0);
        } else {
          j.status = "completed";
          j.lifecycle_ms = std::llround(rng.lognormal(m.median_seconds, 0.5) * 1000.0);
          j.credits = m.credits;
        }
      }
      jobs.push_back(j);
    }
  }
  std::stable_sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.tenant < b.tenant;
  });
  std::string prefix;
  for (const Job& j : jobs) {
    prefix = std::string("tryon_job,failure_reason=") + j.failure_reason +
             ",model=" + kModels[j.model].name + ",status=" + j.status +
             ",tenant=" + world.tenants[j.tenant] + " ";
    out.begin_line(prefix);
    if (j.lifecycle_ms >= 0) out.scaled_field("lifecycle_seconds", j.lifecycle_ms, 3);
    out.int_field("credits_charged", j.credits);
    out.end_line(j.created_ms * 1'000'000);
  }
}

}  // namespace tessera::datagen
