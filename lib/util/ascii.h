// ASCII-only case folding and comparison. Protocol tokens (header names, schemes, host names)
// are ASCII and must not follow the C locale, so std::tolower is never used for them.
#pragma once

#include <string>
#include <string_view>

namespace evm::ascii {

constexpr char to_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string lowered(std::string_view s) {
  std::string r(s);
  for (char &c : r) c = to_lower(c);
  return r;
}

constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

constexpr bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace evm::ascii
