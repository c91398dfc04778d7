// UTF-8 checks for text that comes from files (Parquet key-value metadata, created_by,
// column names, Avro metadata) before it goes where only valid UTF-8 may go, such as JSON.
//
// IsValidUtf8 accepts exactly the well-formed UTF-8 of RFC 3629 (no overlong forms, no
// surrogates, nothing past U+10FFFF). EscapeInvalidUtf8 keeps every well-formed sequence and
// writes each byte that is not part of one as the four characters \xNN (lowercase hex), so
// the result is valid UTF-8 and still shows what the file held.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace gaggle {

bool IsValidUtf8(std::string_view s);

std::string EscapeInvalidUtf8(std::string_view s);

}  // namespace gaggle
