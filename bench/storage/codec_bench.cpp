// Encode and decode throughput of the column codecs (storage/codec/) over
// realistic columns: money-like doubles with two decimals (log-normal),
// 15-minute timestamps, click-like small ints, dictionary codes in runs.
// Each column is 64 vectors of 1024 values from a fixed seed; items are
// values, and `bytes_per_value` is the encoded size. Each benchmark checks its
// decode result once before timing.
// Run a release build: `codec_bench --benchmark_filter=Alp`.
#include <benchmark/benchmark.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "bench/datagen/random.h"
#include "storage/codec/alp.h"
#include "storage/codec/bitpack.h"
#include "storage/codec/codec_format.h"
#include "storage/codec/codec_registry.h"
#include "storage/codec/delta.h"
#include "storage/codec/frame_of_reference.h"
#include "storage/codec/gorilla_xor.h"
#include "storage/codec/run_length.h"

namespace tessera::storage {
namespace {

constexpr size_t kVectors = 64;
constexpr size_t kColumnValues = kVectors * kVectorValues;
constexpr uint64_t kSeed = 20261122;

std::vector<double> money_column() {
  datagen::Rng rng(kSeed);
  std::vector<double> values(kColumnValues);
  for (auto& v : values) v = std::round(rng.lognormal(25.0, 1.2) * 100.0) / 100.0;
  return values;
}

std::vector<int64_t> timestamp_column() {
  constexpr int64_t kStartNs = int64_t{1767225600} * 1'000'000'000;
  constexpr int64_t kQuarterHourNs = int64_t{900} * 1'000'000'000;
  std::vector<int64_t> values(kColumnValues);
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = kStartNs + static_cast<int64_t>(i) * kQuarterHourNs;
  }
  return values;
}

std::vector<int64_t> clicks_column() {
  datagen::Rng rng(kSeed + 1);
  std::vector<int64_t> values(kColumnValues);
  for (auto& v : values) v = static_cast<int64_t>(std::floor(rng.lognormal(3.0, 1.0)));
  return values;
}

std::vector<int64_t> dictionary_code_column() {
  datagen::Rng rng(kSeed + 2);
  std::vector<int64_t> values(kColumnValues);
  size_t i = 0;
  while (i < values.size()) {
    const int64_t code = static_cast<int64_t>(rng.below(200));
    const size_t run = 1 + rng.below(96);
    for (size_t r = 0; r < run && i < values.size(); ++r) values[i++] = code;
  }
  return values;
}

template <typename T>
using EncodeFn = std::function<Status(std::span<const T>, std::string*)>;
template <typename T>
using DecodeFn = std::function<Status(std::string_view, std::span<T>)>;

template <typename T>
std::vector<std::string> encode_column(const std::vector<T>& column, const EncodeFn<T>& encode,
                                       size_t* total_bytes) {
  std::vector<std::string> vectors;
  *total_bytes = 0;
  for (size_t v = 0; v < kVectors; ++v) {
    std::string out;
    if (!encode(std::span<const T>(column).subspan(v * kVectorValues, kVectorValues), &out)
             .is_ok()) {
      return {};
    }
    *total_bytes += out.size();
    vectors.push_back(std::move(out));
  }
  return vectors;
}

template <typename T>
void run_encode(benchmark::State& state, const std::vector<T>& column, const EncodeFn<T>& encode) {
  size_t total_bytes = 0;
  if (encode_column(column, encode, &total_bytes).size() != kVectors) {
    state.SkipWithError("encode failed");
    return;
  }
  std::string out;
  out.reserve(kVectorValues * 16);
  for (auto _ : state) {
    for (size_t v = 0; v < kVectors; ++v) {
      out.clear();
      benchmark::DoNotOptimize(
          encode(std::span<const T>(column).subspan(v * kVectorValues, kVectorValues), &out));
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kColumnValues));
  state.counters["bytes_per_value"] = static_cast<double>(total_bytes) / kColumnValues;
}

template <typename T>
void run_decode(benchmark::State& state, const std::vector<T>& column, const EncodeFn<T>& encode,
                const DecodeFn<T>& decode) {
  size_t total_bytes = 0;
  const std::vector<std::string> vectors = encode_column(column, encode, &total_bytes);
  if (vectors.size() != kVectors) {
    state.SkipWithError("encode failed");
    return;
  }
  std::vector<T> out(kColumnValues);
  for (size_t v = 0; v < kVectors; ++v) {
    if (!decode(vectors[v], std::span<T>(out).subspan(v * kVectorValues, kVectorValues)).is_ok()) {
      state.SkipWithError("decode failed");
      return;
    }
  }
  // Bitwise, so that NaN and -0.0 compare as stored.
  if (std::memcmp(out.data(), column.data(), kColumnValues * sizeof(T)) != 0) {
    state.SkipWithError("decode does not match the input");
    return;
  }
  for (auto _ : state) {
    for (size_t v = 0; v < kVectors; ++v) {
      benchmark::DoNotOptimize(
          decode(vectors[v], std::span<T>(out).subspan(v * kVectorValues, kVectorValues)));
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kColumnValues));
  state.counters["bytes_per_value"] = static_cast<double>(total_bytes) / kColumnValues;
}

const std::vector<double>& money() {
  static const std::vector<double> column = money_column();
  return column;
}
const std::vector<int64_t>& timestamps() {
  static const std::vector<int64_t> column = timestamp_column();
  return column;
}
const std::vector<int64_t>& clicks() {
  static const std::vector<int64_t> column = clicks_column();
  return column;
}
const std::vector<int64_t>& codes() {
  static const std::vector<int64_t> column = dictionary_code_column();
  return column;
}

const EncodeFn<int64_t> kForEncode = frame_of_reference_encode;
const DecodeFn<int64_t> kForDecode = frame_of_reference_decode;
const EncodeFn<int64_t> kDeltaEncode = [](std::span<const int64_t> v, std::string* o) {
  return delta_encode(v, DeltaOrder::kDelta, o);
};
const DecodeFn<int64_t> kDeltaDecode = delta_decode;
const EncodeFn<int64_t> kRunLengthEncode = run_length_encode;
const DecodeFn<int64_t> kRunLengthDecode = run_length_decode;
const EncodeFn<double> kAlpEncode = alp_encode;
const DecodeFn<double> kAlpDecode = alp_decode;
const EncodeFn<double> kGorillaEncode = gorilla_xor_encode;
const DecodeFn<double> kGorillaDecode = gorilla_xor_decode;
const EncodeFn<int64_t> kBestIntEncode = [](std::span<const int64_t> v, std::string* o) {
  return encode_int64_vector(v, o);
};
const DecodeFn<int64_t> kBestIntDecode = [](std::string_view in, std::span<int64_t> o) {
  return decode_int64_vector(in, o);
};
const EncodeFn<double> kBestDoubleEncode = [](std::span<const double> v, std::string* o) {
  return encode_double_vector(v, o);
};
const DecodeFn<double> kBestDoubleDecode = [](std::string_view in, std::span<double> o) {
  return decode_double_vector(in, o);
};

// Arg: bit width. The raw kernel, vector and scalar, on one 1024-value vector.
template <bool kScalar>
void bitpack_unpack_at_width(benchmark::State& state) {
  const unsigned width = static_cast<unsigned>(state.range(0));
  datagen::Rng rng(kSeed + width);
  std::vector<uint64_t> values(kVectorValues);
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  for (auto& v : values) v = rng.next_u64() & mask;
  std::string packed;
  bitpack_pack(values, width, &packed);
  std::vector<uint64_t> out(kVectorValues);
  auto unpack = kScalar ? bitpack_unpack_scalar : bitpack_unpack;
  if (!unpack(packed, width, 0, out).is_ok() || out != values) {
    state.SkipWithError("unpack does not match the input");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(unpack(packed, width, 0, out));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kVectorValues));
  state.counters["bytes_per_value"] = static_cast<double>(packed.size()) / kVectorValues;
}

