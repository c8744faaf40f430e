// tryon_job: AI try-on jobs of the ws_ tenants, time = created_at (ms).
// Status and lifecycle depend on the model (failure and expiry rates differ);
// queued and processing jobs appear only in the last minutes of the range;
// failure_reason is "none" unless failed or provider_expired; only completed
// jobs are charged credits.
#pragma once

#include <cstdint>

#include "bench/datagen/line_writer.h"
#include "bench/datagen/workload_world.h"

namespace tessera::datagen {

// Writes day `day` (0-based) in time order (ties: tenant order). Deterministic
// in (world.shape, day).
void write_tryon_jobs_day(const WorkloadWorld& world, int day, LineWriter& out);

}  // namespace tessera::datagen
