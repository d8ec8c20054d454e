// OpenSSL state shared by the connections of one multi: an SSL_CTX per distinct TlsConfig
// (building one reads the whole CA store, far too slow to do per connection) and the client
// session cache that lets a second connection to an origin skip the full handshake.
#pragma once

#include <curl/curl.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/tls_config.h"

namespace evm {

struct SslCtxDeleter {
  void operator()(SSL_CTX *p) const { SSL_CTX_free(p); }
};
struct SslSessionDeleter {
  void operator()(SSL_SESSION *p) const { SSL_SESSION_free(p); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;
using SslSessionPtr = std::unique_ptr<SSL_SESSION, SslSessionDeleter>;

// The lock a share object's session cache is used under (CURL_LOCK_DATA_SSL_SESSION).
class SessionLock {
 public:
  virtual void lock() = 0;
  virtual void unlock() = 0;

 protected:
  ~SessionLock() = default;
};

// Resumable sessions by key ("host:port" plus the identity of the context and of the checks
// made), least recently stored evicted first.
class TlsSessionCache {
 public:
  explicit TlsSessionCache(size_t capacity = 1024) : capacity_(capacity) {}

  // Every later get, put and drop runs under `lock` (null: none); the share that owns the
  // cache sets it, and hands it a lock of its own before it goes.
  void set_lock(SessionLock *lock) { lock_ = lock; }

  // A new reference to the session stored under `key`, or null.
  SslSessionPtr get(const std::string &key) const;
  // Replaces whatever `key` held; sessions that cannot be resumed are not kept.
  void put(const std::string &key, SslSessionPtr session);
  void drop(const std::string &key);
  size_t size() const { return index_.size(); }

 private:
  struct Locked;
  SslSessionPtr get_unlocked(const std::string &key) const;
  void put_unlocked(const std::string &key, SslSessionPtr session);
  void drop_unlocked(const std::string &key);
  struct Entry {
    std::string key;
    SslSessionPtr session;
  };
  size_t capacity_;
  std::list<Entry> order_;  // front = newest
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  SessionLock *lock_ = nullptr;
};

// One built SSL_CTX and what a connection using it needs to know about how it was built.
class TlsContext {
 public:
  SSL_CTX *ssl_ctx() const { return ctx_.get(); }
  // Distinguishes contexts in session keys; never reused within a process.
  uint64_t id() const { return id_; }
  bool verify_peer() const { return verify_peer_; }
  bool session_cache() const { return sessions_ != nullptr; }
  TlsSessionCache *sessions() const { return sessions_.get(); }
  // For the VERBOSE lines (only with verification: otherwise no store is loaded); "none" when
  // no file or directory was used.
  const std::string &ca_file_shown() const { return ca_file_shown_; }
  const std::string &ca_path_shown() const { return ca_path_shown_; }
  // Sessions the server issues on `ssl` are stored under `*key`, which must outlive `ssl` (null
  // stores none).
  void bind_session_key(SSL *ssl, const std::string *key) const;

 private:
  friend class TlsContextCache;
  SslCtxPtr ctx_;
  uint64_t id_ = 0;
  bool verify_peer_ = true;
  std::shared_ptr<TlsSessionCache> sessions_;  // null when the config turns caching off
  std::string ca_file_shown_, ca_path_shown_;
};

class TlsContextCache {
 public:
  explicit TlsContextCache(size_t session_capacity = 1024);
  ~TlsContextCache();
  TlsContextCache(const TlsContextCache &) = delete;
  TlsContextCache &operator=(const TlsContextCache &) = delete;

  // The context for `cfg`, built on first use. On failure returns null with `rc` and a readable
  // `error` (CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
  // CURLE_SSL_CONNECT_ERROR). Failures are not cached: the files may be fixed meanwhile.
  std::shared_ptr<TlsContext> acquire(const TlsConfig &cfg, CURLcode &rc, std::string &error);

  TlsSessionCache &sessions() { return *sessions_; }
  size_t contexts() const { return contexts_.size(); }

 private:
  struct Slot {
    TlsConfig config;
    std::shared_ptr<TlsContext> context;
  };
  std::shared_ptr<TlsContext> build(const TlsConfig &cfg, CURLcode &rc, std::string &error);
  void evict_unused();

  std::unordered_multimap<size_t, Slot> contexts_;  // by TlsConfig::context_hash()
  // Shared with every context (and so with every live connection): sessions may still arrive on
  // a connection after the cache's owner is gone.
  std::shared_ptr<TlsSessionCache> sessions_;
};

}  // namespace evm
