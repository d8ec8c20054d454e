// The share interface without sockets: curl_share_setopt's answers, the lock and unlock calls a
// handle's use of shared data makes (recorded), CURLSHE_IN_USE, and what joining and leaving a
// share does to a handle's cookies; each as libcurl 7.88 was seen to behave.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "net/dns_cache.h"
#include "share/share.h"
#include "transfer/transfer.h"

namespace {

// Records every lock and unlock call as "L<data>/<access>" or "U<data>", with the handle.
struct Recorder {
  std::vector<std::string> calls;
  std::vector<CURL *> handles;
  int depth = 0;  // locks held now: never negative, 0 at the end
};

void record_lock(CURL *easy, curl_lock_data d, curl_lock_access a, void *userp) {
  auto *r = static_cast<Recorder *>(userp);
  r->calls.push_back("L" + std::to_string(d) + "/" + std::to_string(a));
  r->handles.push_back(easy);
  ++r->depth;
}

void record_unlock(CURL *easy, curl_lock_data d, void *userp) {
  auto *r = static_cast<Recorder *>(userp);
  r->calls.push_back("U" + std::to_string(d));
  r->handles.push_back(easy);
  --r->depth;
}

struct RecordedShare {
  Recorder rec;
  CURLSH *sh = curl_share_init();
  RecordedShare() {
    curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, record_lock);
    curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, record_unlock);
    curl_share_setopt(sh, CURLSHOPT_USERDATA, &rec);
  }
  ~RecordedShare() { curl_share_cleanup(sh); }
};

std::vector<std::string> cookie_lines(CURL *easy) {
  std::vector<std::string> out;
  curl_slist *list = nullptr;
  curl_easy_getinfo(easy, CURLINFO_COOKIELIST, &list);
  for (curl_slist *i = list; i; i = i->next) out.emplace_back(i->data);
  curl_slist_free_all(list);
  return out;
}

}  // namespace

TEST_SUITE_BEGIN("share");

TEST_CASE("curl_share_setopt: what each lock data answers") {
  CURLSH *sh = curl_share_init();
  REQUIRE(sh);
  CHECK(curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE) == CURLSHE_OK);
  CHECK(curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) == CURLSHE_OK);
  CHECK(curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) == CURLSHE_OK);
  CHECK(curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) == CURLSHE_OK);
  // Built without a public suffix list and without HSTS.
  CHECK(curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_PSL) == CURLSHE_NOT_BUILT_IN);
  CHECK(curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_HSTS) == CURLSHE_NOT_BUILT_IN);
  CHECK(curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_NONE) == CURLSHE_BAD_OPTION);
  CHECK(curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SHARE) == CURLSHE_BAD_OPTION);
  CHECK(curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_LAST) == CURLSHE_BAD_OPTION);
  CHECK(curl_share_setopt(sh, CURLSHOPT_SHARE, 1000) == CURLSHE_BAD_OPTION);
  CHECK(curl_share_setopt(sh, CURLSHOPT_SHARE, -1) == CURLSHE_BAD_OPTION);

  CHECK(curl_share_setopt(sh, CURLSHOPT_UNSHARE, CURL_LOCK_DATA_COOKIE) == CURLSHE_OK);
  CHECK(curl_share_setopt(sh, CURLSHOPT_UNSHARE, CURL_LOCK_DATA_DNS) == CURLSHE_OK);
  CHECK(curl_share_setopt(sh, CURLSHOPT_UNSHARE, CURL_LOCK_DATA_SSL_SESSION) == CURLSHE_OK);
  CHECK(curl_share_setopt(sh, CURLSHOPT_UNSHARE, CURL_LOCK_DATA_CONNECT) == CURLSHE_OK);
  // libcurl 7.88 knows no UNSHARE for PSL at all.
  CHECK(curl_share_setopt(sh, CURLSHOPT_UNSHARE, CURL_LOCK_DATA_PSL) == CURLSHE_BAD_OPTION);
  CHECK(curl_share_setopt(sh, CURLSHOPT_UNSHARE, CURL_LOCK_DATA_HSTS) == CURLSHE_NOT_BUILT_IN);
  CHECK(curl_share_setopt(sh, CURLSHOPT_UNSHARE, CURL_LOCK_DATA_NONE) == CURLSHE_BAD_OPTION);

  CHECK(curl_share_setopt(sh, CURLSHOPT_NONE, 0L) == CURLSHE_BAD_OPTION);
  CHECK(curl_share_setopt(sh, CURLSHOPT_LAST, 0L) == CURLSHE_BAD_OPTION);
  CHECK(curl_share_setopt(sh, static_cast<CURLSHoption>(99), 0L) == CURLSHE_BAD_OPTION);
  CHECK(curl_share_setopt(sh, CURLSHOPT_USERDATA, nullptr) == CURLSHE_OK);
  CHECK(curl_share_cleanup(sh) == CURLSHE_OK);
}

