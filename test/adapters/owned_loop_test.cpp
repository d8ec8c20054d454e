// What only the loop-owning backends (epoll, kqueue) have: run / stop, and the ways of
// sharing their loop with the application's own descriptors.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include "adapter_harness.h"

using namespace evm::test;
using namespace std::chrono_literals;
using Api = LoopBackend::Api;

TEST_CASE("run returns 0 once no transfer is left, counting those added from the callback") {
  Harness h;
  REQUIRE(h.attach());
  h.on_done = [&](Job &) {
    if (h.jobs.size() < 150) h.add(server().http_url("/bytes/" + std::to_string(h.jobs.size())));
  };
  for (int i = 0; i < 50; ++i) h.add(server().http_url("/bytes/" + std::to_string(i)));
  CHECK(Api::run(h.loop.adapter()) == 0);
  CHECK(h.done_count == 150);
  CHECK(Api::running(h.loop.adapter()) == 0);
  for (auto &j : h.jobs) CHECK(j->result == CURLE_OK);
  // Nothing to do: returns at once.
  auto t0 = Clock::now();
  CHECK(Api::run(h.loop.adapter()) == 0);
  CHECK(Clock::now() - t0 < 1s);
}

TEST_CASE("run waits for timers too") {
  Harness h;
  REQUIRE(h.attach());
  Job &j = h.add(server().http_url("/stall"),
                 [](CURL *e) { curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 200L); });
  CHECK(Api::run(h.loop.adapter()) == 0);
  CHECK(j.result == CURLE_OPERATION_TIMEDOUT);
}

TEST_CASE("stop from the done callback makes run return 1; the next run finishes the rest") {
  Harness h;
  REQUIRE(h.attach());
  for (int i = 0; i < 5; ++i) h.add(server().http_url("/bytes/10"));
  for (int i = 0; i < 5; ++i) h.add(server().http_url("/delay/300"));
  h.on_done = [&](Job &) {
    if (h.done_count == 1) Api::stop(h.loop.adapter());
  };
  CHECK(Api::run(h.loop.adapter()) == 1);
  CHECK(h.done_count < 10);
  h.on_done = nullptr;
  CHECK(Api::run(h.loop.adapter()) == 0);
  CHECK(h.done_count == 10);
  // A stop asked for outside the loop ends the next run at once.
  Api::stop(h.loop.adapter());
  h.add(server().http_url("/bytes/10"));
  CHECK(Api::run(h.loop.adapter()) == 1);
  CHECK(Api::run(h.loop.adapter()) == 0);
  CHECK(h.done_count == 11);
}

TEST_CASE("detaching from the done callback during run ends it with 1") {
  REQUIRE(server_quiet());
  int fds_before = settled_fd_count();
  {
    Harness h;
    REQUIRE(h.attach());
    for (int i = 0; i < 3; ++i) h.add(server().http_url("/stall"));
    h.add(server().http_url("/bytes/10"));
    int rc = -2;
    h.on_done = [&](Job &) { rc = h.detach(); };
    // The adapter is freed when run's own frame lets go of it, before run returns.
    CHECK(Api::run(h.loop.adapter()) == 1);
    CHECK(rc == 0);
    CHECK(h.done_count == 1);
  }
  CHECK(fds_settle_at(fds_before));
}

TEST_CASE("embedded by its descriptor beside the application's own") {
  Harness h;
  REQUIRE(h.attach());
  int fd = Api::fd(h.loop.adapter());
  if (fd < 0) {
    CHECK(errno == ENOTSUP);  // libkqueue
    return;
  }
  int pipe_fds[2];
  REQUIRE(pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) == 0);
  int pipe_reads = 0;
  h.on_done = [&](Job &) { CHECK(write(pipe_fds[1], "x", 1) == 1); };
  for (int i = 0; i < 20; ++i) h.add(server().http_url("/bytes/" + std::to_string(i)));
  auto until = Clock::now() + 10s;
  while ((h.done_count < 20 || pipe_reads < 20) && Clock::now() < until) {
    pollfd p[2] = {{fd, POLLIN, 0}, {pipe_fds[0], POLLIN, 0}};
    if (poll(p, 2, 100) <= 0) continue;
    if (p[0].revents & POLLIN) CHECK(Api::dispatch(h.loop.adapter(), 0) == 0);
    char buf[64];
    ssize_t got;
    if (p[1].revents & POLLIN)
      while ((got = read(pipe_fds[0], buf, sizeof buf)) > 0) pipe_reads += static_cast<int>(got);
  }
  CHECK(h.done_count == 20);
  CHECK(pipe_reads == 20);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

#if defined(EVM_TEST_BACKEND_KQUEUE)
#include <sys/event.h>

TEST_CASE("the application's own kevents in the adapter's kqueue reach its callback") {
  Harness h;
  REQUIRE(h.attach());
  int kq = evmulti_kqueue_queue(h.loop.adapter());
  int pipe_fds[2];
  REQUIRE(pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) == 0);
  struct Seen {
    int pipe_events = 0, timer_events = 0;
    int pipe_fd;
  } seen;
  seen.pipe_fd = pipe_fds[0];
  struct kevent changes[2];
  EV_SET(&changes[0], static_cast<uintptr_t>(pipe_fds[0]), EVFILT_READ, EV_ADD, 0, 0, &seen);
  EV_SET(&changes[1], 1, EVFILT_TIMER, EV_ADD, 0, 20, &seen);  // every 20 ms
  REQUIRE(kevent(kq, changes, 2, nullptr, 0, nullptr) == 0);
  evmulti_kqueue_on_other_events(
      h.loop.adapter(),
      [](const struct kevent *e, void *userp) {
        auto *s = static_cast<Seen *>(userp);
        CHECK(e->udata == userp);
        if (e->filter == EVFILT_TIMER) ++s->timer_events;
        if (e->filter == EVFILT_READ) {
          char buf[64];
          while (read(s->pipe_fd, buf, sizeof buf) > 0) ++s->pipe_events;
        }
      },
      &seen);
  h.on_done = [&](Job &) { CHECK(write(pipe_fds[1], "x", 1) == 1); };
  for (int i = 0; i < 5; ++i) h.add(server().http_url("/delay/200"));
  REQUIRE(h.run_until([&] { return h.done_count == 5 && seen.pipe_events > 0; }, 10s));
  CHECK(seen.timer_events >= 5);
  for (auto &j : h.jobs) CHECK(j->result == CURLE_OK);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}
#endif
