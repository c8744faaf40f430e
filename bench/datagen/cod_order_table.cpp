// Line shape (tags sorted: agent_id, delivery_area, payment_status, status, tenant):
//   cod_order,agent_id=agt_00012,delivery_area=maadi,payment_status=collected,
//     status=delivered,tenant=ws_0001 total_amount=42.17,delivery_fee=25.00,rating=5i,
//     delivery_minutes=171.4 1735722001000000000
#include "bench/datagen/cod_order_table.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "bench/datagen/civil_date.h"
#include "bench/datagen/random.h"
#include "bench/datagen/weighted_choice.h"

namespace tessera::datagen {
namespace {

struct Order {
  int64_t created_s;
  size_t tenant;
  const char* status;
  const char* payment;
  size_t area;
  size_t agent;
  int64_t total_cents;
  int64_t rating;                  // 0: none
  int64_t delivery_tenth_minutes;  // -1: none
};

const char* pick_status(double age_hours, double u) {
  if (age_hours > 96) {
    return u < 0.72   ? "delivered"
           : u < 0.82 ? "returned"
           : u < 0.94 ? "cancelled"
           : u < 0.97 ? "confirmed"
           : u < 0.99 ? "out_for_delivery"
                      : "new";
  }
  if (age_hours > 24) {
    return u < 0.45   ? "delivered"
           : u < 0.50 ? "returned"
           : u < 0.58 ? "cancelled"
           : u < 0.75 ? "confirmed"
           : u < 0.92 ? "out_for_delivery"
                      : "new";
  }
  return u < 0.08   ? "delivered"
         : u < 0.14 ? "cancelled"
         : u < 0.45 ? "confirmed"
         : u < 0.60 ? "out_for_delivery"
                    : "new";
}

}  // namespace

void write_cod_orders_day(const WorkloadWorld& world, int day, LineWriter& out) {
  Rng rng(stream_seed(world.shape.seed, "cod", static_cast<uint64_t>(day)));
  const int64_t day_index = world.shape.start_day + day;
  const int64_t day0 = day_index * kSecondsPerDay;
  const int64_t end = world.shape.end_seconds();
  const double dow = kDayOfWeek[static_cast<size_t>(weekday_monday0(day_index))];
  const WeightedChoice area_choice(world.area_weight);

  std::vector<Order> orders;
  for (size_t ti = 0; ti < world.tenants.size(); ++ti) {
    const auto count = static_cast<int64_t>(
        world.cod_orders_per_day[ti] * dow * rng.lognormal(1.0, 0.2) + rng.uniform());
    const size_t agents = world.cod_agents[ti].size();
    for (int64_t k = 0; k < count; ++k) {
      Order o{};
      o.tenant = ti;
      double sec = 0;
      do {
        sec = rng.uniform() * static_cast<double>(kSecondsPerDay);
      } while (!(rng.uniform() < kDiurnal[static_cast<size_t>(sec / 3600)] / 1.5));
      o.created_s = day0 + static_cast<int64_t>(sec);
      o.status = pick_status(static_cast<double>(end - o.created_s) / 3600.0, rng.uniform());
      o.area = area_choice.pick(rng);
      o.agent = rng.below(agents);
      o.total_cents = static_cast<int64_t>(rng.lognormal(4200, 0.6));
      o.delivery_tenth_minutes = -1;
      const std::string_view st = o.status;
      if (st == "delivered") {
        o.payment = rng.uniform() < 0.98 ? "collected" : "pending";
        if (rng.uniform() < 0.7) {
          const double v = rng.uniform();
          o.rating = v < 0.55 ? 5 : v < 0.8 ? 4 : v < 0.9 ? 3 : v < 0.95 ? 2 : 1;
        }
        o.delivery_tenth_minutes = std::llround(rng.lognormal(180.0, 0.6) * 10.0);
      } else if (st == "returned") {
        o.payment = rng.uniform() < 0.3 ? "refunded" : "pending";
        o.delivery_tenth_minutes = std::llround(rng.lognormal(200.0, 0.6) * 10.0);
      } else {
        o.payment = "pending";
      }
      orders.push_back(o);
    }
  }
  std::stable_sort(orders.begin(), orders.end(), [](const Order& a, const Order& b) {
    return a.created_s != b.created_s ? a.created_s < b.created_s : a.tenant < b.tenant;
  });
  std::string prefix;
  for (const Order& o : orders) {
    prefix = "cod_order,agent_id=" + world.cod_agents[o.tenant][o.agent] +
             ",delivery_area=" + kDeliveryAreas[o.area] + ",payment_status=" + o.payment +
             ",status=" + o.status + ",tenant=" + world.tenants[o.tenant] + " ";
    out.begin_line(prefix);
    out.scaled_field("total_amount", o.total_cents, 2);
    out.scaled_field("delivery_fee", world.area_fee_cents[o.area], 2);
    if (o.rating > 0) out.int_field("rating", o.rating);
    if (o.delivery_tenth_minutes >= 0)
      out.scaled_field("delivery_minutes", o.delivery_tenth_minutes, 1);
    out.end_line(o.created_s * kNanosPerSecond);
  }
}

}  // namespace tessera::datagen
