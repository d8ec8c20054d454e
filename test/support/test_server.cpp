// Loopback test server: an evhttp listener for well-formed HTTP/1.1 and a raw listener with
// canned (often broken) responses; the endpoint list is in test_server.h. Everything runs
// on one thread that owns one event_base; other threads only touch atomics, the wake pipe
// and the SNI string under its mutex. With TLS, both listeners use OpenSSL bufferevents
// over the same sockets; the plain path is untouched.
#include "test_server.h"

#include "server_util.h"

#include "routes.h"

#include "test_certs.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace evm::test {
namespace {

using server_util::kPatternBlockSize;
using server_util::local_port;
using server_util::make_loopback_sockaddr;
using server_util::number_after;
using server_util::parse_decimal;
using server_util::pattern_block;
using server_util::send_close_notify;

constexpr size_t kSmallCopyLimit = 4096;        // below this, copying beats a reference
constexpr uint64_t kMaxBodyBytes = 1ull << 40;  // sanity bound for N in /bytes/N etc.
constexpr uint64_t kMaxHeaderBytes = 64ull << 20;
constexpr uint64_t kMaxDelayMs = 3600 * 1000;
constexpr size_t kChunkPiece = 1000;
constexpr size_t kMaxRawHead = 1 << 20;
constexpr uint64_t kMaxRawBody = 64ull << 20;
constexpr int kListenBacklog = 4096;
constexpr int kSlowIntervalMs = 50;
constexpr int kLingerSeconds = 2;
// Endless responses: the output is topped up to the high mark whenever it drains below the
// low one, so the server writes only as fast as the socket takes it.
constexpr size_t kStreamLowWater = 64 * 1024;
constexpr size_t kStreamHighWater = 256 * 1024;
constexpr std::string_view kContinueHead = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr size_t kContinueBlockCopies = 1024;

template <auto Free>
struct FreeWith {
  template <typename T>
  void operator()(T *p) const {
    Free(p);
  }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, FreeWith<SSL_CTX_free>>;

// Marks an SSL whose handshake was counted: OpenSSL may report HANDSHAKE_DONE again for
// post-handshake messages.
int counted_ex_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}
int counted_marker = 1;

// kContinueBlockCopies copies of kContinueHead back to back.
const std::string &continue_block() {
  static const std::string block = [] {
    std::string b;
    for (size_t i = 0; i < kContinueBlockCopies; ++i) b += kContinueHead;
    return b;
  }();
  return block;
}

// Appends bytes offset..offset+n of the endless 'a'..'z' pattern. Large bodies reference
// a static block instead of copying, so a multi-megabyte response costs no memory.
void add_pattern(evbuffer *buf, uint64_t offset, uint64_t n) {
  const char *block = pattern_block();
  if (n <= kSmallCopyLimit) {
    size_t start = offset % 26;
    evbuffer_add(buf, block + start, n);
    return;
  }
  while (n > 0) {
    size_t start = offset % 26;
    size_t take = static_cast<size_t>(std::min<uint64_t>(n, kPatternBlockSize - start));
    evbuffer_add_reference(buf, block + start, take, nullptr, nullptr);
    offset += take;
    n -= take;
  }
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True if the comma-separated header value contains token (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (iequals(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_header_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), is_token_char);
}

void set_nodelay(evutil_socket_t fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

const char *method_name(evhttp_cmd_type cmd) {
  switch (cmd) {
    case EVHTTP_REQ_GET:
      return "GET";
    case EVHTTP_REQ_POST:
      return "POST";
    case EVHTTP_REQ_HEAD:
      return "HEAD";
    case EVHTTP_REQ_PUT:
      return "PUT";
    case EVHTTP_REQ_DELETE:
      return "DELETE";
    case EVHTTP_REQ_OPTIONS:
      return "OPTIONS";
    case EVHTTP_REQ_TRACE:
      return "TRACE";
    case EVHTTP_REQ_CONNECT:
      return "CONNECT";
    case EVHTTP_REQ_PATCH:
      return "PATCH";
  }
  return "UNKNOWN";
}

void add_string(evbuffer *buf, std::string_view s) {
  evbuffer_add(buf, s.data(), s.size());
}

// ---------------------------------------------------------------------------------------
// Raw listener request parsing.

struct RawRequest {
  std::string method;
  std::string target;  // as received
  std::string path;    // target without scheme/authority and query
  std::vector<std::pair<std::string, std::string>> headers;
  uint64_t content_length = 0;
  bool chunked = false;
  bool wants_close = false;
  bool expect_continue = false;
  bool head = false;
};

bool parse_raw_head(std::string_view head, RawRequest *req) {
  bool first = true;
  bool http10 = false;
  bool keep_alive = false;
  bool have_length = false;
  while (!head.empty()) {
    size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first) {
      first = false;
      size_t sp1 = line.find(' ');
      size_t sp2 = line.rfind(' ');
      if (sp1 == std::string_view::npos || sp2 == sp1) return false;
      std::string_view version = line.substr(sp2 + 1);
      if (version == "HTTP/1.0") {
        http10 = true;
      } else if (version != "HTTP/1.1") {
        return false;
      }
      req->method = std::string(line.substr(0, sp1));
      req->target = std::string(trim(line.substr(sp1 + 1, sp2 - sp1 - 1)));
      if (req->method.empty() || req->target.empty()) return false;
      continue;
    }
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') return false;  // no obs-fold
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    if (!is_header_name(name)) return false;
    if (iequals(name, "Content-Length")) {
      uint64_t n = 0;
      if (!parse_decimal(value, UINT64_MAX, &n) || (have_length && n != req->content_length))
        return false;
      have_length = true;
      req->content_length = n;
    } else if (iequals(name, "Transfer-Encoding")) {
      req->chunked = has_token(value, "chunked");
    } else if (iequals(name, "Connection")) {
      if (has_token(value, "close")) req->wants_close = true;
      if (has_token(value, "keep-alive")) keep_alive = true;
    } else if (iequals(name, "Expect")) {
      req->expect_continue = iequals(value, "100-continue");
    }
    req->headers.emplace_back(std::string(name), std::string(value));
  }
  if (http10 && !keep_alive) req->wants_close = true;
  req->head = req->method == "HEAD";

  std::string_view path = req->target;
  if (size_t scheme = path.find("://"); scheme != std::string_view::npos && path[0] != '/') {
    size_t slash = path.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
  }
  req->path = std::string(path.substr(0, path.find('?')));
  return true;
}

// A chunked request body decoded as it arrives: the complete chunks seen so far, so that each
// read resumes where the last one stopped (a 1 MiB body in 4 KiB reads stays linear).
struct ChunkedScan {
  size_t pos = 0;    // offset in the body area of the next chunk-size line
  std::string body;  // the data of the chunks before `pos`
};

// Continues decoding the chunked body at the start of `in`. Returns the bytes it spans, 0 if
// more input is needed, -1 if malformed.
long long parse_chunked_body(std::string_view in, ChunkedScan &scan) {
  for (;;) {
    size_t pos = scan.pos;
    size_t eol = in.find("\r\n", pos);
    if (eol == std::string_view::npos) return in.size() - pos > 1024 ? -1 : 0;
    std::string_view line = in.substr(pos, eol - pos);
    line = trim(line.substr(0, line.find(';')));
    if (line.empty() || line.size() > 15) return -1;
    uint64_t size = 0;
    for (char ch : line) {
      int digit = (ch >= '0' && ch <= '9')   ? ch - '0'
                  : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
                  : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10
                                             : -1;
      if (digit < 0) return -1;
      size = size * 16 + static_cast<uint64_t>(digit);
    }
    pos = eol + 2;
    if (size == 0) {  // trailer section up to the blank line
      for (;;) {
        eol = in.find("\r\n", pos);
        if (eol == std::string_view::npos) return 0;
        if (eol == pos) return static_cast<long long>(pos + 2);
        pos = eol + 2;
      }
    }
    if (size > kMaxRawBody || scan.body.size() + size > kMaxRawBody) return -1;
    if (in.size() - pos < size + 2) return 0;
    if (in.substr(pos + size, 2) != "\r\n") return -1;
    scan.body.append(in.substr(pos, size));
    scan.pos = pos + size + 2;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------

struct TestServer::Impl {
  // An evhttp request answered later (/delay) or never (/stall). evhttp stops reading
  // while a request is with us, so `watch` notices the client going away.
  struct PendingRequest {
    Impl *impl = nullptr;
    evhttp_request *req = nullptr;
    evhttp_connection *evcon = nullptr;
    event *timer = nullptr;
    event *watch = nullptr;
  };

  struct RawConn {
    enum class Mode {
      kReading,          // parsing requests
      kSlow,             // dribbling a /slow body; further input waits in the buffer
      kStalled,          // never answering again; input is discarded
      kCloseAfterFlush,  // FIN once the output is written
      kResetAfterFlush,  // RST once the output is written
      kLingering,        // FIN sent; discarding input until the client closes
      kStreaming,        // writing an endless response; input is discarded
    };
    enum class Stream { kPattern, kContinue };
    Impl *impl = nullptr;
    bufferevent *bev = nullptr;
    Mode mode = Mode::kReading;
    bool drop_next = false;
    bool sent_continue = false;
    ChunkedScan chunked;  // the request body read so far, while it is chunked
    bool peer_eof = false;
    bool close_after_slow = false;
    uint64_t slow_sent = 0;
    uint64_t slow_total = 0;
    Stream stream = Stream::kPattern;
    uint64_t stream_sent = 0;  // pattern bytes queued so far
    event *slow_timer = nullptr;
    event *linger_timer = nullptr;
    event *idle_timer = nullptr;     // /idle-close: closes the idle connection when it fires
    bool skip_close_notify = false;  // /fin-no-notify: a TLS close without the alert
  };
  using Mode = RawConn::Mode;

  explicit Impl(TestServerOptions o) : options(std::move(o)) {}

  TestServerOptions options;
  std::mutex lifecycle_mu;
  bool running = false;
  std::thread thread;

  // Owned by the server thread while it runs.
  event_base *base = nullptr;
  evhttp *http = nullptr;
  evconnlistener *raw_listener = nullptr;
  event *wake_ev = nullptr;
  event *post_accept_ev = nullptr;
  int wake_fds[2] = {-1, -1};
  std::vector<bufferevent *> fresh_http_bevs;
  std::unordered_map<PendingRequest *, std::unique_ptr<PendingRequest>> pending;
  std::unordered_map<RawConn *, std::unique_ptr<RawConn>> raw_conns;

  std::atomic<uint16_t> http_port{0};
  std::atomic<uint16_t> raw_port{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> served{0};
  std::atomic<uint64_t> open{0};

  // TLS: the context lives as long as the server so sessions survive a restart.
  SslCtxPtr ssl_ctx;
  std::atomic<uint64_t> tls_handshakes{0};
  std::atomic<uint64_t> tls_resumed{0};
  mutable std::mutex sni_mu;
  std::string last_sni;

  // --- lifecycle -------------------------------------------------------------------------

  bool start() {
    std::lock_guard<std::mutex> lock(lifecycle_mu);
    if (running) return true;
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (!make_loopback_sockaddr(options.bind_address, &ss, &len)) return false;
    if (!setup_tls()) return false;
    bool ok = setup(reinterpret_cast<sockaddr *>(&ss), len);
    if (ok) {
      try {
        thread = std::thread(&Impl::run, this);
      } catch (...) {
        ok = false;
      }
    }
    if (!ok) {
      release_all();
      http_port.store(0);
      raw_port.store(0);
      return false;
    }
    running = true;
    return true;
  }

  void stop() {
    std::lock_guard<std::mutex> lock(lifecycle_mu);
    if (!running) return;
    char byte = 1;
    while (write(wake_fds[1], &byte, 1) < 0 && errno == EINTR) {
    }
    thread.join();
    release_all();
    open.store(0);  // every socket is closed by now, counted or not
    running = false;
  }

  bool setup(const sockaddr *sa, socklen_t len) {
    base = event_base_new();
    if (base == nullptr) return false;
    // Priority 0 is reserved for post_accept_ev so it runs before any I/O callback.
    if (event_base_priority_init(base, 2) != 0) return false;

    if (pipe(wake_fds) != 0) {
      wake_fds[0] = wake_fds[1] = -1;
      return false;
    }
    for (int fd : wake_fds) {
      fcntl(fd, F_SETFD, FD_CLOEXEC);
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    wake_ev = event_new(base, wake_fds[0], EV_READ | EV_PERSIST, &Impl::on_wake, this);
    if (wake_ev == nullptr || event_add(wake_ev, nullptr) != 0) return false;
    post_accept_ev = event_new(base, -1, 0, &Impl::on_post_accept, this);
    if (post_accept_ev == nullptr || event_priority_set(post_accept_ev, 0) != 0) return false;

    const unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC;
    http = evhttp_new(base);
    if (http == nullptr) return false;
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                         EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                                         EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(http, &Impl::on_http_request, this);
    evhttp_set_bevcb(http, &Impl::on_http_new_bev, this);
    evconnlistener *http_listener =
        evconnlistener_new_bind(base, nullptr, nullptr, flags, kListenBacklog, sa, len);
    if (http_listener == nullptr) return false;
    if (evhttp_bind_listener(http, http_listener) == nullptr) {
      evconnlistener_free(http_listener);
      return false;
    }
    http_port.store(local_port(evconnlistener_get_fd(http_listener)));

    raw_listener =
        evconnlistener_new_bind(base, &Impl::on_raw_accept, this, flags, kListenBacklog, sa, len);
    if (raw_listener == nullptr) return false;
    raw_port.store(local_port(evconnlistener_get_fd(raw_listener)));
    return http_port.load() != 0 && raw_port.load() != 0;
  }

  // Makes the TLS context on the first start with options.tls set.
  bool setup_tls() {
    using Tls = TestServerOptions::Tls;
    if (options.tls == Tls::None || ssl_ctx) return true;
    const TestPki &pki = TestPki::get();
    const std::string *cert = &pki.server_cert;
    const std::string *key = &pki.server_key;
    switch (options.tls) {
      case Tls::None:
      case Tls::Good:
        break;
      case Tls::Expired:
        cert = &pki.expired_cert;
        key = &pki.expired_key;
        break;
      case Tls::WrongName:
        cert = &pki.wrong_name_cert;
        key = &pki.wrong_name_key;
        break;
      case Tls::SelfSigned:
        cert = &pki.self_signed_cert;
        key = &pki.self_signed_key;
        break;
    }
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) return false;
    SSL_CTX *c = ctx.get();
    if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate_chain_file(c, cert->c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(c, key->c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(c) != 1) {
      ERR_clear_error();
      return false;
    }
    // A client's plain FIN is an end of stream, not an error (the raw listener tells the
    // two apart).
    SSL_CTX_set_options(c, SSL_OP_IGNORE_UNEXPECTED_EOF);
    static const unsigned char kSessionContext[] = "evmulti test server";
    SSL_CTX_set_session_id_context(c, kSessionContext, sizeof(kSessionContext) - 1);
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_SERVER);  // TLS 1.3 tickets stay on
    SSL_CTX_set_app_data(c, this);
    SSL_CTX_set_info_callback(c, &Impl::on_tls_info);
    SSL_CTX_set_tlsext_servername_callback(c, &Impl::on_servername);
    SSL_CTX_set_tlsext_servername_arg(c, this);
    SSL_CTX_set_alpn_select_cb(c, &Impl::on_alpn_select, nullptr);
    if (options.require_client_cert) {
      STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(pki.ca_file.c_str());
      if (names == nullptr || SSL_CTX_load_verify_locations(c, pki.ca_file.c_str(), nullptr) != 1) {
        if (names != nullptr) sk_X509_NAME_pop_free(names, X509_NAME_free);
        ERR_clear_error();
        return false;
      }
      SSL_CTX_set_client_CA_list(c, names);
      SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    ssl_ctx = std::move(ctx);
    return true;
  }

  // A server-side bufferevent for an accepted socket (fd -1: evhttp sets it later).
  bufferevent *new_bufferevent(evutil_socket_t fd) {
    if (!ssl_ctx) return bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    SSL *ssl = SSL_new(ssl_ctx.get());
    if (ssl == nullptr) return nullptr;
    bufferevent *bev = bufferevent_openssl_socket_new(base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                                      BEV_OPT_CLOSE_ON_FREE);
    if (bev == nullptr) {
      SSL_free(ssl);
      return nullptr;
    }
    bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    return bev;
  }

  static void on_tls_info(const SSL *ssl, int where, int) {
    if ((where & SSL_CB_HANDSHAKE_DONE) == 0) return;
    SSL *s = const_cast<SSL *>(ssl);
    if (SSL_get_ex_data(s, counted_ex_index()) != nullptr) return;
    SSL_set_ex_data(s, counted_ex_index(), &counted_marker);
    auto *self = static_cast<Impl *>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
    self->tls_handshakes.fetch_add(1);
    if (SSL_session_reused(s) != 0) self->tls_resumed.fetch_add(1);
  }

  // OpenSSL calls this for every ClientHello, with or without a server_name extension.
  static int on_servername(SSL *ssl, int *, void *arg) {
    auto *self = static_cast<Impl *>(arg);
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    std::lock_guard<std::mutex> lock(self->sni_mu);
    self->last_sni = name != nullptr ? name : "";
    return SSL_TLSEXT_ERR_OK;
  }

  static int on_alpn_select(SSL *, const unsigned char **out, unsigned char *out_len,
                            const unsigned char *offered, unsigned int offered_len, void *) {
    static const unsigned char kSupported[] = "\x08http/1.1";
    unsigned char *chosen = nullptr;
    unsigned char chosen_len = 0;
    if (SSL_select_next_proto(&chosen, &chosen_len, kSupported, sizeof(kSupported) - 1, offered,
                              offered_len) != OPENSSL_NPN_NEGOTIATED)
      return SSL_TLSEXT_ERR_NOACK;
    *out = chosen;
    *out_len = chosen_len;
    return SSL_TLSEXT_ERR_OK;
  }

  // Frees whatever is left; the server thread is not running.
  void release_all() {
    teardown_connections();
    if (post_accept_ev != nullptr) event_free(post_accept_ev);
    post_accept_ev = nullptr;
    if (wake_ev != nullptr) event_free(wake_ev);
    wake_ev = nullptr;
    if (base != nullptr) event_base_free(base);
    base = nullptr;
    for (int &fd : wake_fds) {
      if (fd >= 0) close(fd);
      fd = -1;
    }
  }

  // Closes listeners and every client connection (server thread, or no thread at all).
  void teardown_connections() {
    fresh_http_bevs.clear();
    // The requests themselves are freed with their connections by evhttp_free below.
    while (!pending.empty()) drop_pending(pending.begin()->first);
    if (http != nullptr) evhttp_free(http);
    http = nullptr;
    while (!raw_conns.empty()) free_raw(raw_conns.begin()->first);
    if (raw_listener != nullptr) evconnlistener_free(raw_listener);
    raw_listener = nullptr;
  }

  static void run(Impl *self) {
    // Signals belong to the application's threads; a write to a closed socket must give
    // EPIPE here rather than kill the process.
    sigset_t all;
    sigfillset(&all);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP}) sigdelset(&all, sig);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    event_base_dispatch(self->base);
  }

  static void on_wake(evutil_socket_t fd, short, void *arg) {
    auto *self = static_cast<Impl *>(arg);
    char buf[16];
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
    self->teardown_connections();
    event_base_loopbreak(self->base);
  }

  // --- HTTP listener ----------------------------------------------------------------------

  // evhttp asks for a bufferevent once per accepted connection. The evhttp_connection
  // does not exist yet, so post_accept_ev picks it up as soon as this accept round ends.
  static bufferevent *on_http_new_bev(event_base *base, void *arg) {
    auto *self = static_cast<Impl *>(arg);
    bufferevent *bev = self->ssl_ctx ? self->new_bufferevent(-1)
                                     : bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (bev == nullptr) return nullptr;
    self->accepted.fetch_add(1);
    self->open.fetch_add(1);
    self->fresh_http_bevs.push_back(bev);
    event_active(self->post_accept_ev, EV_TIMEOUT, 0);
    return bev;
  }

  // Runs at priority 0, i.e. before any I/O callback could free a fresh connection.
  // evhttp installs its connection as the bufferevent's callback argument; that is how
  // we find it and hook its close callback (libevent 2.1 has no public accept hook).
  static void on_post_accept(evutil_socket_t, short, void *arg) {
    auto *self = static_cast<Impl *>(arg);
    for (bufferevent *bev : self->fresh_http_bevs) {
      bufferevent_data_cb readcb = nullptr;
      bufferevent_data_cb writecb = nullptr;
      bufferevent_event_cb eventcb = nullptr;
      void *cbarg = nullptr;
      bufferevent_getcb(bev, &readcb, &writecb, &eventcb, &cbarg);
      auto *evcon = static_cast<evhttp_connection *>(cbarg);
      if (evcon != nullptr && evhttp_connection_get_bufferevent(evcon) == bev) {
        evhttp_connection_set_closecb(evcon, &Impl::on_http_close, self);
        set_nodelay(bufferevent_getfd(bev));
      }
    }
    self->fresh_http_bevs.clear();
  }

  static void on_http_close(evhttp_connection *evcon, void *arg) {
    auto *self = static_cast<Impl *>(arg);
    self->open.fetch_sub(1);
    if (self->ssl_ctx) send_close_notify(evhttp_connection_get_bufferevent(evcon));
    for (auto it = self->pending.begin(); it != self->pending.end();) {
      PendingRequest *p = it->first;
      if (p->evcon != evcon) {
        ++it;
        continue;
      }
      ++it;
      // If evhttp saw the client go away it detached the request and left it to us;
      // otherwise it frees the request with the connection.
      if (evhttp_request_get_connection(p->req) == nullptr) evhttp_request_free(p->req);
      self->drop_pending(p);
    }
  }

  void drop_pending(PendingRequest *p) {
    if (p->timer != nullptr) event_free(p->timer);
    if (p->watch != nullptr) event_free(p->watch);
    pending.erase(p);
  }

  // Keeps a request for later; false if out of resources.
  bool hold_request(evhttp_request *req, uint64_t delay_ms, bool delayed) {
    auto p = std::make_unique<PendingRequest>();
    p->impl = this;
    p->req = req;
    p->evcon = evhttp_request_get_connection(req);
    if (p->evcon == nullptr) return false;
    evutil_socket_t fd = bufferevent_getfd(evhttp_connection_get_bufferevent(p->evcon));
    p->watch = event_new(base, fd, EV_READ | EV_PERSIST, &Impl::on_pending_readable, p.get());
    if (p->watch == nullptr || event_add(p->watch, nullptr) != 0) {
      if (p->watch != nullptr) event_free(p->watch);
      return false;
    }
    if (delayed) {
      p->timer = evtimer_new(base, &Impl::on_delay_done, p.get());
      timeval tv{static_cast<time_t>(delay_ms / 1000),
                 static_cast<suseconds_t>((delay_ms % 1000) * 1000)};
      if (p->timer == nullptr || evtimer_add(p->timer, &tv) != 0) {
        event_free(p->watch);
        if (p->timer != nullptr) event_free(p->timer);
        return false;
      }
    }
    pending.emplace(p.get(), std::move(p));
    return true;
  }

  // The client of a held request sent something: EOF or an error means it is gone, so
  // the connection (and the request with it) is freed now rather than at stop().
  static void on_pending_readable(evutil_socket_t fd, short, void *arg) {
    auto *p = static_cast<PendingRequest *>(arg);
    char byte;
    ssize_t n = recv(fd, &byte, 1, MSG_PEEK);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n > 0) {  // a pipelined request: leave it to evhttp, stop watching
      event_del(p->watch);
      return;
    }
    evhttp_connection_free(p->evcon);  // runs on_http_close, which drops `p`
  }

  // Sends a complete reply. No body for 1xx/204/304; HEAD gets the Content-Length only.
  static void send_http(evhttp_request *req, int code, std::string_view body,
                        const char *content_type) {
    evkeyvalq *out = evhttp_request_get_output_headers(req);
    if (content_type != nullptr && evhttp_find_header(out, "Content-Type") == nullptr)
      evhttp_add_header(out, "Content-Type", content_type);
    bool bodyless = code < 200 || code == 204 || code == 304;
    if (!bodyless) {
      evhttp_add_header(out, "Content-Length", std::to_string(body.size()).c_str());
      if (evhttp_request_get_command(req) != EVHTTP_REQ_HEAD)
        add_string(evhttp_request_get_output_buffer(req), body);
    }
    evhttp_send_reply(req, code, nullptr, nullptr);
  }

  // Adds each query parameter as a response header; false if one is not a valid header.
  static bool add_query_headers(evhttp_request *req, const char *query) {
    if (query == nullptr || *query == '\0') return true;
    evkeyvalq params{};
    if (evhttp_parse_query_str(query, &params) != 0) return false;
    bool ok = true;
    evkeyvalq *out = evhttp_request_get_output_headers(req);
    for (evkeyval *kv = params.tqh_first; kv != nullptr; kv = kv->next.tqe_next) {
      if (!is_header_name(kv->key) || evhttp_add_header(out, kv->key, kv->value) != 0) {
        ok = false;
        break;
      }
    }
    evhttp_clear_headers(&params);
    return ok;
  }

  static void on_http_request(evhttp_request *req, void *arg) {
    auto *self = static_cast<Impl *>(arg);
    self->served.fetch_add(1);
    if (evhttp_connection *evcon = evhttp_request_get_connection(req))
      evhttp_connection_set_closecb(evcon, &Impl::on_http_close, self);
    const evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *raw_path = uri != nullptr ? evhttp_uri_get_path(uri) : nullptr;
    const char *query = uri != nullptr ? evhttp_uri_get_query(uri) : nullptr;
    std::string_view path = raw_path != nullptr && *raw_path != '\0' ? raw_path : "/";
    bool head = evhttp_request_get_command(req) == EVHTTP_REQ_HEAD;
    uint64_t n = 0;

    if (number_after(path, "/bytes/", kMaxBodyBytes, &n)) {
      evkeyvalq *out = evhttp_request_get_output_headers(req);
      evhttp_add_header(out, "Content-Type", "application/octet-stream");
      evhttp_add_header(out, "Content-Length", std::to_string(n).c_str());
      if (!head) add_pattern(evhttp_request_get_output_buffer(req), 0, n);
      evhttp_send_reply(req, 200, "OK", nullptr);
    } else if (number_after(path, "/chunked/", kMaxBodyBytes, &n)) {
      evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                        "application/octet-stream");
      evhttp_send_reply_start(req, 200, "OK");
      evbuffer *piece = evbuffer_new();
      for (uint64_t sent = 0; piece != nullptr && sent < n;) {
        uint64_t take = std::min<uint64_t>(kChunkPiece, n - sent);
        add_pattern(piece, sent, take);
        evhttp_send_reply_chunk(req, piece);  // moves the bytes out of `piece`
        evbuffer_drain(piece, evbuffer_get_length(piece));
        sent += take;
      }
      if (piece != nullptr) evbuffer_free(piece);
      evhttp_send_reply_end(req);
    } else if (number_after(path, "/status/", 599, &n) && n >= 100) {
      if (!add_query_headers(req, query)) return send_http(req, 400, "bad header\n", "text/plain");
      send_http(req, static_cast<int>(n), "status " + std::to_string(n) + "\n", "text/plain");
    } else if (number_after(path, "/delay/", kMaxDelayMs, &n)) {
      if (!self->hold_request(req, n, true)) send_http(req, 500, "no timer\n", "text/plain");
    } else if (path == "/echo") {
      std::string text = method_name(evhttp_request_get_command(req));
      text += ' ';
      text += evhttp_request_get_uri(req);
      text += '\n';
      const evkeyvalq *in = evhttp_request_get_input_headers(req);
      for (const evkeyval *kv = in->tqh_first; kv != nullptr; kv = kv->next.tqe_next) {
        text += kv->key;
        text += ": ";
        text += kv->value;
        text += '\n';
      }
      text += '\n';
      evbuffer *body = evhttp_request_get_input_buffer(req);
      size_t body_len = evbuffer_get_length(body);
      size_t at = text.size();
      text.resize(at + body_len);
      if (body_len > 0) evbuffer_copyout(body, text.data() + at, body_len);
      send_http(req, 200, text, "text/plain");
    } else if (path == "/header") {
      if (!add_query_headers(req, query)) return send_http(req, 400, "bad header\n", "text/plain");
      send_http(req, 200, "ok\n", "text/plain");
    } else if (path == "/stall") {
      if (!self->hold_request(req, 0, false)) send_http(req, 500, "no watch\n", "text/plain");
    } else {
      send_http(req, 404, "not found\n", "text/plain");
    }
  }

  static void on_delay_done(evutil_socket_t, short, void *arg) {
    auto *p = static_cast<PendingRequest *>(arg);
    Impl *self = p->impl;
    evhttp_request *req = p->req;
    self->drop_pending(p);
    send_http(req, 200, "ok\n", "text/plain");
  }

  // --- raw listener -----------------------------------------------------------------------

  static void on_raw_accept(evconnlistener *, evutil_socket_t fd, sockaddr *, int, void *arg) {
    auto *self = static_cast<Impl *>(arg);
    self->accepted.fetch_add(1);
    set_nodelay(fd);
    bufferevent *bev = self->new_bufferevent(fd);
    if (bev == nullptr) {
      evutil_closesocket(fd);
      return;
    }
    auto conn = std::make_unique<RawConn>();
    conn->impl = self;
    conn->bev = bev;
    bufferevent_setcb(bev, &Impl::on_raw_read, &Impl::on_raw_write, &Impl::on_raw_event,
                      conn.get());
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    self->open.fetch_add(1);
    self->raw_conns.emplace(conn.get(), std::move(conn));
  }

  void free_raw(RawConn *c) {
    if (c->slow_timer != nullptr) event_free(c->slow_timer);
    if (c->linger_timer != nullptr) event_free(c->linger_timer);
    if (c->idle_timer != nullptr) event_free(c->idle_timer);
    bufferevent_free(c->bev);
    open.fetch_sub(1);
    raw_conns.erase(c);
  }

  static evbuffer *out_of(RawConn *c) { return bufferevent_get_output(c->bev); }

  static void on_raw_read(bufferevent *bev, void *arg) {
    auto *c = static_cast<RawConn *>(arg);
    switch (c->mode) {
      case Mode::kReading:
        c->impl->process_raw(c);
        return;
      case Mode::kSlow:
        return;  // handled once the slow body is done
      default: {
        evbuffer *in = bufferevent_get_input(bev);
        evbuffer_drain(in, evbuffer_get_length(in));
        return;
      }
    }
  }

  static void on_raw_write(bufferevent *, void *arg) {
    auto *c = static_cast<RawConn *>(arg);
    if (c->mode == Mode::kCloseAfterFlush) {
      c->impl->close_gracefully(c);
    } else if (c->mode == Mode::kResetAfterFlush) {
      c->impl->reset_now(c);
    } else if (c->mode == Mode::kStreaming) {
      refill_stream(c);
    }
  }

  static void on_raw_event(bufferevent *, short what, void *arg) {
    auto *c = static_cast<RawConn *>(arg);
    Impl *self = c->impl;
    if (what == BEV_EVENT_CONNECTED) return;  // a TLS handshake completed
    if ((what & BEV_EVENT_ERROR) != 0 || (what & BEV_EVENT_EOF) == 0) {
      self->free_raw(c);
      return;
    }
    // The client shut down its sending side: finish writing what is queued, then close.
    c->peer_eof = true;
    bool flushing = evbuffer_get_length(out_of(c)) > 0;
    if (flushing && c->mode == Mode::kReading) c->mode = Mode::kCloseAfterFlush;
    if (flushing && (c->mode == Mode::kCloseAfterFlush || c->mode == Mode::kResetAfterFlush)) {
      // An OpenSSL bufferevent stops writing at EOF; a TLS peer may still read.
      if (self->ssl_ctx) bufferevent_enable(c->bev, EV_WRITE);
      return;
    }
    self->free_raw(c);
  }

  static void on_idle_timeout(evutil_socket_t, short, void *arg) {
    auto *c = static_cast<RawConn *>(arg);
    if (c->mode == Mode::kReading) c->impl->begin_close(c);
  }

  static void on_linger_timeout(evutil_socket_t, short, void *arg) {
    auto *c = static_cast<RawConn *>(arg);
    c->impl->free_raw(c);
  }

  // Each of these returns false if it freed the connection.
  bool close_gracefully(RawConn *c) {
    if (ssl_ctx && !c->skip_close_notify) send_close_notify(c->bev);
    if (c->peer_eof) {
      free_raw(c);
      return false;
    }
    // FIN now, but keep reading until the client closes: closing a socket with unread
    // input would send RST instead.
    shutdown(bufferevent_getfd(c->bev), SHUT_WR);
    c->mode = Mode::kLingering;
    if (c->linger_timer == nullptr) c->linger_timer = evtimer_new(base, &on_linger_timeout, c);
    if (c->linger_timer == nullptr) {
      free_raw(c);
      return false;
    }
    timeval tv{kLingerSeconds, 0};
    evtimer_add(c->linger_timer, &tv);
    evbuffer *in = bufferevent_get_input(c->bev);
    evbuffer_drain(in, evbuffer_get_length(in));
    return true;
  }

  bool begin_close(RawConn *c) {
    c->mode = Mode::kCloseAfterFlush;
    if (evbuffer_get_length(out_of(c)) == 0) return close_gracefully(c);
    return true;
  }

  bool reset_now(RawConn *c) {
    linger lg{1, 0};
    setsockopt(bufferevent_getfd(c->bev), SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    free_raw(c);
    return false;
  }

  bool begin_reset(RawConn *c) {
    c->mode = Mode::kResetAfterFlush;
    if (evbuffer_get_length(out_of(c)) == 0) return reset_now(c);
    return true;
  }

  bool fail_raw(RawConn *c, std::string_view status) {
    evbuffer *in = bufferevent_get_input(c->bev);
    evbuffer_drain(in, evbuffer_get_length(in));
    evbuffer_add_printf(out_of(c),
                        "HTTP/1.1 %.*s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        static_cast<int>(status.size()), status.data());
    return begin_close(c);
  }

  // After a keep-alive response: close if the client asked for it.
  bool finish_raw(RawConn *c, bool wants_close) {
    if (wants_close) return begin_close(c);
    return true;
  }

  static void send_continue(RawConn *c, const RawRequest &req) {
    if (!req.expect_continue || c->sent_continue) return;
    add_string(out_of(c), "HTTP/1.1 100 Continue\r\n\r\n");
    c->sent_continue = true;
  }

  // Parses and answers every complete request in the input buffer.
  bool process_raw(RawConn *c) {
    evbuffer *in = bufferevent_get_input(c->bev);
    while (c->mode == Mode::kReading) {
      size_t avail = evbuffer_get_length(in);
      if (avail == 0) return true;
      evbuffer_ptr end = evbuffer_search(in, "\r\n\r\n", 4, nullptr);
      if (end.pos < 0) {
        if (avail > kMaxRawHead) return fail_raw(c, "431 Request Header Fields Too Large");
        return true;
      }
      size_t head_len = static_cast<size_t>(end.pos) + 4;
      const char *data = reinterpret_cast<const char *>(evbuffer_pullup(in, head_len));
      RawRequest req;
      if (data == nullptr || !parse_raw_head({data, head_len}, &req))
        return fail_raw(c, "400 Bad Request");
      if (c->drop_next) {  // the "idle connection closed by the server" race, lost
        evbuffer_drain(in, avail);
        return begin_close(c);
      }
      // Refuses an "Expect: 100-continue" on the head; without one it is the upload sink.
      if (req.path == "/upload/sink-no-expect" && req.expect_continue) {
        add_string(out_of(c),
                   "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 7\r\nConnection: close"
                   "\r\n\r\nno 100\n");
        evbuffer_drain(in, avail);
        return begin_close(c);
      }
      if (req.path == "/upload/early-413") {  // answers on the head, the body left unread
        add_string(out_of(c),
                   "HTTP/1.1 413 Content Too Large\r\nContent-Length: 9\r\nConnection: close"
                   "\r\n\r\ntoo large");
        evbuffer_drain(in, avail);
        return begin_close(c);
      }
      std::string body;
      size_t consumed = head_len;
      if (req.chunked) {
        data = reinterpret_cast<const char *>(evbuffer_pullup(in, -1));
        long long span = parse_chunked_body({data + head_len, avail - head_len}, c->chunked);
        if (span < 0) return fail_raw(c, "400 Bad Request");
        if (span == 0) {
          send_continue(c, req);
          return true;
        }
        consumed += static_cast<size_t>(span);
        body = std::move(c->chunked.body);
        c->chunked = ChunkedScan{};
      } else if (req.content_length > 0) {
        if (req.content_length > kMaxRawBody) return fail_raw(c, "413 Content Too Large");
        if (avail - head_len < req.content_length) {
          send_continue(c, req);
          return true;
        }
        size_t total = head_len + static_cast<size_t>(req.content_length);
        data = reinterpret_cast<const char *>(evbuffer_pullup(in, static_cast<ev_ssize_t>(total)));
        body.assign(data + head_len, static_cast<size_t>(req.content_length));
        consumed = total;
      }
      evbuffer_drain(in, consumed);
      c->sent_continue = false;
      served.fetch_add(1);
      if (!respond_raw(c, req, body)) return false;
    }
    return true;
  }

  // The raw endpoints. Canned bytes are written exactly as listed.
  bool respond_raw(RawConn *c, const RawRequest &req, const std::string &body) {
    evbuffer *out = out_of(c);
    std::string_view path = req.path;
    uint64_t n = 0;
    if (number_after(path, "/ok/", kMaxBodyBytes, &n)) {
      evbuffer_add_printf(out,
                          "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\nConnection: "
                          "keep-alive\r\n\r\n",
                          static_cast<unsigned long long>(n));
      if (!req.head) add_pattern(out, 0, n);
      return finish_raw(c, req.wants_close);
    }
    if (number_after(path, "/idle-close/", kMaxDelayMs, &n)) {
      add_string(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      if (c->idle_timer == nullptr) c->idle_timer = evtimer_new(base, &on_idle_timeout, c);
      if (c->idle_timer == nullptr) return begin_close(c);
      timeval tv{static_cast<time_t>(n / 1000), static_cast<suseconds_t>((n % 1000) * 1000)};
      evtimer_add(c->idle_timer, &tv);
      return finish_raw(c, req.wants_close);
    }
    if (number_after(path, "/fin-no-notify/", kMaxBodyBytes, &n)) {
      evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n\r\n",
                          static_cast<unsigned long long>(n));
      add_pattern(out, 0, n / 2);
      c->skip_close_notify = true;
      return begin_close(c);
    }
    if (path == "/empty") return begin_close(c);
    if (path == "/garbage") {
      add_string(out, "SSH-2.0-OpenSSH_9.2\r\n");
      return begin_close(c);
    }
    if (path == "/partial") {
      add_string(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
      add_pattern(out, 0, 50);
      return begin_close(c);
    }
    if (path == "/reset") {
      add_string(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
      add_pattern(out, 0, 1000);
      return begin_reset(c);
    }
    if (path == "/rst-early") return begin_reset(c);
    if (path == "/truncated-chunked") {
      add_string(out,
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\na\r\nabc");
      return begin_close(c);
    }
    if (path == "/close-after-headers") {
      add_string(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
      return begin_close(c);
    }
    if (path == "/garbage-status") {
      add_string(out, "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok");
      return begin_close(c);
    }
    if (path == "/stall") {
      c->mode = Mode::kStalled;
      return true;
    }
    if (path == "/stall-body") {
      add_string(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
      add_pattern(out, 0, 10);
      c->mode = Mode::kStalled;
      return true;
    }
    if (number_after(path, "/slow/", kMaxBodyBytes, &n)) {
      evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n\r\n",
                          static_cast<unsigned long long>(n));
      return start_slow(c, n, req.wants_close);
    }
    if (number_after(path, "/bigheader/", kMaxHeaderBytes, &n)) {
      add_string(out, "HTTP/1.1 200 OK\r\nX-Big: ");
      std::string big(static_cast<size_t>(n), 'x');
      add_string(out, big);
      add_string(out, "\r\nContent-Length: 2\r\n\r\nok");
      return finish_raw(c, req.wants_close);
    }
    if (path == "/badheader") {
      add_string(out, "HTTP/1.1 200 OK\r\nthis line has no colon\r\nContent-Length: 2\r\n\r\nok");
      return finish_raw(c, req.wants_close);
    }
    if (path == "/badchunk") {
      add_string(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
      return finish_raw(c, req.wants_close);
    }
    if (path == "/chunked-trailers") {
      add_string(out,
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Trailer\r\n\r\n"
                 "3\r\nhel\r\n2\r\nlo\r\n0\r\nX-Trailer: yes\r\n\r\n");
      return finish_raw(c, req.wants_close);
    }
    if (number_after(path, "/close-delimited/", kMaxBodyBytes, &n)) {
      add_string(out, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
      add_pattern(out, 0, n);
      return begin_close(c);
    }
    if (path == "/http10") {
      add_string(out, "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc");
      return begin_close(c);
    }
    if (path == "/continue") {
      add_string(out,
                 "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      return finish_raw(c, req.wants_close);
    }
    if (path == "/drop-next") {
      add_string(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      c->drop_next = true;
      return finish_raw(c, req.wants_close);
    }
    if (number_after(path, "/close-after/", kMaxBodyBytes, &n)) {
      evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n\r\n",
                          static_cast<unsigned long long>(n));
      add_pattern(out, 0, n);
      return begin_close(c);
    }
    if (path == "/endless") {
      add_string(out, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n");
      return start_stream(c, RawConn::Stream::kPattern);
    }
    if (path == "/endless-length") {
      add_string(out, "HTTP/1.1 200 OK\r\nContent-Length: 4611686018427387904\r\n\r\n");
      return start_stream(c, RawConn::Stream::kPattern);
    }
    if (path == "/continue-forever") return start_stream(c, RawConn::Stream::kContinue);
    if (path == "/te-gzip") {
      add_string(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 10\r\n\r\n");
      add_pattern(out, 0, 10);
      return finish_raw(c, req.wants_close);
    }
    if (path == "/te-chunked-bogus") {
      add_string(out,
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, bogus\r\n\r\n"
                 "5\r\nhello\r\n0\r\n\r\n");
      return finish_raw(c, req.wants_close);
    }
    if (path == "/excess") {
      add_string(out,
                 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                 "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra");
      return finish_raw(c, req.wants_close);
    }
    if (path == "/echo") {
      std::string text = req.method + " " + req.target + "\n";
      for (const auto &[name, value] : req.headers) text += name + ": " + value + "\n";
      text += '\n';
      text += body;
      evbuffer_add_printf(out,
                          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                          "%zu\r\n\r\n",
                          text.size());
      if (!req.head) add_string(out, text);
      return finish_raw(c, req.wants_close);
    }
    if (serve_route(c, req, body)) return true;
    add_string(out,
               "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\n");
    if (!req.head) add_string(out, "not found\n");
    return finish_raw(c, req.wants_close);
  }

  // The feature routes of routes.h, tried before the 404.
  bool serve_route(RawConn *c, const RawRequest &req, const std::string &body) {
    std::string_view target = req.target;
    size_t q = target.find('?');
    RouteRequest r{
        req.method,      target,
        req.path,        q == std::string_view::npos ? std::string_view{} : target.substr(q + 1),
        req.headers,     body,
        raw_port.load(), options.tls != TestServerOptions::Tls::None};
    for (Route route : kRoutes) {
      RouteReply reply;
      if (!route(r, reply)) continue;
      add_string(out_of(c), reply.bytes);
      return finish_raw(c, req.wants_close || reply.close_after);
    }
    return false;
  }

  bool start_slow(RawConn *c, uint64_t n, bool wants_close) {
    if (n == 0) return finish_raw(c, wants_close);
    if (c->slow_timer == nullptr)
      c->slow_timer = event_new(base, -1, EV_PERSIST, &Impl::on_slow_tick, c);
    if (c->slow_timer == nullptr) {
      free_raw(c);
      return false;
    }
    c->mode = Mode::kSlow;
    c->slow_sent = 0;
    c->slow_total = n;
    c->close_after_slow = wants_close;
    timeval tv{0, kSlowIntervalMs * 1000};
    event_add(c->slow_timer, &tv);
    return true;
  }

  // Starts an endless response after whatever is queued; it ends when the client goes away
  // or at stop().
  static bool start_stream(RawConn *c, RawConn::Stream what) {
    c->mode = Mode::kStreaming;
    c->stream = what;
    c->stream_sent = 0;
    evbuffer *in = bufferevent_get_input(c->bev);
    evbuffer_drain(in, evbuffer_get_length(in));
    bufferevent_setwatermark(c->bev, EV_WRITE, kStreamLowWater, 0);
    refill_stream(c);
    return true;
  }

  static void refill_stream(RawConn *c) {
    evbuffer *out = out_of(c);
    const std::string &heads = continue_block();
    while (evbuffer_get_length(out) < kStreamHighWater) {
      if (c->stream == RawConn::Stream::kContinue) {
        evbuffer_add_reference(out, heads.data(), heads.size(), nullptr, nullptr);
      } else {
        add_pattern(out, c->stream_sent, kPatternBlockSize);
        c->stream_sent += kPatternBlockSize;
      }
    }
  }

  static void on_slow_tick(evutil_socket_t, short, void *arg) {
    auto *c = static_cast<RawConn *>(arg);
    Impl *self = c->impl;
    add_pattern(out_of(c), c->slow_sent, 1);
    if (++c->slow_sent < c->slow_total) return;
    event_del(c->slow_timer);
    c->mode = Mode::kReading;
    if (!self->finish_raw(c, c->close_after_slow)) return;
    self->process_raw(c);  // requests that arrived meanwhile
  }
};

// ---------------------------------------------------------------------------------------

TestServer::TestServer(TestServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

TestServer::~TestServer() {
  stop();
}

bool TestServer::start() {
  return impl_->start();
}
void TestServer::stop() {
  impl_->stop();
}

uint16_t TestServer::http_port() const {
  return impl_->http_port.load();
}
uint16_t TestServer::raw_port() const {
  return impl_->raw_port.load();
}

static std::string make_url(bool tls, const std::string &host, uint16_t port,
                            std::string_view path) {
  std::string url = tls ? "https://" : "http://";
  if (host.find(':') != std::string::npos) {
    url += '[';
    url += host;
    url += ']';
  } else {
    url += host;
  }
  url += ':';
  url += std::to_string(port);
  if (path.empty() || path.front() != '/') url += '/';
  url += path;
  return url;
}

std::string TestServer::http_url(std::string_view path) const {
  return make_url(tls(), impl_->options.bind_address, http_port(), path);
}
std::string TestServer::raw_url(std::string_view path) const {
  return make_url(tls(), impl_->options.bind_address, raw_port(), path);
}
bool TestServer::tls() const {
  return impl_->options.tls != TestServerOptions::Tls::None;
}

uint64_t TestServer::connections_accepted() const {
  return impl_->accepted.load();
}
uint64_t TestServer::requests_served() const {
  return impl_->served.load();
}
uint64_t TestServer::open_connections() const {
  return impl_->open.load();
}
uint64_t TestServer::tls_handshakes() const {
  return impl_->tls_handshakes.load();
}
uint64_t TestServer::tls_resumed() const {
  return impl_->tls_resumed.load();
}
std::string TestServer::last_sni() const {
  std::lock_guard<std::mutex> lock(impl_->sni_mu);
  return impl_->last_sni;
}

}  // namespace evm::test
