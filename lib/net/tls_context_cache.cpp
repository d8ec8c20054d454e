#include "net/tls_context_cache.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <atomic>

#include "util/ascii.h"

namespace evm {

namespace {

constexpr size_t kMaxIdleContexts = 16;  // distinct configs kept while no connection uses them

std::atomic<uint64_t> g_next_context_id{1};

struct BioDeleter {
  void operator()(BIO *p) const { BIO_free(p); }
};
struct X509InfoStackDeleter {
  void operator()(STACK_OF(X509_INFO) * p) const { sk_X509_INFO_pop_free(p, X509_INFO_free); }
};

// The first queued OpenSSL error as text, and an empty queue afterwards: the queue is per thread
// and shared by every connection in it.
std::string take_openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

int openssl_min_version(long v) {
  switch (v) {
    case sslversion::kTlsV1:
    case sslversion::kTlsV1_0:
      return TLS1_VERSION;
    case sslversion::kTlsV1_1:
      return TLS1_1_VERSION;
    case sslversion::kTlsV1_2:
      return TLS1_2_VERSION;
    case sslversion::kTlsV1_3:
      return TLS1_3_VERSION;
    default:
      return 0;  // the library's own floor, as libcurl leaves it for CURL_SSLVERSION_DEFAULT
  }
}

int openssl_max_version(long v) {
  switch (v) {
    case sslversion::kMaxTlsV1_0:
      return TLS1_VERSION;
    case sslversion::kMaxTlsV1_1:
      return TLS1_1_VERSION;
    case sslversion::kMaxTlsV1_2:
      return TLS1_2_VERSION;
    case sslversion::kMaxTlsV1_3:
      return TLS1_3_VERSION;
    default:
      return 0;  // highest the library supports
  }
}

bool is_pem(const std::string &type) {
  return type.empty() || ascii::iequals(type, "PEM");
}

// Hands the configured password to OpenSSL when it decrypts the key; with no password it
// refuses at once instead of letting OpenSSL prompt on the terminal.
int key_password_cb(char *buf, int size, int, void *userdata) {
  auto *password = static_cast<const std::string *>(userdata);
  if (!password || password->empty() || size <= 0) return 0;
  int n = static_cast<int>(
      password->size() < static_cast<size_t>(size) ? password->size() : static_cast<size_t>(size));
  password->copy(buf, static_cast<size_t>(n));
  return n;
}

// The certificates of a PEM blob into the context's trust store; false if it held none.
bool load_ca_blob(SSL_CTX *ctx, const std::string &pem) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return false;
  std::unique_ptr<STACK_OF(X509_INFO), X509InfoStackDeleter> infos(
      PEM_X509_INFO_read_bio(bio.get(), nullptr, nullptr, nullptr));
  if (!infos) return false;
  X509_STORE *store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  for (int i = 0; i < sk_X509_INFO_num(infos.get()); ++i) {
    X509_INFO *info = sk_X509_INFO_value(infos.get(), i);
    if (info->x509 && X509_STORE_add_cert(store, info->x509)) ++added;
    if (info->crl && X509_STORE_add_crl(store, info->crl)) ++added;
  }
  return added > 0;
}

// The configured trust anchors into ctx's store: CAINFO_BLOB, else CAINFO (the Debian bundle by
// default, OpenSSL's default paths where that is missing), and CAPATH. Records what VERBOSE
// shows; false with libcurl's code and text when one cannot be read.
bool load_trust(SSL_CTX *ctx, const TlsConfig &cfg, std::string &file_shown,
                std::string &path_shown, CURLcode &rc, std::string &error) {
  rc = CURLE_SSL_CACERT_BADFILE;
  if (!cfg.ca_blob.empty()) {
    if (!load_ca_blob(ctx, cfg.ca_blob)) {
      error = "error importing CA certificate blob";
      return false;
    }
    file_shown = "(blob)";
  } else if (!cfg.ca_file.empty()) {
    if (cfg.ca_file == kDefaultCaFile && ::access(kDefaultCaFile, R_OK) != 0) {
      SSL_CTX_set_default_verify_paths(ctx);
      file_shown = "(OpenSSL default)";
    } else if (SSL_CTX_load_verify_file(ctx, cfg.ca_file.c_str()) != 1) {
      error = "error setting certificate file: " + cfg.ca_file;
      return false;
    } else {
      file_shown = cfg.ca_file;
    }
  }
  if (!cfg.ca_path.empty()) {
    if (SSL_CTX_load_verify_dir(ctx, cfg.ca_path.c_str()) != 1) {
      error = "error setting certificate path: " + cfg.ca_path;
      return false;
    }
    path_shown = cfg.ca_path;
  }
  rc = CURLE_OK;
  return true;
}

// ex_data slots: the SSL_CTX points at its TlsContext, an SSL at the key its sessions go under.
int context_owner_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int session_key_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// OpenSSL offers every session the server issues (TLS 1.3 tickets arrive after the handshake,
// during a later SSL_read) here; returning 1 keeps the reference.
int on_new_session(SSL *ssl, SSL_SESSION *session) {
  auto *owner = static_cast<const TlsContext *>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_owner_index()));
  auto *key = static_cast<const std::string *>(SSL_get_ex_data(ssl, session_key_index()));
  if (!owner || !owner->sessions() || !key || key->empty()) return 0;
  owner->sessions()->put(*key, SslSessionPtr(session));
  return 1;
}

}  // namespace

