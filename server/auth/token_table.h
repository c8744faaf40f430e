// TokenTable: the parsed tokens file (SPEC "Security"), one entry per line:
//   <token> <role> [tenant=<id>]
// Blank lines and lines starting with '#' are ignored. Fields are separated by
// spaces or tabs. Roles: admin, service, writer (tenant optional), reader
// (tenant required). Format and errors: docs/protocol/errors.md ("Tokens file").
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/principal.h"
#include "storage/base/status.h"

namespace tessera::server {

// Limits on the tokens file.
inline constexpr size_t kMaxTokensFileBytes = size_t{1} << 20;
inline constexpr size_t kMaxTokenBytes = 512;

class TokenTable {
 public:
  // kInvalidInput "tokens file line 3: field 2 (the role) is not admin, service,
  // writer or reader" and the like: wrong field count, unknown role, reader without
  // tenant, tenant on admin/service, bad tenant= syntax, a token over kMaxTokenBytes,
  // a duplicate token. Messages name the line and the field's position, never what
  // a field holds (it might be a token). O(size of text).
  static Result<TokenTable> parse(std::string_view text);
  // Reads then parses; kIoError when the file cannot be read, kLimitExceeded over
  // kMaxTokensFileBytes.
  static Result<TokenTable> load(const std::filesystem::path& path);

  // The principal of `token`, comparing against every entry in constant time.
  // Thread-safe (const).
  std::optional<Principal> find(std::string_view token) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string token;
    Principal principal;
  };
  std::vector<Entry> entries_;
};

}  // namespace tessera::server
