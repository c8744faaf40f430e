// cod_order: cash-on-delivery orders of the ws_ tenants, time = order creation
// in whole seconds, arrivals following the daily curve. Delivered orders are
// mostly collected and 70% rated; returned ones refunded or pending; all
// others pending. Recent orders are more often new, confirmed or out for
// delivery. Each tenant has its own pool of agents; areas are Zipf-skewed and
// each has a fixed delivery fee.
#pragma once

#include "bench/datagen/line_writer.h"
#include "bench/datagen/workload_world.h"

namespace tessera::datagen {

// Writes day `day` (0-based) in time order (ties: tenant order). Deterministic
// in (world.shape, day).
void write_cod_orders_day(const WorkloadWorld& world, int day, LineWriter& out);

}  // namespace tessera::datagen
