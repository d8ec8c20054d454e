// Resolved names and when they were stored: a resolver keeps one of its own, a share object
// (CURL_LOCK_DATA_DNS) keeps one for all the handles that join it. Not thread-safe by itself.
#pragma once

#include <curl/curl.h>

#include <string>
#include <unordered_map>

#include "net/address.h"
#include "util/clock.h"

namespace evm {

class DnsCache {
 public:
  // True with `out` filled when `key` was stored less than `timeout_s` seconds before `t`
  // (-1: any age, 0: never); a stale entry is dropped.
  bool lookup(const std::string &key, TimePoint t, long timeout_s, AddressList &out);
  void store(const std::string &key, const AddressList &addrs, TimePoint t);
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    AddressList addrs;
    TimePoint stored;
  };
  std::unordered_map<std::string, Entry> entries_;
};

// Where a lookup's answers go instead of the resolver's own cache; an implementation takes
// whatever lock guards its cache around each call. `easy` is the handle asking.
class DnsStore {
 public:
  virtual bool lookup(CURL *easy, const std::string &key, TimePoint t, long timeout_s,
                      AddressList &out) = 0;
  virtual void store(CURL *easy, const std::string &key, const AddressList &addrs, TimePoint t) = 0;

 protected:
  ~DnsStore() = default;
};

}  // namespace evm
