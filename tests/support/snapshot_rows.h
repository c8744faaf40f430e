// Renders the live rows of a table snapshot as compact strings, in snapshot order,
// so tests compare whole tables at a glance: "100 tenant=a spend=1.5 clicks=NULL".
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"

namespace tessera::testing {

// Columns are printed in schema order; fields that are NULL print as NULL, absent
// tags are left out. Floats print with %.17g. Dead (deduplicated) rows are skipped.
std::vector<std::string> snapshot_rows(const engine::TableSnapshot& snapshot);

// snapshot_rows(engine.snapshot(table)), or {"error: ..."}.
std::vector<std::string> table_rows(const engine::Engine& engine, const std::string& table);

}  // namespace tessera::testing
