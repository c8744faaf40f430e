// Fuzz target for QuantileSketch::deserialize (storage/block/quantile_sketch.h).
// Invariants for bytes that deserialize: serialize() is a fixed point (its bytes
// deserialize to a sketch that serializes to the same bytes); quantiles are
// ordered in p, lie within [quantile(0), quantile(1)], and a non-empty sketch
// answers every p; merging with itself doubles the count.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/block/quantile_sketch.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tessera::storage::QuantileSketch;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto sketch = QuantileSketch::deserialize(bytes);
  if (!sketch.is_ok()) {
    TESSERA_FUZZ_CHECK(!sketch.error().message.empty());
    return 0;
  }
  const std::string serialized = sketch->serialize();
  auto again = QuantileSketch::deserialize(serialized);
  TESSERA_FUZZ_CHECK(again.is_ok());
  TESSERA_FUZZ_CHECK(again->serialize() == serialized);
  TESSERA_FUZZ_CHECK(again->count() == sketch->count());

  if (sketch->count() == 0) {
    TESSERA_FUZZ_CHECK(!sketch->quantile(0.5).has_value());
    return 0;
  }
  double previous = -INFINITY;
  for (double p : {0.0, 0.01, 0.25, 0.5, 0.75, 0.99, 1.0}) {
    const std::optional<double> q = sketch->quantile(p);
    TESSERA_FUZZ_CHECK(q.has_value() && !std::isnan(*q));
    TESSERA_FUZZ_CHECK(*q >= previous);
    previous = *q;
  }
  if (sketch->count() <= UINT64_MAX / 2) {
    QuantileSketch doubled = *sketch;
    doubled.merge(*sketch);
    TESSERA_FUZZ_CHECK(doubled.count() == 2 * sketch->count());
  }
  return 0;
}
