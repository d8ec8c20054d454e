#include "multi/push_promise.h"

#include "multi/multi.h"

namespace evm {

namespace {

std::string_view header_value(const H2Promise &p, std::string_view name) {
  for (const auto &[n, v] : p.headers)
    if (n == name) return v;
  return {};
}

}  // namespace

// A promise becomes a new easy handle, duplicated from the transfer it came with and pointed at
// the promised URL, which the application's callback accepts (we add it to this multi and hand
// it the promised stream) or refuses.
PushAnswer Multi::on_push(Connection &c, const H2Promise &p) {
  Transfer *parent = p.parent ? Transfer::from(p.parent->user_easy()) : nullptr;
  if (!push_fn || !parent) return PushAnswer::Deny;
  std::string url = std::string(header_value(p, ":scheme")) + "://" +
                    std::string(header_value(p, ":authority")) +
                    std::string(header_value(p, ":path"));
  CURL *easy = curl_easy_duphandle(parent->handle());
  Transfer *t = Transfer::from(easy);
  if (!t) return PushAnswer::Deny;
  if (curl_easy_setopt(easy, CURLOPT_URL, url.c_str()) != CURLE_OK) {
    curl_easy_cleanup(easy);
    return PushAnswer::Deny;
  }
  curl_pushheaders headers{&p, {}};
  int rc;
  {
    CallbackGuard in_cb(*this);
    rc = push_fn(parent->handle(), easy, p.headers.size(), &headers, push_data);
  }
  if (rc != CURL_PUSH_OK) {
    curl_easy_cleanup(easy);
    return rc == CURL_PUSH_ERROROUT ? PushAnswer::FailParent : PushAnswer::Deny;
  }
  add(*t);
  t->adopt_push(pool_.lease(c, *t), p.id);
  return PushAnswer::Accept;
}

}  // namespace evm
