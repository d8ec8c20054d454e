// libevent: the adapter lives on the application's event_base beside the application's own
// events, and the application keeps running its loop its own way.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include "adapter_harness.h"

using namespace evm::test;
using namespace std::chrono_literals;

TEST_CASE("the application's own events keep running beside the adapter's") {
  Harness h;
  REQUIRE(h.attach());
  event_base *base = h.loop.base();
  int ticks = 0, pipe_reads = 0;
  int pipe_fds[2];
  REQUIRE(pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) == 0);
  event *tick = event_new(
      base, -1, EV_PERSIST, [](evutil_socket_t, short, void *p) { ++*static_cast<int *>(p); },
      &ticks);
  timeval every{0, 10000};
  event_add(tick, &every);
  struct Reader {
    int fd;
    int *count;
  } reader{pipe_fds[0], &pipe_reads};
  event *readable = event_new(
      base, pipe_fds[0], EV_READ | EV_PERSIST,
      [](evutil_socket_t fd, short, void *p) {
        char buf[64];
        ssize_t got;
        while ((got = read(fd, buf, sizeof buf)) > 0) *static_cast<Reader *>(p)->count += int(got);
      },
      &reader);
  event_add(readable, nullptr);
  h.on_done = [&](Job &) {
    CHECK(write(pipe_fds[1], "x", 1) == 1);
    if (h.done_count == 10) event_base_loopexit(base, nullptr);
  };
  for (int i = 0; i < 10; ++i) h.add(server().http_url("/delay/200"));
  event_base_dispatch(base);
  CHECK(h.done_count == 10);
  CHECK(ticks >= 10);
  // The last write may still be on its way to the reader when loopexit ends the loop.
  h.run_until([&] { return pipe_reads == 10; }, 2s);
  CHECK(pipe_reads == 10);
  event_free(tick);
  event_free(readable);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

TEST_CASE("event_base_dispatch returns on its own when the last transfer is done") {
  // Nothing of ours stays added once the multi has no transfer and no timer: a loop with no
  // other events ends by itself, as with a plain curl hiperfifo.
  Harness h;
  REQUIRE(h.attach());
  for (int i = 0; i < 10; ++i) h.add(server().http_url("/bytes/100"));
  CHECK(event_base_dispatch(h.loop.base()) == 1);  // 1: no events left
  CHECK(h.done_count == 10);
  CHECK(h.loop.registrations() == 0);
}
