#include "conn/tls_filter.h"

#include <arpa/inet.h>
#include <openssl/err.h>

#include <cerrno>
#include <climits>
#include <cstdio>

#include "conn/tls_trace.h"
#include "util/ascii.h"
#include "util/trace.h"

namespace evm {

namespace {

// "OpenSSL/3.0.2: error:...": the first queued error, which names the cause (later entries only
// say where it surfaced). The queue is left empty: all connections of the thread share it.
std::string take_openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  char buf[256];
  if (e)
    ERR_error_string_n(e, buf, sizeof buf);
  else
    std::snprintf(buf, sizeof buf, "unknown error");
  char out[320];
  std::snprintf(out, sizeof out, "OpenSSL/%u.%u.%u: %s", OPENSSL_version_major(),
                OPENSSL_version_minor(), OPENSSL_version_patch(), buf);
  return out;
}

bool is_ip_literal(const std::string &host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

// The BIO under the SSL: its reads and writes are the next filter's recv and send.
struct TlsFilterBio {
  static TlsFilter *filter(BIO *bio) { return static_cast<TlsFilter *>(BIO_get_data(bio)); }

  static int write(BIO *bio, const char *buf, size_t len, size_t *written) {
    TlsFilter *f = filter(bio);
    BIO_clear_retry_flags(bio);
    *written = 0;
    if (!f || !f->io_.ctx) return 0;
    CURLcode err = CURLE_OK;
    ssize_t n = f->next_->send(*f->io_.ctx, buf, len, err);
    if (n > 0) {
      *written = static_cast<size_t>(n);
      return 1;
    }
    if (n == 0 || err == CURLE_AGAIN) {
      BIO_set_retry_write(bio);
      return 0;
    }
    f->io_.error = err;
    return 0;
  }

  static int read(BIO *bio, char *buf, size_t len, size_t *got) {
    TlsFilter *f = filter(bio);
    BIO_clear_retry_flags(bio);
    *got = 0;
    if (!f || !f->io_.ctx) return 0;
    CURLcode err = CURLE_OK;
    ssize_t n = f->next_->recv(*f->io_.ctx, buf, len, err);
    if (n > 0) {
      *got = static_cast<size_t>(n);
      return 1;
    }
    if (n == 0) {
      f->io_.eof = true;  // BIO_CTRL_EOF tells OpenSSL this was the end, not an error
      return 0;
    }
    if (err == CURLE_AGAIN) {
      BIO_set_retry_read(bio);
      return 0;
    }
    f->io_.error = err;
    return 0;
  }

  static long ctrl(BIO *bio, int cmd, long, void *) {
    switch (cmd) {
      case BIO_CTRL_FLUSH:  // nothing is buffered here
        return 1;
      case BIO_CTRL_EOF: {
        TlsFilter *f = filter(bio);
        return f && f->io_.eof ? 1 : 0;
      }
      default:
        return 0;
    }
  }

  static int create(BIO *bio) {
    BIO_set_init(bio, 1);
    return 1;
  }

  static const BIO_METHOD *method() {
    struct MethodDeleter {
      void operator()(BIO_METHOD *m) const { BIO_meth_free(m); }
    };
    static const std::unique_ptr<BIO_METHOD, MethodDeleter> m = [] {
      BIO_METHOD *meth = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "evm-filter");
      if (meth) {
        BIO_meth_set_write_ex(meth, write);
        BIO_meth_set_read_ex(meth, read);
        BIO_meth_set_ctrl(meth, ctrl);
        BIO_meth_set_create(meth, create);
      }
      return std::unique_ptr<BIO_METHOD, MethodDeleter>(meth);
    }();
    return m.get();
  }
};

TlsFilter::TlsFilter(std::unique_ptr<Filter> next, TlsContextCache &contexts, const TlsConfig &cfg,
                     std::string host, uint16_t port)
    : next_(std::move(next)),
      host_(std::move(host)),
      port_(port),
      verify_host_(cfg.verify_host != 0),
      pinned_pubkey_(cfg.pinned_pubkey),
      want_certinfo_(cfg.want_certinfo) {
  context_ = contexts.acquire(cfg, context_rc_, context_error_);

  check_name_ = host_;
  if (check_name_.size() > 1 && check_name_.front() == '[' && check_name_.back() == ']')
    check_name_ = check_name_.substr(1, check_name_.size() - 2);
  if (size_t pct = check_name_.find('%'); pct != std::string::npos) check_name_.resize(pct);
  host_is_ip_ = is_ip_literal(check_name_);
  // "example.com." names the same host; certificates and SNI use the form without the dot.
  if (!host_is_ip_ && check_name_.size() > 1 && check_name_.back() == '.') check_name_.pop_back();

  for (const std::string &p : cfg.alpn) {
    if (p.empty() || p.size() > 255) continue;
    alpn_wire_.push_back(static_cast<char>(p.size()));
    alpn_wire_ += p;
    if (!alpn_offered_.empty()) alpn_offered_ += ',';
    alpn_offered_ += p;
  }

  // Sessions are kept per origin and per context (which holds the trust settings), and apart
  // for connections that skip the name check: resuming skips all checks made at the first
  // handshake.
  if (context_ && context_->session_cache()) {
    std::string h = ascii::lowered(check_name_);
    session_key_ = (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" +
                   std::to_string(port_) + "/" + std::to_string(context_->id()) +
                   (verify_host_ ? "/h" : "/-");
  }
}

TlsFilter::~TlsFilter() = default;

std::string TlsFilter::where() const {
  bool v6 = host_.find(':') != std::string::npos && host_.front() != '[';
  return (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

void TlsFilter::io_begin(FilterContext &ctx) {
  io_.ctx = &ctx;
  io_.error = CURLE_OK;
  ERR_clear_error();
}

CURLcode TlsFilter::connect(FilterContext &ctx, TimePoint t, bool &done) {
  done = false;
  switch (state_) {
    case State::Ready:
      done = true;
      return CURLE_OK;
    case State::Failed:
    case State::Closed:
      ctx.error = "SSL connection to " + where() + " is closed";
      return CURLE_SSL_CONNECT_ERROR;
    case State::Below: {
      bool below_done = false;
      CURLcode rc = next_->connect(ctx, t, below_done);
      if (rc != CURLE_OK || !below_done) return rc;
      rc = start_handshake(ctx);
      if (rc != CURLE_OK) {
        state_ = State::Failed;
        return rc;
      }
      state_ = State::Handshake;
      break;
    }
    case State::Handshake:
      break;
  }
  return handshake(ctx, done);
}

CURLcode TlsFilter::start_handshake(FilterContext &ctx) {
  if (!context_) {
    ctx.error = context_error_;
    return context_rc_;
  }
  ssl_.reset(SSL_new(context_->ssl_ctx()));
  BIO *bio = BIO_new(TlsFilterBio::method());
  if (!ssl_ || !bio) {
    BIO_free(bio);
    ERR_clear_error();
    ctx.error = "SSL: out of memory creating a connection";
    return CURLE_OUT_OF_MEMORY;
  }
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_.get(), bio, bio);  // the SSL owns the BIO from here
  SSL_set_connect_state(ssl_.get());
  install_tls_trace(ssl_.get(), &io_.ctx);  // SSL_DATA_* for DEBUGFUNCTION

  // SNI carries host names only (RFC 6066 forbids literal addresses in it).
  if (!host_is_ip_ && !SSL_set_tlsext_host_name(ssl_.get(), check_name_.c_str()))
    ctx.trace.info("Failed to set SNI");

  if (!alpn_wire_.empty()) {
    // Unlike most of OpenSSL, this one returns 0 on success.
    if (SSL_set_alpn_protos(ssl_.get(), reinterpret_cast<const unsigned char *>(alpn_wire_.data()),
                            static_cast<unsigned>(alpn_wire_.size())) != 0) {
      ERR_clear_error();
      ctx.error = "SSL: failed setting ALPN protocols";
      return CURLE_SSL_CONNECT_ERROR;
    }
    ctx.trace.info("ALPN: offers %s", alpn_offered_.c_str());
  }

  if (!session_key_.empty()) {
    context_->bind_session_key(ssl_.get(), &session_key_);
    if (SslSessionPtr s = context_->sessions()->get(session_key_)) {
      if (SSL_set_session(ssl_.get(), s.get()) == 1) {
        offered_session_ = true;
        ctx.trace.info("SSL re-using session ID");
      }
      ERR_clear_error();
    }
  }
  if (context_->verify_peer()) {  // libcurl names the trust store only when it uses one
    ctx.trace.info(" CAfile: %s", context_->ca_file_shown().c_str());
    ctx.trace.info(" CApath: %s", context_->ca_path_shown().c_str());
  }
  return CURLE_OK;
}

CURLcode TlsFilter::handshake(FilterContext &ctx, bool &done) {
  io_begin(ctx);
  int r = SSL_connect(ssl_.get());
  io_end();
  if (r == 1) {
    CURLcode rc = check_peer(ctx);
    if (rc != CURLE_OK) {
      forget_session();
      state_ = State::Failed;
      return rc;
    }
    state_ = State::Ready;
    done = true;
    return CURLE_OK;
  }
  int e = SSL_get_error(ssl_.get(), r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
    ERR_clear_error();
    handshake_wants_write_ = e == SSL_ERROR_WANT_WRITE;
    return CURLE_OK;
  }
  forget_session();
  state_ = State::Failed;
  return handshake_failed(ctx, e);
}

CURLcode TlsFilter::handshake_failed(FilterContext &ctx, int ssl_error) {
  fatal_ = true;
  unsigned long e = ERR_peek_error();
  if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
    ERR_clear_error();
    verify_result_ = SSL_get_verify_result(ssl_.get());
    ctx.error =
        std::string("SSL certificate problem: ") + X509_verify_cert_error_string(verify_result_);
    return CURLE_PEER_FAILED_VERIFICATION;
  }
  if (io_.error != CURLE_OK) {
    // The filter below failed and said why in ctx.error.
    ERR_clear_error();
    ctx.error = "OpenSSL SSL_connect: " + ctx.error + " in connection to " + where();
    return CURLE_SSL_CONNECT_ERROR;
  }
  if (ssl_error == SSL_ERROR_SSL && e) {
    ctx.error = take_openssl_error();
    return CURLE_SSL_CONNECT_ERROR;
  }
  ERR_clear_error();
  ctx.error = std::string("OpenSSL SSL_connect: ") +
              (io_.eof ? "connection closed by peer" : "SSL_ERROR_SYSCALL") + " in connection to " +
              where();
  return CURLE_SSL_CONNECT_ERROR;
}

void TlsFilter::forget_session() {
  if (offered_session_ && context_ && context_->sessions())
    context_->sessions()->drop(session_key_);
  offered_session_ = false;
}

ssize_t TlsFilter::send(FilterContext &ctx, const char *buf, size_t len, CURLcode &err) {
  if (state_ != State::Ready) {
    ctx.error = "SSL connection to " + where() + " is not established";
    err = CURLE_SEND_ERROR;
    return -1;
  }
  if (len == 0) return 0;
  io_begin(ctx);
  int n = SSL_write(ssl_.get(), buf, len > INT_MAX ? INT_MAX : static_cast<int>(len));
  io_end();
  send_needs_read_ = false;
  if (n > 0) return n;
  int e = SSL_get_error(ssl_.get(), n);
  switch (e) {
    case SSL_ERROR_WANT_READ:
      send_needs_read_ = true;
      [[fallthrough]];
    case SSL_ERROR_WANT_WRITE:
      ERR_clear_error();
      err = CURLE_AGAIN;
      return -1;
    default:
      break;
  }
  if (e == SSL_ERROR_SSL || e == SSL_ERROR_SYSCALL) fatal_ = true;
  if (io_.error != CURLE_OK) {
    ERR_clear_error();
    err = io_.error;  // the filter below already said why
    return -1;
  }
  ctx.error = e == SSL_ERROR_ZERO_RETURN ? "SSL_write() error: the peer closed the TLS session"
                                         : "SSL_write() error: " + take_openssl_error();
  ERR_clear_error();
  err = CURLE_SEND_ERROR;
  return -1;
}

ssize_t TlsFilter::recv(FilterContext &ctx, char *buf, size_t len, CURLcode &err) {
  if (state_ != State::Ready) {
    ctx.error = "SSL connection to " + where() + " is not established";
    err = CURLE_RECV_ERROR;
    return -1;
  }
  if (len == 0) return 0;
  io_begin(ctx);
  int n = SSL_read(ssl_.get(), buf, len > INT_MAX ? INT_MAX : static_cast<int>(len));
  const int sock_errno = errno;
  io_end();
  recv_needs_write_ = false;
  if (n > 0) return n;
  int e = SSL_get_error(ssl_.get(), n);
  switch (e) {
    case SSL_ERROR_ZERO_RETURN:  // close_notify, or a bare EOF (SSL_OP_IGNORE_UNEXPECTED_EOF)
      ERR_clear_error();
      return 0;
    case SSL_ERROR_WANT_WRITE:
      recv_needs_write_ = true;
      [[fallthrough]];
    case SSL_ERROR_WANT_READ:
      ERR_clear_error();
      err = CURLE_AGAIN;
      return -1;
    default:
      break;
  }
  fatal_ = true;
  if (io_.error != CURLE_OK) {
    ERR_clear_error();
    err = io_.error;
    return -1;
  }
  if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && io_.eof) return 0;
  ctx.error = "OpenSSL SSL_read: " + take_openssl_error() + ", errno " + std::to_string(sock_errno);
  err = CURLE_RECV_ERROR;
  return -1;
}

void TlsFilter::adjust_pollset(Pollset &ps, bool want_send, bool want_recv) const {
  switch (state_) {
    case State::Below:
      next_->adjust_pollset(ps, false, false);
      break;
    case State::Handshake:
      next_->adjust_pollset(ps, handshake_wants_write_, !handshake_wants_write_);
      break;
    case State::Ready:
      next_->adjust_pollset(ps, want_send || recv_needs_write_, want_recv || send_needs_read_);
      break;
    default:
      break;
  }
}

TimePoint TlsFilter::connect_deadline() const {
  return state_ == State::Below ? next_->connect_deadline() : TimePoint::max();
}

bool TlsFilter::data_pending() const {
  return (ssl_ && SSL_has_pending(ssl_.get()) == 1) || next_->data_pending();
}

bool TlsFilter::query(FilterQuery q, FilterAnswer &out) const {
  switch (q) {
    case FilterQuery::Alpn:
      out.text = alpn_;
      return true;
    case FilterQuery::VerifyResult:
      out.number = verify_result_;
      return true;
    case FilterQuery::CertChain:
      out.certs = &cert_info_;
      return true;
    case FilterQuery::TlsHandle:
      out.pointer = ssl_.get();
      return true;
    default:
      return next_->query(q, out);
  }
}

bool TlsFilter::is_alive(FilterContext &ctx) {
  if (state_ != State::Ready || fatal_ || !ssl_) return false;
  if (SSL_get_shutdown(ssl_.get()) & SSL_RECEIVED_SHUTDOWN) return false;
  // Decrypted bytes left over on an idle connection mean the stream is not where the next
  // request expects it.
  if (SSL_has_pending(ssl_.get()) == 1) return false;
  if (next_->is_alive(ctx)) return true;
  // Bytes (or a close) arrived while idle. TLS records that carry no data (session tickets, a
  // key update) are ours to consume; application data or close_notify end the connection.
  char probe;
  CURLcode err = CURLE_OK;
  ssize_t n = recv(ctx, &probe, 1, err);
  return n < 0 && err == CURLE_AGAIN;
}

void TlsFilter::close(FilterContext &ctx) {
  if (ssl_ && state_ == State::Ready && !fatal_) {
    // One non-blocking close_notify, best effort: a failure here must not replace the transfer's
    // own result or text.
    std::string saved_error = ctx.error;
    int saved_errno = ctx.os_errno;
    io_begin(ctx);
    SSL_shutdown(ssl_.get());
    io_end();
    ERR_clear_error();
    ctx.error = std::move(saved_error);
    ctx.os_errno = saved_errno;
  }
  ssl_.reset();
  state_ = State::Closed;
  next_->close(ctx);
}

}  // namespace evm
