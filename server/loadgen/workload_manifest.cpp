#include "server/loadgen/workload_manifest.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

namespace tessera::loadgen {
namespace {

// The manifest is flat JSON written by our generators; only top-level string
// and integer values without escapes are needed, so a key search suffices.
std::optional<std::string_view> raw_value(std::string_view json, std::string_view key) {
  const std::string needle = "\"" + std::string(key) + "\"";
  size_t pos = json.find(needle);
  if (pos == std::string_view::npos) return std::nullopt;
  pos += needle.size();
  while (pos < json.size() && (json[pos] == ' ' || json[pos] == '\n' || json[pos] == '\t')) ++pos;
  if (pos >= json.size() || json[pos] != ':') return std::nullopt;
  ++pos;
  while (pos < json.size() && (json[pos] == ' ' || json[pos] == '\n' || json[pos] == '\t')) ++pos;
  size_t end = pos;
  if (pos < json.size() && json[pos] == '"') {
    end = json.find('"', pos + 1);
    if (end == std::string_view::npos) return std::nullopt;
    return json.substr(pos, end + 1 - pos);
  }
  while (end < json.size() && json[end] >= '0' && json[end] <= '9') ++end;
  return json.substr(pos, end - pos);
}

Status read_string(std::string_view json, std::string_view key, std::string& out) {
  auto raw = raw_value(json, key);
  if (!raw) return Status::ok();
  if (raw->size() < 2 || raw->front() != '"' || raw->find('\\') != std::string_view::npos) {
    return make_error(ErrorCode::kInvalidInput,
                      "manifest: \"" + std::string(key) + "\" is not a plain string");
  }
  out = std::string(raw->substr(1, raw->size() - 2));
  return Status::ok();
}

}  // namespace

Status apply_manifest(const std::filesystem::path& manifest, QueryMixParams& params) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(manifest, ec);
  if (ec || size > kMaxManifestBytes) {
    return make_error(ErrorCode::kIoError, "cannot read " + manifest.string() +
                                               (ec ? ": " + ec.message() : ": too large"));
  }
  std::ifstream in(manifest, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return make_error(ErrorCode::kIoError, "cannot read " + manifest.string());
  const std::string json = text.str();

  std::string end_time;
  TESSERA_RETURN_IF_ERROR(read_string(json, "end_time_exclusive", end_time));
  if (!end_time.empty()) {
    auto day = parse_now_day(end_time);
    if (!day.is_ok())
      return make_error(ErrorCode::kInvalidInput, "manifest: " + day.error().message);
    params.now_day = *day;
  }
  TESSERA_RETURN_IF_ERROR(read_string(json, "biggest_tenant", params.big_tenant));
  TESSERA_RETURN_IF_ERROR(read_string(json, "smallest_tenant", params.small_tenant));
  TESSERA_RETURN_IF_ERROR(read_string(json, "biggest_shop", params.big_shop));
  TESSERA_RETURN_IF_ERROR(read_string(json, "smallest_shop", params.small_shop));
  TESSERA_RETURN_IF_ERROR(read_string(json, "biggest_tryon_tenant", params.big_tryon_tenant));
  TESSERA_RETURN_IF_ERROR(read_string(json, "smallest_tryon_tenant", params.small_tryon_tenant));
  if (auto raw = raw_value(json, "entities")) {
    uint64_t entities = 0;
    auto [end, err] = std::from_chars(raw->data(), raw->data() + raw->size(), entities);
    if (err != std::errc() || end != raw->data() + raw->size() || entities == 0 ||
        entities > 1'000'000) {
      return make_error(ErrorCode::kInvalidInput, "manifest: \"entities\" is not a count");
    }
    char name[32];
    std::snprintf(name, sizeof name, "ent_%06llu", static_cast<unsigned long long>(entities - 1));
    params.small_entity = name;
  }
  return Status::ok();
}

}  // namespace tessera::loadgen
