// Constant-time byte comparison for secrets (tokens), so that the time a failed
// comparison takes reveals nothing about how many leading bytes matched.
#pragma once

#include <string_view>

namespace tessera::server {

// True when a == b. Runs over max(a.size(), b.size()) bytes whatever the content;
// only the lengths (not secret) influence the time taken.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace tessera::server
