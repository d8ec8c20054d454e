#include "util/trace.h"

#include <cstdio>

namespace evm {

void Trace::info(const char *fmt, ...) {
  if (!enabled) return;
  std::fputs("* ", stderr);
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(stderr, fmt, ap);
  va_end(ap);
  std::fputc('\n', stderr);
}

void Trace::headers(char prefix, std::string_view block) {
  if (!enabled) return;
  while (!block.empty()) {
    size_t eol = block.find('\n');
    std::string_view line = block.substr(0, eol);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::fprintf(stderr, "%c %.*s\n", prefix, static_cast<int>(line.size()), line.data());
    if (eol == std::string_view::npos) break;
    block.remove_prefix(eol + 1);
  }
}

}  // namespace evm
