// Fuzz target for the manifest decoder (engine/manifest.h decode_manifest).
// Invariant for text that decodes: encode_manifest gives text that decodes to a
// manifest with the same encoding (encode . decode is a fixed point).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/manifest.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera::engine;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto manifest = decode_manifest(text);
  if (!manifest.is_ok()) {
    TESSERA_FUZZ_CHECK(!manifest.error().message.empty());
    return 0;
  }
  const std::string encoded = encode_manifest(*manifest);
  auto again = decode_manifest(encoded);
  TESSERA_FUZZ_CHECK(again.is_ok());
  TESSERA_FUZZ_CHECK(again->wal_start == manifest->wal_start);
  TESSERA_FUZZ_CHECK(again->next_file_number == manifest->next_file_number);
  TESSERA_FUZZ_CHECK(again->segments == manifest->segments);
  TESSERA_FUZZ_CHECK(again->tables.size() == manifest->tables.size());
  TESSERA_FUZZ_CHECK(encode_manifest(*again) == encoded);
  return 0;
}
