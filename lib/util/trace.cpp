#include "util/trace.h"

#include <string>

namespace evm {

void Trace::info(const char *fmt, ...) {
  if (!enabled) return;
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(small, sizeof(small), fmt, ap);
  va_end(ap);
  if (n < 0) return;
  std::string text;
  if (static_cast<size_t>(n) < sizeof(small)) {
    text.assign(small, static_cast<size_t>(n));
  } else {
    text.resize(static_cast<size_t>(n) + 1);
    va_start(ap, fmt);
    std::vsnprintf(text.data(), text.size(), fmt, ap);
    va_end(ap);
    text.resize(static_cast<size_t>(n));
  }
  text += '\n';
  if (sink) {
    sink->emit(CURLINFO_TEXT, text);
    return;
  }
  std::fputs("* ", out());
  std::fwrite(text.data(), 1, text.size(), out());
}

void Trace::headers(char prefix, std::string_view block) {
  if (!enabled) return;
  if (sink && prefix == '>') {
    sink->emit(CURLINFO_HEADER_OUT, block);
    return;
  }
  while (!block.empty()) {
    size_t eol = block.find('\n');
    size_t len = eol == std::string_view::npos ? block.size() : eol + 1;
    std::string_view line = block.substr(0, len);
    block.remove_prefix(len);
    if (sink) {
      sink->emit(prefix == '<' ? CURLINFO_HEADER_IN : CURLINFO_HEADER_OUT, line);
      continue;
    }
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::fprintf(out(), "%c %.*s\n", prefix, static_cast<int>(line.size()), line.data());
  }
}

}  // namespace evm