void TlsContext::bind_session_key(SSL *ssl, const std::string *key) const {
  SSL_set_ex_data(ssl, session_key_index(), const_cast<std::string *>(key));
}

// Holds a cache's lock, when it has one, for one call.
struct TlsSessionCache::Locked {
  explicit Locked(SessionLock *l) : lock(l) {
    if (lock) lock->lock();
  }
  ~Locked() {
    if (lock) lock->unlock();
  }
  SessionLock *lock;
};

SslSessionPtr TlsSessionCache::get(const std::string &key) const {
  Locked hold(lock_);
  return get_unlocked(key);
}

void TlsSessionCache::put(const std::string &key, SslSessionPtr session) {
  Locked hold(lock_);
  put_unlocked(key, std::move(session));
}

void TlsSessionCache::drop(const std::string &key) {
  Locked hold(lock_);
  drop_unlocked(key);
}

SslSessionPtr TlsSessionCache::get_unlocked(const std::string &key) const {
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  SSL_SESSION *s = it->second->session.get();
  SSL_SESSION_up_ref(s);
  return SslSessionPtr(s);
}

void TlsSessionCache::put_unlocked(const std::string &key, SslSessionPtr session) {
  drop_unlocked(key);
  if (!session || !SSL_SESSION_is_resumable(session.get()) || capacity_ == 0) return;
  if (index_.size() >= capacity_) {
    index_.erase(order_.back().key);
    order_.pop_back();
  }
  order_.push_front(Entry{key, std::move(session)});
  index_.emplace(key, order_.begin());
}

void TlsSessionCache::drop_unlocked(const std::string &key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  order_.erase(it->second);
  index_.erase(it);
}

TlsContextCache::TlsContextCache(size_t session_capacity)
    : sessions_(std::make_shared<TlsSessionCache>(session_capacity)) {}

TlsContextCache::~TlsContextCache() = default;

std::shared_ptr<TlsContext> TlsContextCache::acquire(const TlsConfig &cfg, CURLcode &rc,
                                                     std::string &error) {
  rc = CURLE_OK;
  size_t h = cfg.context_hash();
  auto [first, last] = contexts_.equal_range(h);
  for (auto it = first; it != last; ++it)
    if (it->second.config.same_context(cfg)) return it->second.context;
  auto built = build(cfg, rc, error);
  if (!built) return nullptr;
  if (contexts_.size() >= kMaxIdleContexts) evict_unused();
  contexts_.emplace(h, Slot{cfg, built});
  return built;
}

void TlsContextCache::evict_unused() {
  for (auto it = contexts_.begin(); it != contexts_.end();)
    it = it->second.context.use_count() == 1 ? contexts_.erase(it) : std::next(it);
}

