// The small helpers of curl.h: curl_getenv, curl_strequal, curl_strnequal and curl_getdate.
#include <curl/curl.h>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <string_view>

#include "api/c_edge.h"
#include "util/http_date.h"

using evm::api::guarded;

namespace {

// ASCII-only case folding: a locale must not change how header or scheme names compare.
char fold(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

// A copy the caller frees with curl_free; NULL when unset or empty, as libcurl answers.
extern "C" char *curl_getenv(const char *variable) {
  return guarded(nullptr, [variable]() -> char * {
    if (!variable) return nullptr;
    const char *value = std::getenv(variable);
    if (!value || !*value) return nullptr;
    return ::strdup(value);
  });
}

// Two NULLs are equal, as in libcurl; a NULL and a string are not.
extern "C" int curl_strequal(const char *s1, const char *s2) {
  if (!s1 || !s2) return !s1 && !s2;
  for (; *s1 && *s2; ++s1, ++s2)
    if (fold(*s1) != fold(*s2)) return 0;
  return *s1 == *s2;
}

// libcurl: two NULLs are equal only when n is non-zero.
extern "C" int curl_strnequal(const char *s1, const char *s2, size_t n) {
  if (!s1 || !s2) return !s1 && !s2 && n;
  for (; n; --n, ++s1, ++s2) {
    if (fold(*s1) != fold(*s2)) return 0;
    if (!*s1) return 1;
  }
  return 1;
}

// The forms libcurl's date parser reads; -1 when unreadable or outside time_t. The second
// argument is unused, as in libcurl.
extern "C" time_t curl_getdate(const char *p, const time_t *) {
  return guarded(static_cast<time_t>(-1), [p]() -> time_t {
    if (!p) return -1;
    auto secs = evm::parse_http_date(std::string_view(p));
    if (!secs) return -1;
    if (*secs > std::numeric_limits<time_t>::max() || *secs < std::numeric_limits<time_t>::min())
      return -1;
    return static_cast<time_t>(*secs);
  });
}
