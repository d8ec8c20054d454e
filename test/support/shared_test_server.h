// One loopback TestServer per test process, started on first use; it also lifts the descriptor
// limit so tests can hold thousands of connections.
#pragma once

#include "test_server.h"

namespace evm::test {

// Aborts the process with a message if the server cannot start: no test can run without it.
TestServer &shared_test_server();

// The same, under the short name the tests use.
inline TestServer &server() {
  return shared_test_server();
}

}  // namespace evm::test
