#include "server/auth/token_table.h"

#include <fstream>
#include <sstream>
#include <unordered_map>

#include "server/auth/constant_time.h"

namespace tessera::server {
namespace {

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

std::optional<query::Role> parse_role(std::string_view s) {
  if (s == "admin") return query::Role::kAdmin;
  if (s == "service") return query::Role::kService;
  if (s == "writer") return query::Role::kWriter;
  if (s == "reader") return query::Role::kReader;
  return std::nullopt;
}

}  // namespace

// Error messages name the line and the field's position, never its content: with
// fields swapped or shifted, any field may hold a token, and start-up errors end up
// in logs.
Result<TokenTable> TokenTable::parse(std::string_view text) {
  TokenTable table;
  // Token -> line of its entry, to find duplicates in one pass. The views point into
  // `text`, which outlives the loop.
  std::unordered_map<std::string_view, size_t> token_lines;
  size_t line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto fields = split_fields(line);
    if (fields.empty() || fields[0].front() == '#') continue;
    auto fail = [line_number](const std::string& what) {
      return make_error(ErrorCode::kInvalidInput,
                        "tokens file line " + std::to_string(line_number) + ": " + what);
    };
    if (fields.size() < 2 || fields.size() > 3) {
      return fail("expected \"<token> <role> [tenant=<id>]\", got " +
                  std::to_string(fields.size()) + " fields");
    }
    if (fields[0].size() > kMaxTokenBytes) {
      return fail("field 1 (the token) is longer than " + std::to_string(kMaxTokenBytes) +
                  " bytes");
    }
    const auto role = parse_role(fields[1]);
    if (!role) return fail("field 2 (the role) is not admin, service, writer or reader");
    Principal principal{*role, std::nullopt};
    if (fields.size() == 3) {
      if (!fields[2].starts_with("tenant=") || fields[2].size() == 7) {
        return fail("field 3 must be tenant=<id> with a non-empty id");
      }
      principal.tenant = std::string(fields[2].substr(7));
    }
    if (*role == query::Role::kReader && !principal.tenant) {
      return fail("role reader requires tenant=<id>");
    }
    if ((*role == query::Role::kAdmin || *role == query::Role::kService) && principal.tenant) {
      return fail(std::string("role ") + role_name(*role) + " cannot have a tenant");
    }
    if (auto [first, is_new] = token_lines.try_emplace(fields[0], line_number); !is_new) {
      return fail("duplicate token (first on line " + std::to_string(first->second) + ")");
    }
    table.entries_.push_back({std::string(fields[0]), std::move(principal)});
  }
  return table;
}

Result<TokenTable> TokenTable::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorCode::kIoError, "cannot read tokens file " + path.string());
  }
  std::string text(kMaxTokensFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return make_error(ErrorCode::kIoError, "cannot read tokens file " + path.string());
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxTokensFileBytes) {
    return make_error(ErrorCode::kLimitExceeded, "tokens file " + path.string() + " exceeds " +
                                                     std::to_string(kMaxTokensFileBytes) +
                                                     " bytes");
  }
  return parse(text);
}

std::optional<Principal> TokenTable::find(std::string_view token) const {
  std::optional<Principal> found;
  // No early exit: every entry is compared, so timing does not reveal which matched.
  for (const auto& entry : entries_) {
    if (constant_time_equals(entry.token, token)) found = entry.principal;
  }
  return found;
}

}  // namespace tessera::server
