#include "event/socket_registry.h"

#include <doctest/doctest.h>

#include <vector>

namespace {

struct Call {
  curl_socket_t fd;
  int what;
  void *socketp;
};

struct Recorder : evm::SocketReporter {
  std::vector<Call> calls;
  void report_socket(CURL *, curl_socket_t fd, int what, void *socketp) override {
    calls.push_back({fd, what, socketp});
  }
};

struct Owner : evm::IoHandler {
  void on_socket_ready(curl_socket_t, int) override {}
};

}  // namespace

TEST_CASE("the application hears of a socket only when its wanted events change") {
  Recorder rec;
  evm::SocketRegistry reg(rec);
  Owner o;
  reg.watch(5, CURL_POLL_OUT, o, nullptr);
  reg.watch(5, CURL_POLL_OUT, o, nullptr);
  reg.watch(5, CURL_POLL_IN, o, nullptr);
  reg.watch(5, CURL_POLL_IN, o, nullptr);
  REQUIRE(rec.calls.size() == 2);
  CHECK(rec.calls[0].what == CURL_POLL_OUT);
  CHECK(rec.calls[1].what == CURL_POLL_IN);
  CHECK(reg.watched() == 1);
}

TEST_CASE("REMOVE is reported exactly once and carries the assigned socketp") {
  Recorder rec;
  evm::SocketRegistry reg(rec);
  Owner o;
  int mine = 0;
  CHECK_FALSE(reg.assign(9, &mine));  // unknown sockets cannot be assigned
  reg.watch(9, CURL_POLL_IN, o, nullptr);
  CHECK(reg.assign(9, &mine));
  reg.watch(9, CURL_POLL_INOUT, o, nullptr);
  reg.forget(9, nullptr);
  reg.forget(9, nullptr);
  reg.watch(9, 0, o, nullptr);
  REQUIRE(rec.calls.size() == 3);
  CHECK(rec.calls[1].socketp == &mine);
  CHECK(rec.calls[2].what == CURL_POLL_REMOVE);
  CHECK(rec.calls[2].socketp == &mine);
  CHECK(reg.find(9) == nullptr);
  CHECK(reg.watched() == 0);
}

TEST_CASE("a reused descriptor number starts clean") {
  Recorder rec;
  evm::SocketRegistry reg(rec);
  Owner a, b;
  int pa = 0;
  reg.watch(4, CURL_POLL_IN, a, nullptr);
  reg.assign(4, &pa);
  reg.forget(4, nullptr);
  reg.watch(4, CURL_POLL_IN, b, nullptr);  // same number, new socket
  REQUIRE(rec.calls.size() == 3);
  CHECK(rec.calls[2].what == CURL_POLL_IN);
  CHECK(rec.calls[2].socketp == nullptr);
  // The old owner cannot unwatch what now belongs to someone else.
  reg.unwatch(4, a, nullptr);
  CHECK(reg.find(4) != nullptr);
  reg.unwatch(4, b, nullptr);
  CHECK(reg.find(4) == nullptr);
}

TEST_CASE("lookups are by descriptor and ignore unknown ones") {
  Recorder rec;
  evm::SocketRegistry reg(rec);
  Owner o;
  CHECK(reg.find(-1) == nullptr);
  CHECK(reg.find(100000) == nullptr);
  reg.watch(1000, CURL_POLL_IN, o, nullptr);
  REQUIRE(reg.find(1000) != nullptr);
  CHECK(reg.find(1000)->owner == &o);
  int n = 0;
  reg.for_each([&](curl_socket_t fd, const evm::SocketEntry &) {
    CHECK(fd == 1000);
    ++n;
  });
  CHECK(n == 1);
}
