// What a transfer hands its filters (a FilterContext), standing alone for sans-I/O tests and
// fuzz targets: a socket registry that reports to nobody, a trace, the error text and errno.
#pragma once

#include <curl/curl.h>

#include <string>

#include "conn/filter.h"
#include "event/socket_registry.h"
#include "util/trace.h"

namespace evm::test {

struct StandaloneFilterContext {
  struct SilentReporter final : SocketReporter {
    void report_socket(CURL *, curl_socket_t, int, void *) override {}
  };

  SilentReporter reporter;
  SocketRegistry registry{reporter};
  Trace trace;
  std::string error;
  int os_errno = 0;
  FilterContext ctx{registry, nullptr, trace, error, os_errno};
};

}  // namespace evm::test
