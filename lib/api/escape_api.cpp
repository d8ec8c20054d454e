// Percent-encoding entry points: curl_easy_escape/unescape and their handle-less twins.
#include <curl/curl.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>

#include "api/c_edge.h"
#include "util/percent_encoding.h"

using evm::api::guarded;

namespace {

// Strings handed out here are released with curl_free (free), so they are malloc'ed. The
// copy is NUL-terminated even when the decoded text holds NUL bytes.
char *c_copy(const std::string &s) {
  char *p = static_cast<char *>(std::malloc(s.size() + 1));
  if (p) std::memcpy(p, s.data(), s.size() + 1);
  return p;
}

// A length of 0 means "up to the NUL"; a negative one is refused.
bool input(const char *string, int length, std::string_view &out) {
  if (!string || length < 0) return false;
  out = length == 0 ? std::string_view(string) : std::string_view(string, length);
  return true;
}

}  // namespace

extern "C" char *curl_easy_escape(CURL *, const char *string, int length) {
  std::string_view in;
  if (!input(string, length, in)) return nullptr;
  return guarded(static_cast<char *>(nullptr),
                 [in] { return c_copy(evm::util::percent_encode(in)); });
}

extern "C" char *curl_escape(const char *string, int length) {
  return curl_easy_escape(nullptr, string, length);
}

extern "C" char *curl_easy_unescape(CURL *, const char *string, int length, int *outlength) {
  std::string_view in;
  if (!input(string, length, in)) return nullptr;
  return guarded(static_cast<char *>(nullptr), [in, outlength] {
    std::string out = evm::util::percent_decoded(in);
    if (out.size() > INT_MAX) return static_cast<char *>(nullptr);
    char *copy = c_copy(out);
    if (copy && outlength) *outlength = static_cast<int>(out.size());
    return copy;
  });
}

extern "C" char *curl_unescape(const char *string, int length) {
  return curl_easy_unescape(nullptr, string, length, nullptr);
}
