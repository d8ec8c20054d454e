// TLS over any filter below it (TCP now, a proxy tunnel later), with OpenSSL. OpenSSL reads
// and writes through a BIO that calls the next filter, so it never touches a socket itself and
// never blocks: every handshake step that would wait becomes a pollset entry instead.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

#include "conn/filter.h"
#include "net/tls_config.h"
#include "net/tls_context_cache.h"

namespace evm {

struct SslDeleter {
  void operator()(SSL *p) const { SSL_free(p); }
};
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

class TlsFilter final : public Filter {
 public:
  // `host` is the URL's host (an IP literal gets no SNI and is checked against the certificate's
  // IP addresses); `host` and `port` also key the session cache. The context comes from
  // `contexts` now; a failure to build it is reported by connect(), once `next` has connected,
  // as libcurl does.
  TlsFilter(std::unique_ptr<Filter> next, TlsContextCache &contexts, const TlsConfig &cfg,
            std::string host, uint16_t port);
  ~TlsFilter() override;

  CURLcode connect(FilterContext &ctx, TimePoint t, bool &done) override;
  ssize_t send(FilterContext &ctx, const char *buf, size_t len, CURLcode &err) override;
  ssize_t recv(FilterContext &ctx, char *buf, size_t len, CURLcode &err) override;
  void adjust_pollset(Pollset &ps, bool want_send, bool want_recv) const override;
  TimePoint connect_deadline() const override;
  bool is_alive(FilterContext &ctx) override;
  bool data_pending() const override;
  bool query(FilterQuery q, FilterAnswer &out) const override;
  void close(FilterContext &ctx) override;
  curl_socket_t socket() const override { return next_->socket(); }

  Filter &next() const { return *next_; }
  Filter *below() const override { return next_.get(); }

  // Results of the handshake; they stay valid after close().
  // CURLINFO_SSL_VERIFYRESULT: X509_V_OK or OpenSSL's X509_V_ERR_*; 1 until the certificate was
  // looked at (libcurl reports 1 too when it fails before that, e.g. on a host name mismatch).
  long verify_result() const { return verify_result_; }
  const std::string &alpn() const { return alpn_; }                // "" when none was agreed
  const std::string &tls_version() const { return tls_version_; }  // "TLSv1.3"
  const std::string &cipher() const { return cipher_; }            // "TLS_AES_256_GCM_SHA384"
  bool session_reused() const { return session_reused_; }
  const CertInfo &cert_info() const { return cert_info_; }  // filled only with want_certinfo

 private:
  friend struct TlsFilterBio;
  enum class State { Below, Handshake, Ready, Failed, Closed };

  CURLcode start_handshake(FilterContext &ctx);
  CURLcode handshake(FilterContext &ctx, bool &done);
  CURLcode handshake_failed(FilterContext &ctx, int ssl_error);
  CURLcode check_peer(FilterContext &ctx);
  CURLcode check_pinned_key(FilterContext &ctx, X509 *cert);
  void collect_cert_info();
  void forget_session();
  std::string where() const;  // "host:port" for messages

  // The BIO's way down: the filter context of the call in progress, and what went wrong below.
  struct Io {
    FilterContext *ctx = nullptr;
    CURLcode error = CURLE_OK;
    bool eof = false;
  };
  void io_begin(FilterContext &ctx);
  void io_end() { io_.ctx = nullptr; }

  std::unique_ptr<Filter> next_;
  std::shared_ptr<TlsContext> context_;  // null when it could not be built
  CURLcode context_rc_ = CURLE_OK;
  std::string context_error_;
  SslPtr ssl_;  // declared after context_: an SSL goes before the context it refers to
  State state_ = State::Below;

  std::string host_;        // as given, for messages
  std::string check_name_;  // host without brackets, zone or trailing dot
  bool host_is_ip_ = false;
  uint16_t port_;
  bool verify_host_;
  std::string pinned_pubkey_;
  bool want_certinfo_;
  std::string alpn_wire_;     // length-prefixed protocol names, as OpenSSL takes them
  std::string alpn_offered_;  // "http/1.1" or "h2,http/1.1" for VERBOSE
  std::string session_key_;
  bool offered_session_ = false;

  Io io_;
  bool handshake_wants_write_ = false;  // else read
  bool send_needs_read_ = false;        // SSL_write waits for bytes from the peer
  bool recv_needs_write_ = false;       // SSL_read must write (e.g. a key update reply)
  bool fatal_ = false;                  // OpenSSL forbids SSL_shutdown after a fatal error

  long verify_result_ = 1;
  std::string alpn_, tls_version_, cipher_;
  bool session_reused_ = false;
  CertInfo cert_info_;
};

}  // namespace evm