std::shared_ptr<TlsContext> TlsContextCache::build(const TlsConfig &cfg, CURLcode &rc,
                                                   std::string &error) {
  ERR_clear_error();
  const long min = cfg.ssl_version & 0xffff;
  const long max = cfg.ssl_version & ~0xffffL;
  if (!TlsConfig::valid_ssl_version(cfg.ssl_version)) {
    rc = CURLE_SSL_CONNECT_ERROR;
    error = "Unrecognized parameter value passed via CURLOPT_SSLVERSION";
    return nullptr;
  }
  if (max != sslversion::kMaxNone && max != sslversion::kMaxDefault && (max >> 16) < min) {
    rc = CURLE_SSL_CONNECT_ERROR;
    error = "CURL_SSLVERSION_MAX incompatible with CURL_SSLVERSION";
    return nullptr;
  }

  auto tc = std::make_shared<TlsContext>();
  tc->ctx_.reset(SSL_CTX_new(TLS_client_method()));
  SSL_CTX *ctx = tc->ctx_.get();
  if (!ctx) {
    rc = CURLE_OUT_OF_MEMORY;
    error = "SSL: couldn't create a context: " + take_openssl_error();
    return nullptr;
  }
  tc->id_ = g_next_context_id.fetch_add(1, std::memory_order_relaxed);
  tc->verify_peer_ = cfg.verify_peer;
  SSL_CTX_set_ex_data(ctx, context_owner_index(), tc.get());

  // Work-arounds for old servers stay on, except the one that turns off the 1/n-1 record split
  // protecting TLS 1.0 CBC (BEAST). An EOF without close_notify reads as a plain end of stream:
  // HTTP framing, not TLS, tells a truncated response.
  SSL_CTX_set_options(ctx, (SSL_OP_ALL & ~SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS) |
                               SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Partial writes let one send() move what the socket takes; the engine may retry a pending
  // write from a different address of the same bytes.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Reading whole buffers instead of header then body halves the recv() calls per record.
  SSL_CTX_set_read_ahead(ctx, 1);

  if (int v = openssl_min_version(min); v && !SSL_CTX_set_min_proto_version(ctx, v)) {
    rc = CURLE_SSL_CONNECT_ERROR;
    error = "unable to set minimum TLS version: " + take_openssl_error();
    return nullptr;
  }
  if (int v = openssl_max_version(max); v && !SSL_CTX_set_max_proto_version(ctx, v)) {
    rc = CURLE_SSL_CONNECT_ERROR;
    error = "unable to set maximum TLS version: " + take_openssl_error();
    return nullptr;
  }

  if (!cfg.cert_file.empty()) {
    if (!is_pem(cfg.cert_type)) {
      rc = CURLE_SSL_CERTPROBLEM;
      error = "not supported file type '" + cfg.cert_type + "' for certificate (only PEM is)";
      return nullptr;
    }
    if (!is_pem(cfg.key_type)) {
      rc = CURLE_SSL_CERTPROBLEM;
      error = "not supported file type '" + cfg.key_type + "' for private key (only PEM is)";
      return nullptr;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg.cert_file.c_str()) != 1) {
      rc = CURLE_SSL_CERTPROBLEM;
      error = "could not load PEM client certificate from " + cfg.cert_file + ", OpenSSL error " +
              take_openssl_error() + ", (no key found, wrong pass phrase, or wrong file format?)";
      return nullptr;
    }
    const std::string &key_file = cfg.key_file.empty() ? cfg.cert_file : cfg.key_file;
    SSL_CTX_set_default_passwd_cb(ctx, key_password_cb);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<std::string *>(&cfg.key_password));
    int ok = SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM);
    // The password is needed only while loading; `cfg` does not outlive this call.
    SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
    if (ok != 1) {
      rc = CURLE_SSL_CERTPROBLEM;
      error =
          "unable to set private key file: '" + key_file + "' type PEM: " + take_openssl_error();
      return nullptr;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
      rc = CURLE_SSL_CERTPROBLEM;
      error = "Private key does not match the certificate public key";
      ERR_clear_error();
      return nullptr;
    }
  }

  if (!cfg.cipher_list.empty() && !SSL_CTX_set_cipher_list(ctx, cfg.cipher_list.c_str())) {
    rc = CURLE_SSL_CIPHER;
    error = "failed setting cipher list: " + cfg.cipher_list;
    ERR_clear_error();
    return nullptr;
  }
  if (!cfg.tls13_ciphers.empty() && !SSL_CTX_set_ciphersuites(ctx, cfg.tls13_ciphers.c_str())) {
    rc = CURLE_SSL_CIPHER;
    error = "failed setting TLS 1.3 cipher suite: " + cfg.tls13_ciphers;
    ERR_clear_error();
    return nullptr;
  }

  // The trust store, loaded only when the peer is verified: as in libcurl, an unverified
  // connection reads no CA file, so SSL_VERIFYRESULT says what an empty store makes of the
  // chain (20 for a CA-signed certificate) and a missing CA file does not matter.
  SSL_CTX_set_verify(ctx, cfg.verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  tc->ca_file_shown_ = "none";
  tc->ca_path_shown_ = "none";
  if (cfg.verify_peer && !load_trust(ctx, cfg, tc->ca_file_shown_, tc->ca_path_shown_, rc, error)) {
    ERR_clear_error();
    return nullptr;
  }
  // A trusted intermediate (or leaf) in the store ends the chain, as in libcurl since 7.68;
  // otherwise a CA file holding only a server's issuing CA would not work.
  X509_STORE_set_flags(SSL_CTX_get_cert_store(ctx),
                       X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_TRUSTED_FIRST);

  if (cfg.session_cache) {
    tc->sessions_ = sessions_;
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(ctx, on_new_session);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  }
  ERR_clear_error();
  return tc;
}

}  // namespace evm
