// UTF-8 validation (RFC 3629) for line-protocol text: every name and string
// value the engine stores must be valid UTF-8.
#pragma once

#include <cstddef>
#include <string_view>

namespace tessera::engine {

// Length of the longest prefix of `text` that is valid UTF-8; equals
// text.size() exactly when all of `text` is valid. Rejects overlong forms,
// UTF-16 surrogates (U+D800..U+DFFF), code points above U+10FFFF, stray
// continuation bytes and sequences cut short by the end of `text`.
// Reads only bytes inside `text`. Thread-safe.
size_t utf8_valid_prefix(std::string_view text);

// True when every byte of `text` is below 0x80 (so it is valid UTF-8).
bool is_ascii(std::string_view text);

}  // namespace tessera::engine