TEST_CASE("curl_share_*: a bad handle") {
  CHECK(curl_share_setopt(nullptr, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) == CURLSHE_INVALID);
  CHECK(curl_share_cleanup(nullptr) == CURLSHE_INVALID);
  CURL *easy = curl_easy_init();
  // An easy handle is no share, for either function.
  CHECK(curl_share_setopt(easy, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) == CURLSHE_INVALID);
  CHECK(curl_share_cleanup(easy) == CURLSHE_INVALID);
  // ... and CURLOPT_SHARE refuses what is not a share.
  CHECK(curl_easy_setopt(easy, CURLOPT_SHARE, easy) == CURLE_BAD_FUNCTION_ARGUMENT);
  curl_easy_cleanup(easy);
}

TEST_CASE("curl_share_strerror") {
  CHECK(std::string(curl_share_strerror(CURLSHE_OK)) == "No error");
  CHECK(std::string(curl_share_strerror(CURLSHE_BAD_OPTION)) == "Unknown share option");
  CHECK(std::string(curl_share_strerror(CURLSHE_IN_USE)) == "Share currently in use");
  CHECK(std::string(curl_share_strerror(CURLSHE_INVALID)) == "Invalid share handle");
  CHECK(std::string(curl_share_strerror(CURLSHE_NOMEM)) == "Out of memory");
  CHECK(std::string(curl_share_strerror(CURLSHE_NOT_BUILT_IN)) ==
        "Feature not enabled in this library");
  CHECK(std::string(curl_share_strerror(CURLSHE_LAST)) == "CURLSHcode unknown");
  CHECK(std::string(curl_share_strerror(static_cast<CURLSHcode>(-3))) == "CURLSHcode unknown");
}

