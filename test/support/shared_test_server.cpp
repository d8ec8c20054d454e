#include "shared_test_server.h"

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

namespace evm::test {

TestServer &shared_test_server() {
  static TestServer server;
  static const bool started = [] {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
    }
    return server.start();
  }();
  if (!started) {
    std::fprintf(stderr, "cannot start the loopback test server\n");
    std::abort();
  }
  return server;
}

}  // namespace evm::test
