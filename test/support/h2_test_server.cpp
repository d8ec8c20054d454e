// The HTTP/2 test server's lifecycle: one listener and one event_base on a background
// thread, the TLS context with ALPN "h2", and the counters read from other threads.
// Connections are in h2_test_conn.cpp, answers in h2_test_routes.cpp.
#include "server_util.h"
#include "h2_test_server.h"

#include "h2_test_conn.h"
#include "test_certs.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace evm::test {

using h2::FreeWith;
using h2::H2Core;

namespace {

using server_util::local_port;
using server_util::make_loopback_sockaddr;

constexpr int kListenBacklog = 1024;

using SslCtxPtr = std::unique_ptr<SSL_CTX, FreeWith<SSL_CTX_free>>;

// Selects "h2" when offered; otherwise no ALPN answer at all (the client then speaks
// HTTP/1.1 and the connection preface check ends the connection).
int on_alpn_select(SSL *, const unsigned char **out, unsigned char *out_len,
                   const unsigned char *offered, unsigned int offered_len, void *) {
  static const unsigned char kSupported[] = "\x02h2";
  unsigned char *chosen = nullptr;
  unsigned char chosen_len = 0;
  if (SSL_select_next_proto(&chosen, &chosen_len, kSupported, sizeof(kSupported) - 1, offered,
                            offered_len) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = chosen;
  *out_len = chosen_len;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

struct H2TestServer::Impl {
  explicit Impl(H2TestServerOptions o) { core.options = std::move(o); }

  H2Core core;
  std::mutex lifecycle_mu;
  bool running = false;
  std::thread thread;
  SslCtxPtr ssl_ctx;
  evconnlistener *listener = nullptr;
  event *wake_ev = nullptr;
  int wake_fds[2] = {-1, -1};
  std::atomic<uint16_t> port{0};

  bool start() {
    std::lock_guard<std::mutex> lock(lifecycle_mu);
    if (running) return true;
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (!make_loopback_sockaddr(core.options.bind_address, &ss, &len)) return false;
    bool ok = setup_tls() && setup(reinterpret_cast<sockaddr *>(&ss), len);
    if (ok) {
      try {
        thread = std::thread(&Impl::run, this);
      } catch (...) {
        ok = false;
      }
    }
    if (!ok) {
      release_all();
      port.store(0);
      return false;
    }
    running = true;
    return true;
  }

  // Commands for the server thread, one byte each through the wake pipe.
  enum Command : char { kStop = 1, kGoawayAll = 2, kPingAll = 3 };

  void send_command(Command command) {
    char byte = command;
    while (write(wake_fds[1], &byte, 1) < 0 && errno == EINTR) {
    }
  }

  // False if the server is not running.
  bool post(Command command) {
    std::lock_guard<std::mutex> lock(lifecycle_mu);
    if (!running) return false;
    send_command(command);
    return true;
  }

  void stop() {
    std::lock_guard<std::mutex> lock(lifecycle_mu);
    if (!running) return;
    send_command(kStop);
    thread.join();
    release_all();
    core.open.store(0);
    running = false;
  }

  bool setup_tls() {
    if (!core.options.tls || ssl_ctx) return true;
    const TestPki &pki = TestPki::get();
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) return false;
    SSL_CTX *c = ctx.get();
    if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate_chain_file(c, pki.server_cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(c, pki.server_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(c) != 1) {
      ERR_clear_error();
      return false;
    }
    SSL_CTX_set_options(c, SSL_OP_IGNORE_UNEXPECTED_EOF);
    static const unsigned char kSessionContext[] = "evmulti h2 test server";
    SSL_CTX_set_session_id_context(c, kSessionContext, sizeof(kSessionContext) - 1);
    SSL_CTX_set_alpn_select_cb(c, &on_alpn_select, nullptr);
    ssl_ctx = std::move(ctx);
    core.ssl_ctx = ssl_ctx.get();
    return true;
  }

  bool setup(const sockaddr *sa, socklen_t len) {
    core.base = event_base_new();
    if (core.base == nullptr) return false;
    if (pipe(wake_fds) != 0) {
      wake_fds[0] = wake_fds[1] = -1;
      return false;
    }
    for (int fd : wake_fds) {
      fcntl(fd, F_SETFD, FD_CLOEXEC);
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    wake_ev = event_new(core.base, wake_fds[0], EV_READ | EV_PERSIST, &Impl::on_wake, this);
    if (wake_ev == nullptr || event_add(wake_ev, nullptr) != 0) return false;
    const unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC;
    listener = evconnlistener_new_bind(core.base, &Impl::on_accept, this, flags, kListenBacklog, sa,
                                       static_cast<int>(len));
    if (listener == nullptr) return false;
    port.store(local_port(evconnlistener_get_fd(listener)));
    return port.load() != 0;
  }

  // Frees whatever is left; the server thread is not running.
  void release_all() {
    teardown_connections();
    if (wake_ev != nullptr) event_free(wake_ev);
    wake_ev = nullptr;
    if (core.base != nullptr) event_base_free(core.base);
    core.base = nullptr;
    for (int &fd : wake_fds) {
      if (fd >= 0) close(fd);
      fd = -1;
    }
  }

  void teardown_connections() {
    while (!core.conns.empty()) h2::conn_free(core.conns.begin()->first);
    if (listener != nullptr) evconnlistener_free(listener);
    listener = nullptr;
  }

  static void run(Impl *self) {
    // Signals belong to the application's threads; a write to a closed socket must give
    // EPIPE here rather than kill the process.
    sigset_t all;
    sigfillset(&all);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP}) sigdelset(&all, sig);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    event_base_dispatch(self->core.base);
    // This thread's OpenSSL state (error queue, random generators) goes with it.
    OPENSSL_thread_stop();
  }

  static void on_wake(evutil_socket_t fd, short, void *arg) {
    auto *self = static_cast<Impl *>(arg);
    char buf[16];
    ssize_t n = 0;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
      for (ssize_t i = 0; i < n; ++i) {
        if (buf[i] == kStop) {
          // No loopbreak: the loop ends once it has run the callbacks libevent deferred
          // for the freed bufferevents (a break would drop them, and leak those).
          self->teardown_connections();
          event_del(self->wake_ev);
          return;
        }
        self->to_every_connection(static_cast<Command>(buf[i]));
      }
    }
  }

  // GOAWAY (last-stream-id: the last stream nghttp2 processed, NO_ERROR) or PING on every
  // active connection, sent at once.
  void to_every_connection(Command command) {
    std::vector<h2::H2Conn *> all;
    for (auto &entry : core.conns) all.push_back(entry.first);
    for (h2::H2Conn *c : all) {
      // A flush may have freed a connection (and only that one).
      if (core.conns.count(c) == 0 || c->mode != h2::H2Conn::Mode::kActive) continue;
      nghttp2_session *session = c->session.get();
      if (command == kGoawayAll) {
        c->goaway_queued = true;
        nghttp2_submit_goaway(session, NGHTTP2_FLAG_NONE,
                              nghttp2_session_get_last_proc_stream_id(session), NGHTTP2_NO_ERROR,
                              nullptr, 0);
      } else if (command == kPingAll) {
        nghttp2_submit_ping(session, NGHTTP2_FLAG_NONE, nullptr);
      }
      h2::conn_flush(c);
    }
  }

  static void on_accept(evconnlistener *, evutil_socket_t fd, sockaddr *, int, void *arg) {
    auto *self = static_cast<Impl *>(arg);
    self->core.accepted.fetch_add(1);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    bufferevent *bev = nullptr;
    if (self->ssl_ctx) {
      SSL *ssl = SSL_new(self->ssl_ctx.get());
      if (ssl != nullptr) {
        bev = bufferevent_openssl_socket_new(self->core.base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                             BEV_OPT_CLOSE_ON_FREE);
        if (bev == nullptr) SSL_free(ssl);
      }
      if (bev != nullptr) bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    } else {
      bev = bufferevent_socket_new(self->core.base, fd, BEV_OPT_CLOSE_ON_FREE);
    }
    if (bev == nullptr) {
      evutil_closesocket(fd);
      return;
    }
    h2::conn_open(&self->core, bev);
  }
};

H2TestServer::H2TestServer(H2TestServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

H2TestServer::~H2TestServer() {
  stop();
}

bool H2TestServer::start() {
  return impl_->start();
}
void H2TestServer::stop() {
  impl_->stop();
}

bool H2TestServer::goaway_all() {
  return impl_->post(Impl::kGoawayAll);
}
bool H2TestServer::ping_all() {
  return impl_->post(Impl::kPingAll);
}

uint16_t H2TestServer::port() const {
  return impl_->port.load();
}

std::string H2TestServer::url(std::string_view path) const {
  const std::string &host = impl_->core.options.bind_address;
  std::string url = tls() ? "https://" : "http://";
  url += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  url += ':';
  url += std::to_string(port());
  if (path.empty() || path.front() != '/') url += '/';
  url += path;
  return url;
}

bool H2TestServer::tls() const {
  return impl_->core.options.tls;
}

uint64_t H2TestServer::connections_accepted() const {
  return impl_->core.accepted.load();
}
uint64_t H2TestServer::open_connections() const {
  return impl_->core.open.load();
}
uint64_t H2TestServer::streams_opened() const {
  return impl_->core.streams_opened.load();
}
uint64_t H2TestServer::responses_completed() const {
  return impl_->core.responses_completed.load();
}
uint64_t H2TestServer::pushes_promised() const {
  return impl_->core.pushes_promised.load();
}
uint64_t H2TestServer::rst_received() const {
  return impl_->core.rst_received.load();
}
uint64_t H2TestServer::pings_received() const {
  return impl_->core.pings_received.load();
}
uint64_t H2TestServer::goaways_received() const {
  return impl_->core.goaways_received.load();
}
uint64_t H2TestServer::goaways_sent() const {
  return impl_->core.goaways_sent.load();
}
uint64_t H2TestServer::pings_sent() const {
  return impl_->core.pings_sent.load();
}
uint64_t H2TestServer::ping_acks_received() const {
  return impl_->core.ping_acks_received.load();
}
uint64_t H2TestServer::data_bytes_sent() const {
  return impl_->core.data_bytes_sent.load();
}
uint64_t H2TestServer::data_bytes_received() const {
  return impl_->core.data_bytes_received.load();
}
uint64_t H2TestServer::window_updates_received() const {
  return impl_->core.window_updates_received.load();
}
uint64_t H2TestServer::max_streams_seen_at_once() const {
  return impl_->core.max_streams_at_once.load();
}
std::vector<std::array<int32_t, 4>> H2TestServer::priorities_received() const {
  std::lock_guard<std::mutex> lock(impl_->core.mu);
  return impl_->core.priorities;
}
std::vector<H2Header> H2TestServer::last_request_headers() const {
  std::lock_guard<std::mutex> lock(impl_->core.mu);
  return impl_->core.last_headers;
}
uint32_t H2TestServer::last_client_enable_push() const {
  std::lock_guard<std::mutex> lock(impl_->core.mu);
  return impl_->core.last_enable_push;
}
std::string H2TestServer::last_alpn() const {
  std::lock_guard<std::mutex> lock(impl_->core.mu);
  return impl_->core.last_alpn;
}

}  // namespace evm::test