TEST_CASE("a share in use: IN_USE for setopt and cleanup until its last handle leaves") {
  RecordedShare s;
  curl_share_setopt(s.sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  CURL *a = curl_easy_init();
  CURL *b = curl_easy_init();
  REQUIRE(curl_easy_setopt(a, CURLOPT_SHARE, s.sh) == CURLE_OK);
  REQUIRE(curl_easy_setopt(b, CURLOPT_SHARE, s.sh) == CURLE_OK);
  CHECK(curl_share_setopt(s.sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE) == CURLSHE_IN_USE);
  CHECK(curl_share_setopt(s.sh, CURLSHOPT_USERDATA, nullptr) == CURLSHE_IN_USE);
  CHECK(curl_share_cleanup(s.sh) == CURLSHE_IN_USE);
  curl_easy_reset(a);  // reset keeps the share, as in libcurl 7.88
  CHECK(curl_share_cleanup(s.sh) == CURLSHE_IN_USE);
  CHECK(curl_easy_setopt(a, CURLOPT_SHARE, nullptr) == CURLE_OK);
  CHECK(curl_share_cleanup(s.sh) == CURLSHE_IN_USE);
  CURL *dup = curl_easy_duphandle(b);  // the copy joins no share
  curl_easy_cleanup(b);
  CHECK(s.rec.depth == 0);
  CHECK(curl_share_setopt(s.sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE) == CURLSHE_OK);
  curl_easy_cleanup(dup);
  curl_easy_cleanup(a);
}

TEST_CASE("lock calls: joining, leaving and cleanup lock CURL_LOCK_DATA_SHARE") {
  RecordedShare s;
  CURL *easy = curl_easy_init();
  const std::string share_lock =
      "L" + std::to_string(CURL_LOCK_DATA_SHARE) + "/" + std::to_string(CURL_LOCK_ACCESS_SINGLE);
  const std::string share_unlock = "U" + std::to_string(CURL_LOCK_DATA_SHARE);
  curl_easy_setopt(easy, CURLOPT_SHARE, s.sh);
  CHECK(s.rec.calls == std::vector<std::string>{share_lock, share_unlock});
  CHECK(s.rec.handles == std::vector<CURL *>{easy, easy});
  s.rec = {};
  curl_easy_setopt(easy, CURLOPT_SHARE, s.sh);  // the same share again: leave, then join
  CHECK(s.rec.calls ==
        std::vector<std::string>{share_lock, share_unlock, share_lock, share_unlock});
  s.rec = {};
  CHECK(curl_share_cleanup(s.sh) == CURLSHE_IN_USE);
  CHECK(s.rec.calls == std::vector<std::string>{share_lock, share_unlock});
  CHECK(s.rec.handles == std::vector<CURL *>{nullptr, nullptr});
  s.rec = {};
  curl_easy_cleanup(easy);  // leaves the share
  CHECK(s.rec.calls == std::vector<std::string>{share_lock, share_unlock});
}

TEST_CASE("lock calls: curl_easy_cleanup locks a shared jar, then leaves the share") {
  RecordedShare s;
  curl_share_setopt(s.sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
  CURL *easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_SHARE, s.sh);
  s.rec = {};
  curl_easy_cleanup(easy);
  auto lock = [](curl_lock_data d) {
    return "L" + std::to_string(d) + "/" + std::to_string(CURL_LOCK_ACCESS_SINGLE);
  };
  auto unlock = [](curl_lock_data d) { return "U" + std::to_string(d); };
  CHECK(s.rec.calls ==
        std::vector<std::string>{lock(CURL_LOCK_DATA_COOKIE), unlock(CURL_LOCK_DATA_COOKIE),
                                 lock(CURL_LOCK_DATA_SHARE), unlock(CURL_LOCK_DATA_SHARE)});
}

TEST_CASE("lock calls: COOKIELIST and CURLINFO_COOKIELIST lock the shared jar") {
  RecordedShare s;
  curl_share_setopt(s.sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
  CURL *easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_SHARE, s.sh);
  s.rec = {};
  curl_easy_setopt(easy, CURLOPT_COOKIELIST, "Set-Cookie: a=1; domain=example.com");
  const std::string lock =
      "L" + std::to_string(CURL_LOCK_DATA_COOKIE) + "/" + std::to_string(CURL_LOCK_ACCESS_SINGLE);
  const std::string unlock = "U" + std::to_string(CURL_LOCK_DATA_COOKIE);
  CHECK(s.rec.calls == std::vector<std::string>{lock, unlock});
  CHECK(s.rec.handles == std::vector<CURL *>{easy, easy});
  s.rec = {};
  CHECK(cookie_lines(easy).size() == 1);
  CHECK(s.rec.calls == std::vector<std::string>{lock, unlock});
  curl_easy_cleanup(easy);
}

TEST_CASE("lock calls: nothing for data the share does not share") {
  RecordedShare s;
  curl_share_setopt(s.sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  CURL *easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_SHARE, s.sh);
  s.rec = {};
  curl_easy_setopt(easy, CURLOPT_COOKIELIST, "Set-Cookie: a=1; domain=example.com");
  CHECK(cookie_lines(easy).size() == 1);
  CHECK(s.rec.calls.empty());
  curl_easy_cleanup(easy);
}

TEST_CASE("lock calls: the shared DNS cache is used under CURL_LOCK_DATA_DNS") {
  RecordedShare s;
  curl_share_setopt(s.sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  CURL *easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_SHARE, s.sh);
  evm::Transfer *t = evm::Transfer::from(easy);
  REQUIRE(t);
  evm::DnsStore *store = t->dns_store();
  REQUIRE(store);
  s.rec = {};
  evm::AddressList addrs(1), out;
  REQUIRE(evm::Address::from_numeric("127.0.0.1", 0, addrs[0]));
  evm::TimePoint now = evm::now();
  CHECK_FALSE(store->lookup(easy, "example.com/0", now, 60, out));
  store->store(easy, "example.com/0", addrs, now);
  CHECK(store->lookup(easy, "example.com/0", now, 60, out));
  CHECK(out.size() == 1);
  // Stale after the timeout; 0 means never from the cache, -1 any age.
  CHECK_FALSE(store->lookup(easy, "example.com/0", now + std::chrono::seconds(61), 60, out));
  const std::string lock =
      "L" + std::to_string(CURL_LOCK_DATA_DNS) + "/" + std::to_string(CURL_LOCK_ACCESS_SINGLE);
  const std::string unlock = "U" + std::to_string(CURL_LOCK_DATA_DNS);
  CHECK(s.rec.calls ==
        std::vector<std::string>{lock, unlock, lock, unlock, lock, unlock, lock, unlock});
  // Leaving the share: the handle's lookups go back to its resolver's own cache.
  curl_easy_setopt(easy, CURLOPT_SHARE, nullptr);
  CHECK(t->dns_store() == nullptr);
  curl_easy_cleanup(easy);
}

TEST_CASE("lock calls: the shared TLS session cache is used under CURL_LOCK_DATA_SSL_SESSION") {
  Recorder rec;
  evm::Share share;
  REQUIRE(share.share(CURL_LOCK_DATA_SSL_SESSION) == CURLSHE_OK);
  share.lock_fn = record_lock;
  share.unlock_fn = record_unlock;
  share.user_data = &rec;
  REQUIRE(share.tls());
  CURL *easy = curl_easy_init();
  {
    // OpenSSL hands sessions over from inside a transfer's turn: that handle is named.
    evm::RunningEasy running(easy);
    CHECK(share.tls()->sessions().get("example.com:443/1/h") == nullptr);
    share.tls()->sessions().drop("example.com:443/1/h");
  }
  const std::string lock = "L" + std::to_string(CURL_LOCK_DATA_SSL_SESSION) + "/" +
                           std::to_string(CURL_LOCK_ACCESS_SINGLE);
  const std::string unlock = "U" + std::to_string(CURL_LOCK_DATA_SSL_SESSION);
  CHECK(rec.calls == std::vector<std::string>{lock, unlock, lock, unlock});
  CHECK(rec.handles == std::vector<CURL *>{easy, easy, easy, easy});
  // Unshared: no cache, no lock.
  REQUIRE(share.unshare(CURL_LOCK_DATA_SSL_SESSION) == CURLSHE_OK);
  CHECK(share.tls() == nullptr);
  curl_easy_cleanup(easy);
}

TEST_CASE("joining a share with cookies drops the handle's own; leaving leaves it with none") {
  CURLSH *sh = curl_share_init();
  curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
  CURL *a = curl_easy_init();
  CURL *b = curl_easy_init();
  curl_easy_setopt(a, CURLOPT_COOKIELIST, "Set-Cookie: own=1; domain=example.com");
  REQUIRE(cookie_lines(a).size() == 1);
  curl_easy_setopt(a, CURLOPT_SHARE, sh);
  CHECK(cookie_lines(a).empty());
  curl_easy_setopt(b, CURLOPT_SHARE, sh);
  curl_easy_setopt(a, CURLOPT_COOKIELIST, "Set-Cookie: shared=1; domain=example.com");
  std::vector<std::string> seen_by_b = cookie_lines(b);
  REQUIRE(seen_by_b.size() == 1);
  CHECK(seen_by_b[0].find("shared") != std::string::npos);
  curl_easy_setopt(a, CURLOPT_SHARE, nullptr);
  CHECK(cookie_lines(a).empty());
  CHECK(cookie_lines(b).size() == 1);  // the share keeps them
  curl_easy_cleanup(a);
  curl_easy_cleanup(b);
  CHECK(curl_share_cleanup(sh) == CURLSHE_OK);
}

TEST_CASE("a share without cookies leaves the handle's own alone") {
  CURLSH *sh = curl_share_init();
  curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  CURL *a = curl_easy_init();
  curl_easy_setopt(a, CURLOPT_COOKIELIST, "Set-Cookie: own=1; domain=example.com");
  curl_easy_setopt(a, CURLOPT_SHARE, sh);
  CHECK(cookie_lines(a).size() == 1);
  curl_easy_cleanup(a);
  CHECK(curl_share_cleanup(sh) == CURLSHE_OK);
}

TEST_SUITE_END();