void BM_BitpackUnpack(benchmark::State& state) { bitpack_unpack_at_width<false>(state); }
void BM_BitpackUnpackScalar(benchmark::State& state) { bitpack_unpack_at_width<true>(state); }
BENCHMARK(BM_BitpackUnpack)->Arg(1)->Arg(5)->Arg(13)->Arg(20)->Arg(32)->Arg(47)->Arg(64);
BENCHMARK(BM_BitpackUnpackScalar)->Arg(1)->Arg(5)->Arg(13)->Arg(20)->Arg(32)->Arg(47)->Arg(64);

void BM_FrameOfReferenceEncodeClicks(benchmark::State& s) { run_encode(s, clicks(), kForEncode); }
void BM_FrameOfReferenceDecodeClicks(benchmark::State& s) {
  run_decode(s, clicks(), kForEncode, kForDecode);
}
void BM_DeltaEncodeTimestamps(benchmark::State& s) { run_encode(s, timestamps(), kDeltaEncode); }
void BM_DeltaDecodeTimestamps(benchmark::State& s) {
  run_decode(s, timestamps(), kDeltaEncode, kDeltaDecode);
}
void BM_RunLengthEncodeCodes(benchmark::State& s) { run_encode(s, codes(), kRunLengthEncode); }
void BM_RunLengthDecodeCodes(benchmark::State& s) {
  run_decode(s, codes(), kRunLengthEncode, kRunLengthDecode);
}
void BM_AlpEncodeMoney(benchmark::State& s) { run_encode(s, money(), kAlpEncode); }
void BM_AlpDecodeMoney(benchmark::State& s) { run_decode(s, money(), kAlpEncode, kAlpDecode); }
void BM_GorillaXorEncodeMoney(benchmark::State& s) { run_encode(s, money(), kGorillaEncode); }
void BM_GorillaXorDecodeMoney(benchmark::State& s) {
  run_decode(s, money(), kGorillaEncode, kGorillaDecode);
}
void BM_EncodeBestClicks(benchmark::State& s) { run_encode(s, clicks(), kBestIntEncode); }
void BM_DecodeBestClicks(benchmark::State& s) {
  run_decode(s, clicks(), kBestIntEncode, kBestIntDecode);
}
void BM_EncodeBestTimestamps(benchmark::State& s) { run_encode(s, timestamps(), kBestIntEncode); }
void BM_DecodeBestTimestamps(benchmark::State& s) {
  run_decode(s, timestamps(), kBestIntEncode, kBestIntDecode);
}
void BM_EncodeBestMoney(benchmark::State& s) { run_encode(s, money(), kBestDoubleEncode); }
void BM_DecodeBestMoney(benchmark::State& s) {
  run_decode(s, money(), kBestDoubleEncode, kBestDoubleDecode);
}

BENCHMARK(BM_FrameOfReferenceEncodeClicks);
BENCHMARK(BM_FrameOfReferenceDecodeClicks);
BENCHMARK(BM_DeltaEncodeTimestamps);
BENCHMARK(BM_DeltaDecodeTimestamps);
BENCHMARK(BM_RunLengthEncodeCodes);
BENCHMARK(BM_RunLengthDecodeCodes);
BENCHMARK(BM_AlpEncodeMoney);
BENCHMARK(BM_AlpDecodeMoney);
BENCHMARK(BM_GorillaXorEncodeMoney);
BENCHMARK(BM_GorillaXorDecodeMoney);
BENCHMARK(BM_EncodeBestClicks);
BENCHMARK(BM_DecodeBestClicks);
BENCHMARK(BM_EncodeBestTimestamps);
BENCHMARK(BM_DecodeBestTimestamps);
BENCHMARK(BM_EncodeBestMoney);
BENCHMARK(BM_DecodeBestMoney);

}  // namespace
}  // namespace tessera::storage
