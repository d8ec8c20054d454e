// An easy handle's membership of a share object (CURLOPT_SHARE): which share it joined, the
// lock scope its code takes around each use of shared data, and the handle's view of the
// share's DNS cache. It belongs to the handle, not to its option values: curl_easy_reset keeps
// it and curl_easy_duphandle's copy joins no share, as in libcurl 7.88.
#pragma once

#include <curl/curl.h>

#include "net/dns_cache.h"

namespace evm {

class Share;

class ShareLink final : public DnsStore {
 public:
  ShareLink() = default;
  ShareLink(const ShareLink &) {}
  ShareLink &operator=(const ShareLink &) { return *this; }
  ~ShareLink() { join(nullptr); }

  // The handle named in the lock callbacks.
  void bind(CURL *easy) { easy_ = easy; }
  Share *share() const { return share_; }
  // Leaves the current share (if any), then joins `s` (if not null).
  void join(Share *s);
  bool shares(curl_lock_data d) const;

  // Holds the share's lock on `d` (CURL_LOCK_ACCESS_SINGLE) for a scope; nothing when the
  // handle's share does not share `d` or there is none.
  class Scope {
   public:
    Scope(const ShareLink &link, curl_lock_data d);
    ~Scope();
    Scope(const Scope &) = delete;
    Scope &operator=(const Scope &) = delete;

   private:
    const ShareLink &link_;
    curl_lock_data data_;
    bool held_;
  };
  Scope lock(curl_lock_data d) const { return Scope(*this, d); }

  // The share's DNS cache when it shares DNS, else null (the resolver's own is used).
  DnsStore *dns_store() { return shares(CURL_LOCK_DATA_DNS) ? this : nullptr; }
  bool lookup(CURL *easy, const std::string &key, TimePoint t, long timeout_s,
              AddressList &out) override;
  void store(CURL *easy, const std::string &key, const AddressList &addrs, TimePoint t) override;

 private:
  Share *share_ = nullptr;
  CURL *easy_ = nullptr;
};

}  // namespace evm
