// ASCII text helpers that several modules need: one definition instead of a private copy per
// file (copies with one name clash when files share a unity batch, cmake/unity.cmake).
// Thread-safety: pure functions.
#pragma once

#include <cctype>
#include <string>

namespace gaggle {

// `s` with its ASCII letters lowered; every other byte (UTF-8 included) unchanged.
inline std::string AsciiLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// `s` without its leading and trailing ASCII white space (std::isspace in the "C" locale).
inline std::string AsciiTrim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

}  // namespace gaggle
