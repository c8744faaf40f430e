// cx_metrics_daily: one row per shop per UTC day, computed from that day's
// generated cx_conversation rows (see bench/datagen/README.md for each column's
// definition). Shops without conversations still get a row; their averages
// are absent. Floats are rounded to 4 decimals.
#pragma once

#include <vector>

#include "bench/datagen/cx_conversation_table.h"
#include "bench/datagen/line_writer.h"
#include "bench/datagen/workload_world.h"

namespace tessera::datagen {

// Writes the rows of day `day` (0-based) for the conversations `rows` created
// that day, one per shop in shop order, stamped midnight UTC.
void write_cx_metrics_day(const WorkloadWorld& world, int day,
                          const std::vector<Conversation>& rows, LineWriter& out);

}  // namespace tessera::datagen
