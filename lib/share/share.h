// A share object (curl_share_init): the stores that the easy handles joined to it use together
// instead of their own or their multi's, and the application's lock callbacks, called around
// every use of a shared store so that handles in different threads may share it.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "cookie/cookie_jar.h"
#include "net/dns_cache.h"
#include "net/tls_context_cache.h"
#include "util/handle_tag.h"

namespace evm {

class Multi;
class TransferHost;

class Share final : public SessionLock {
 public:
  static constexpr uint32_t kMagic = 0x45564d53;  // "EVMS"
  // libcurl 7.88 keeps this many sessions in a share's cache.
  static constexpr size_t kSessionCapacity = 8;

  Share();
  ~Share();
  Share(const Share &) = delete;
  Share &operator=(const Share &) = delete;

  static Share *from(const void *h) { return HandleTag<Share>::resolve(h, kMagic); }
  CURLSH *handle() { return static_cast<CURLSH *>(&tag_); }

  // CURLSHOPT_SHARE and CURLSHOPT_UNSHARE for one curl_lock_data value.
  CURLSHcode share(long data);
  CURLSHcode unshare(long data);
  bool shares(curl_lock_data d) const { return (specifier_ >> d) & 1u; }

  curl_lock_function lock_fn = nullptr;
  curl_unlock_function unlock_fn = nullptr;
  void *user_data = nullptr;

  // The application's callbacks, for data this share shares (CURL_LOCK_DATA_SHARE always).
  void lock(CURL *easy, curl_lock_data d, curl_lock_access access) const;
  void unlock(CURL *easy, curl_lock_data d) const;

  // Easy handles joined to it (CURLOPT_SHARE); counted under the CURL_LOCK_DATA_SHARE lock.
  void attach(CURL *easy);
  void detach(CURL *easy);
  bool in_use() const { return users_.load() > 0; }

  // The shared stores, present while their data is shared.
  const std::shared_ptr<cookie::CookieJar> &cookies() const { return cookies_; }
  DnsCache &dns() { return dns_; }
  // TLS contexts and their session cache; `acquire` runs under the SSL_SESSION lock.
  TlsContextCache *tls() const { return tls_.get(); }

  // CURL_LOCK_DATA_CONNECT: the multi handle curl_easy_perform runs joined handles in, so
  // that they take each other's idle connections, and the mutex that lets one perform at a
  // time use it. Present while CONNECT is shared. Handles added to an application's multi
  // handle keep using that multi's connections: connections are bound to one event loop.
  struct PerformLoop;
  PerformLoop *perform_loop() const { return loop_.get(); }
  static Multi &multi_of(PerformLoop &loop);
  static std::mutex &mutex_of(PerformLoop &loop);
  bool is_perform_loop(const TransferHost *host) const;

  // SessionLock: the session cache is also used from inside OpenSSL callbacks, on behalf of
  // the handle running on this thread.
  void lock() override;
  void unlock() override;

 private:
  HandleTag<Share> tag_{kMagic, this};
  unsigned specifier_ = 1u << CURL_LOCK_DATA_SHARE;
  std::atomic<int> users_{0};
  std::shared_ptr<cookie::CookieJar> cookies_;
  DnsCache dns_;
  std::unique_ptr<TlsContextCache> tls_;
  std::unique_ptr<PerformLoop> loop_;
};

// The easy handle whose transfer runs on this thread now (the handle the session cache's lock
// callbacks name); set for the length of one turn of a transfer.
class RunningEasy {
 public:
  explicit RunningEasy(CURL *easy) : previous_(slot()) { slot() = easy; }
  ~RunningEasy() { slot() = previous_; }
  RunningEasy(const RunningEasy &) = delete;
  RunningEasy &operator=(const RunningEasy &) = delete;
  static CURL *current() { return slot(); }

 private:
  CURL *previous_;
  // A function's thread_local, not a static member's: GCC's UBSan misreads a static member's
  // thread-local address in some builds as null.
  static CURL *&slot();
};

}  // namespace evm
