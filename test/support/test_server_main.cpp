// Standalone launcher for the loopback test server (benchmarks, manual poking).
//
//   test_server [--bind 127.0.0.1|::1] [--tls good|expired|wrong-name|self-signed]
//               [--require-client-cert] [--no-stdin]
//
// Prints "HTTP_PORT RAW_PORT" on one line of stdout (with --tls, a second line holds the
// path of the test CA certificate to trust, e.g. curl --cacert), then serves until SIGINT,
// SIGTERM or end of stdin (so a parent that dies takes the server with it; --no-stdin
// disables that, for running in the background with stdin closed). The certificates live
// in a temporary directory that is removed when the server exits.
#include "test_certs.h"
#include "test_server.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

int g_signal_pipe[2] = {-1, -1};

void on_signal(int) {
  int saved = errno;
  char byte = 1;
  ssize_t ignored = write(g_signal_pipe[1], &byte, 1);
  (void)ignored;
  errno = saved;
}

void usage(const char *argv0) {
  std::fprintf(stderr,
               "usage: %s [--bind 127.0.0.1|::1] [--tls good|expired|wrong-name|self-signed]\n"
               "          [--require-client-cert] [--no-stdin]\n",
               argv0);
}

bool parse_tls(const std::string &name, evm::test::TestServerOptions::Tls *tls) {
  using Tls = evm::test::TestServerOptions::Tls;
  if (name == "good") {
    *tls = Tls::Good;
  } else if (name == "expired") {
    *tls = Tls::Expired;
  } else if (name == "wrong-name") {
    *tls = Tls::WrongName;
  } else if (name == "self-signed") {
    *tls = Tls::SelfSigned;
  } else {
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char **argv) {
  evm::test::TestServerOptions options;
  bool watch_stdin = true;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--bind" && i + 1 < argc) {
      options.bind_address = argv[++i];
    } else if (arg == "--tls" && i + 1 < argc && parse_tls(argv[i + 1], &options.tls)) {
      ++i;
    } else if (arg == "--require-client-cert") {
      options.require_client_cert = true;
    } else if (arg == "--no-stdin") {
      watch_stdin = false;
    } else {
      usage(argv[0]);
      return arg == "-h" || arg == "--help" ? 0 : 2;
    }
  }

  if (pipe(g_signal_pipe) != 0) {
    std::perror("pipe");
    return 1;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  evm::test::TestServer server(options);
  if (!server.start()) {
    std::fprintf(stderr, "test_server: cannot listen on %s (loopback addresses only)\n",
                 options.bind_address.c_str());
    return 1;
  }
  std::printf("%u %u\n", server.http_port(), server.raw_port());
  if (server.tls()) std::printf("%s\n", evm::test::TestPki::get().ca_file.c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "test_server: http %s  raw %s\n", server.http_url("/").c_str(),
               server.raw_url("/").c_str());

  pollfd fds[2] = {{g_signal_pipe[0], POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
  for (;;) {
    int n = poll(fds, watch_stdin ? 2 : 1, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("poll");
      break;
    }
    if (fds[0].revents != 0) break;  // signal
    if (watch_stdin && fds[1].revents != 0) {
      char buf[4096];
      ssize_t got = read(STDIN_FILENO, buf, sizeof(buf));
      if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) break;  // EOF
    }
  }

  server.stop();
  std::fprintf(stderr, "test_server: %llu connections, %llu requests\n",
               static_cast<unsigned long long>(server.connections_accepted()),
               static_cast<unsigned long long>(server.requests_served()));
  return 0;
}
