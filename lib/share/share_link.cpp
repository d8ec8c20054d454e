#include "share/share_link.h"

#include "share/share.h"

namespace evm {

void ShareLink::join(Share *s) {
  if (share_) share_->detach(easy_);
  share_ = s;
  if (share_) share_->attach(easy_);
}

bool ShareLink::shares(curl_lock_data d) const {
  return share_ && share_->shares(d);
}

ShareLink::Scope::Scope(const ShareLink &link, curl_lock_data d)
    : link_(link), data_(d), held_(link.shares(d)) {
  if (held_) link_.share_->lock(link_.easy_, data_, CURL_LOCK_ACCESS_SINGLE);
}

ShareLink::Scope::~Scope() {
  if (held_) link_.share_->unlock(link_.easy_, data_);
}

// libcurl takes the DNS lock as SINGLE for lookups too: a lookup may drop a stale entry.
// `easy` is this link's own handle (the resolver asks on its behalf).
bool ShareLink::lookup(CURL *, const std::string &key, TimePoint t, long timeout_s,
                       AddressList &out) {
  Scope hold(*this, CURL_LOCK_DATA_DNS);
  return share_->dns().lookup(key, t, timeout_s, out);
}

void ShareLink::store(CURL *, const std::string &key, const AddressList &addrs, TimePoint t) {
  Scope hold(*this, CURL_LOCK_DATA_DNS);
  share_->dns().store(key, addrs, t);
}

}  // namespace evm
