// Reads the query-mix parameters of a generated data set from its
// manifest.json (written by `tessera gen` and by datagen/gen.py), so that the
// bench asks about tenants, shops and days the data really has.
#pragma once

#include <filesystem>

#include "server/loadgen/query_mix.h"
#include "storage/base/status.h"

namespace tessera::loadgen {

// Largest manifest read; they are about 1 KiB.
inline constexpr size_t kMaxManifestBytes = 1 << 20;

// Overwrites in `params` what the manifest names: now_day from
// "end_time_exclusive" (the day after the data), big/small tenant, shop and
// try-on tenant; big_entity stays ent_000000, small_entity becomes the last
// entity ("entities" - 1). Keys that are absent leave the field unchanged.
// Errors: kIoError (unreadable, or larger than kMaxManifestBytes),
// kInvalidInput (a value of the wrong shape).
Status apply_manifest(const std::filesystem::path& manifest, QueryMixParams& params);

}  // namespace tessera::loadgen
