// CURLOPT_VERBOSE output: "* " info lines, "> " request and "< " response header lines on stderr.
#pragma once

#include <cstdarg>
#include <string_view>

namespace evm {

class Trace {
 public:
  bool enabled = false;

  void info(const char *fmt, ...) __attribute__((format(printf, 2, 3)));
  // Writes each line of a header block with `prefix` ('>' or '<').
  void headers(char prefix, std::string_view block);
};

}  // namespace evm
