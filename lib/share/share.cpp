#include "share/share.h"

#include "multi/multi.h"

namespace evm {

CURL *&RunningEasy::slot() {
  static thread_local CURL *current = nullptr;
  return current;
}

namespace {

// A session cache outlives its share while connections (in any thread's multi) still use its
// TLS context; from then on one process-wide mutex guards every such cache.
class OrphanLock final : public SessionLock {
 public:
  void lock() override { mutex_.lock(); }
  void unlock() override { mutex_.unlock(); }

 private:
  std::mutex mutex_;
};

OrphanLock &orphan_lock() {
  static OrphanLock *lock = new OrphanLock;  // never destroyed: caches may outlive exit handlers
  return *lock;
}

}  // namespace

struct Share::PerformLoop {
  std::mutex mutex;
  Multi multi;
};

Multi &Share::multi_of(PerformLoop &loop) {
  return loop.multi;
}

std::mutex &Share::mutex_of(PerformLoop &loop) {
  return loop.mutex;
}

bool Share::is_perform_loop(const TransferHost *host) const {
  return loop_ && host == static_cast<const TransferHost *>(&loop_->multi);
}

Share::Share() = default;

Share::~Share() {
  // Connections may keep the session cache after the share is gone: no lock to call then.
  if (tls_) tls_->sessions().set_lock(&orphan_lock());
  tag_.magic = 0;
}

CURLSHcode Share::share(long data) {
  switch (data) {
    case CURL_LOCK_DATA_COOKIE:
      if (!cookies_) cookies_ = std::make_shared<cookie::CookieJar>();
      break;
    case CURL_LOCK_DATA_DNS:
      break;  // the cache always exists; only handles of a share with DNS use it
    case CURL_LOCK_DATA_SSL_SESSION:
      if (!tls_) {
        tls_ = std::make_unique<TlsContextCache>(kSessionCapacity);
        tls_->sessions().set_lock(this);
      }
      break;
    case CURL_LOCK_DATA_CONNECT:
      if (!loop_) loop_ = std::make_unique<PerformLoop>();
      break;
    case CURL_LOCK_DATA_PSL:   // no public suffix list is built in
    case CURL_LOCK_DATA_HSTS:  // nor HSTS
      return CURLSHE_NOT_BUILT_IN;
    default:
      return CURLSHE_BAD_OPTION;
  }
  specifier_ |= 1u << data;
  return CURLSHE_OK;
}

CURLSHcode Share::unshare(long data) {
  switch (data) {
    case CURL_LOCK_DATA_COOKIE:
      cookies_.reset();
      break;
    case CURL_LOCK_DATA_DNS:
      break;
    case CURL_LOCK_DATA_CONNECT:
      loop_.reset();
      break;
    case CURL_LOCK_DATA_SSL_SESSION:
      if (tls_) tls_->sessions().set_lock(&orphan_lock());
      tls_.reset();
      break;
    case CURL_LOCK_DATA_HSTS:
      return CURLSHE_NOT_BUILT_IN;
    default:  // PSL included: libcurl 7.88 has no UNSHARE case for it
      return CURLSHE_BAD_OPTION;
  }
  specifier_ &= ~(1u << data);
  return CURLSHE_OK;
}

void Share::lock(CURL *easy, curl_lock_data d, curl_lock_access access) const {
  if (lock_fn && shares(d)) lock_fn(easy, d, access, user_data);
}

void Share::unlock(CURL *easy, curl_lock_data d) const {
  if (unlock_fn && shares(d)) unlock_fn(easy, d, user_data);
}

void Share::attach(CURL *easy) {
  lock(easy, CURL_LOCK_DATA_SHARE, CURL_LOCK_ACCESS_SINGLE);
  ++users_;
  unlock(easy, CURL_LOCK_DATA_SHARE);
}

void Share::detach(CURL *easy) {
  lock(easy, CURL_LOCK_DATA_SHARE, CURL_LOCK_ACCESS_SINGLE);
  --users_;
  unlock(easy, CURL_LOCK_DATA_SHARE);
}

void Share::lock() {
  lock(RunningEasy::current(), CURL_LOCK_DATA_SSL_SESSION, CURL_LOCK_ACCESS_SINGLE);
}

void Share::unlock() {
  unlock(RunningEasy::current(), CURL_LOCK_DATA_SSL_SESSION);
}

}  // namespace evm
