// curl_mprintf and its family: the C library's formatter behind libcurl's names. Each body runs
// inside guarded(), as every C entry point does.
#include <curl/mprintf.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "api/c_edge.h"

namespace {

using evm::api::guarded;

// vasprintf's answer as curl_maprintf gives it: a string curl_free() releases, or NULL.
char *format_new(const char *format, va_list args) {
  va_list copy;
  va_copy(copy, args);
  int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (n < 0) return nullptr;
  char *out = static_cast<char *>(std::malloc(static_cast<size_t>(n) + 1));
  if (out) std::vsnprintf(out, static_cast<size_t>(n) + 1, format, args);
  return out;
}

}  // namespace

extern "C" int curl_mvprintf(const char *format, va_list args) {
  return guarded(-1, [&] { return std::vprintf(format, args); });
}

extern "C" int curl_mvfprintf(FILE *fd, const char *format, va_list args) {
  return guarded(-1, [&] { return std::vfprintf(fd, format, args); });
}

extern "C" int curl_mvsprintf(char *buffer, const char *format, va_list args) {
  return guarded(-1, [&] { return std::vsprintf(buffer, format, args); });
}

extern "C" int curl_mvsnprintf(char *buffer, size_t maxlength, const char *format, va_list args) {
  // libcurl returns the length written (not what would have been), and writes nothing into a
  // zero-length buffer.
  return guarded(-1, [&] {
    if (maxlength == 0) return 0;
    int n = std::vsnprintf(buffer, maxlength, format, args);
    if (n < 0) return n;
    return static_cast<size_t>(n) < maxlength ? n : static_cast<int>(maxlength - 1);
  });
}

extern "C" char *curl_mvaprintf(const char *format, va_list args) {
  return guarded(static_cast<char *>(nullptr), [&] { return format_new(format, args); });
}

extern "C" int curl_mprintf(const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = curl_mvprintf(format, ap);
  va_end(ap);
  return n;
}

extern "C" int curl_mfprintf(FILE *fd, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = curl_mvfprintf(fd, format, ap);
  va_end(ap);
  return n;
}

extern "C" int curl_msprintf(char *buffer, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = curl_mvsprintf(buffer, format, ap);
  va_end(ap);
  return n;
}

extern "C" int curl_msnprintf(char *buffer, size_t maxlength, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = curl_mvsnprintf(buffer, maxlength, format, ap);
  va_end(ap);
  return n;
}

extern "C" char *curl_maprintf(const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  char *s = curl_mvaprintf(format, ap);
  va_end(ap);
  return s;
}
