#include "net/dns_cache.h"

namespace evm {

bool DnsCache::lookup(const std::string &key, TimePoint t, long timeout_s, AddressList &out) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  if (timeout_s < 0 || t < it->second.stored + std::chrono::seconds(timeout_s)) {
    out = it->second.addrs;
    return true;
  }
  entries_.erase(it);
  return false;
}

void DnsCache::store(const std::string &key, const AddressList &addrs, TimePoint t) {
  entries_[key] = Entry{addrs, t};
}

}  // namespace evm
