// CURLOPT_VERBOSE output: text, request and response heads, body bytes. Each piece goes to a
// sink as one curl_infotype (the transfer's DEBUGFUNCTION); without a sink, "* " info lines and
// "> " / "< " header lines are written on stderr, and bytes are not shown.
#pragma once

#include <curl/curl.h>

#include <cstdarg>
#include <cstdio>
#include <string_view>

namespace evm {

// Where traced pieces go; implemented above this layer (the transfer's DEBUGFUNCTION).
class TraceSink {
 public:
  virtual void emit(curl_infotype type, std::string_view data) = 0;

 protected:
  ~TraceSink() = default;
};

class Trace {
 public:
  bool enabled = false;
  TraceSink *sink = nullptr;  // null: the default text on `err`
  FILE *err = nullptr;        // null: stderr

  // One CURLINFO_TEXT piece, ending in "\n" as libcurl's do.
  void info(const char *fmt, ...) __attribute__((format(printf, 2, 3)));
  // A header block: '>' is the request head (one HEADER_OUT piece, as libcurl hands it over),
  // '<' a response head (one HEADER_IN piece per line, CRLF included, as libcurl).
  void headers(char prefix, std::string_view block);
  // DATA_IN / DATA_OUT / SSL_DATA_*: only a sink sees them.
  void data(curl_infotype type, std::string_view bytes) {
    if (enabled && sink && !bytes.empty()) sink->emit(type, bytes);
  }

 private:
  FILE *out() const { return err ? err : stderr; }
};

}  // namespace evm
