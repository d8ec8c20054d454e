// curl_easy_header and curl_easy_nextheader over real transfers: redirect chains and auth
// rounds as numbered requests, 1xx heads, trailers, calls from inside the callbacks, and what
// stays after curl_easy_reset or goes with the next transfer (libcurl 7.88's answers, checked
// against the system libcurl with the same server replies).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "easy_options_fixture.h"
#include "multi_driver.h"

using namespace evm::test;

namespace {

constexpr unsigned kReserved = 1u << 27;  // libcurl's bit in every answer's origin
constexpr unsigned kAll = CURLH_HEADER | CURLH_TRAILER | CURLH_CONNECT | CURLH_1XX | CURLH_PSEUDO;

std::string value_of(CURL *e, const char *name, size_t index = 0, unsigned origin = CURLH_HEADER,
                     int request = -1) {
  curl_header *h = nullptr;
  CURLHcode rc = curl_easy_header(e, name, index, origin, request, &h);
  return rc == CURLHE_OK ? std::string(h->value) : "<" + std::to_string(rc) + ">";
}

std::string code(CURLHcode rc) {
  return "<" + std::to_string(rc) + ">";
}

std::vector<std::string> walk(CURL *e, unsigned origin, int request) {
  std::vector<std::string> out;
  for (curl_header *h = curl_easy_nextheader(e, origin, request, nullptr); h;
       h = curl_easy_nextheader(e, origin, request, h))
    out.push_back(std::string(h->name) + "=" + h->value + " " + std::to_string(h->index) + "/" +
                  std::to_string(h->amount));
  return out;
}

CURL *easy_for(const std::string &url, std::string &body) {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
  return e;
}

}  // namespace

TEST_CASE("header API: a redirect chain is requests 0..n, the last one also -1") {
  std::string body;
  CURL *e = easy_for(server().raw_url("/hdr/redir/2"), body);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  REQUIRE(curl_easy_perform(e) == CURLE_OK);
  CHECK(body == "abc");
  CHECK(value_of(e, "X-Step", 0, CURLH_HEADER, 0) == "2");
  CHECK(value_of(e, "x-step", 0, CURLH_HEADER, 1) == "1");
  CHECK(value_of(e, "Location", 0, CURLH_HEADER, 1) == "/hdr/redir/0");
  CHECK(value_of(e, "X-Step", 0, CURLH_HEADER, 2) == code(CURLHE_MISSING));
  CHECK(value_of(e, "X-A", 0, CURLH_HEADER, 2) == "final");
  CHECK(value_of(e, "X-A") == "final");
  CHECK(value_of(e, "X-A", 0, CURLH_HEADER, 3) == code(CURLHE_NOREQUEST));
  CHECK(curl_easy_nextheader(e, CURLH_HEADER, 3, nullptr) == nullptr);
  CHECK(walk(e, CURLH_HEADER, 0) == std::vector<std::string>{"X-Step=2 0/1",
                                                             "Location=/hdr/redir/1 0/1",
                                                             "Content-Length=14 0/1"});
  curl_easy_cleanup(e);
}

TEST_CASE("header API: 1xx heads, folded and repeated headers, trailers") {
  std::string body;
  CURL *e = easy_for(server().raw_url("/hdr/final"), body);
  REQUIRE(curl_easy_perform(e) == CURLE_OK);
  CHECK(body == "abc");
  curl_header *h = nullptr;
  REQUIRE(curl_easy_header(e, "x-A", 1, CURLH_HEADER, -1, &h) == CURLHE_OK);
  CHECK(std::string(h->name) == "x-a");
  CHECK(std::string(h->value) == "second");
  CHECK(h->index == 1);
  CHECK(h->amount == 2);
  CHECK(h->origin == (CURLH_HEADER | kReserved));
  CHECK(curl_easy_header(e, "X-A", 2, CURLH_HEADER, -1, &h) == CURLHE_BADINDEX);
  CHECK(value_of(e, "X-A", 2, CURLH_HEADER | CURLH_TRAILER) == "trail");
  CHECK(value_of(e, "X-Fold") == "a b\tc");
  CHECK(value_of(e, "X-Info") == code(CURLHE_MISSING));
  CHECK(value_of(e, "X-Info", 0, CURLH_1XX) == "early");
  CHECK(value_of(e, "X-Trail", 0, CURLH_TRAILER) == "t1");
  CHECK(value_of(e, "X-A", 0, CURLH_CONNECT) == code(CURLHE_MISSING));
  CHECK(value_of(e, "X-A", 0, CURLH_PSEUDO) == code(CURLHE_MISSING));
  CHECK(walk(e, kAll, -1) == std::vector<std::string>{"X-Info=early 0/1", "X-A=final 0/3",
                                                      "X-Fold=a b\tc 0/1", "x-a=second 1/3",
                                                      "Transfer-Encoding=chunked 0/1",
                                                      "X-Trail=t1 0/1", "X-A=trail 2/3"});
  h = curl_easy_nextheader(e, CURLH_1XX, -1, nullptr);
  REQUIRE(h);
  CHECK(h->origin == (CURLH_1XX | kReserved));
  CHECK(curl_easy_nextheader(e, 0, -1, nullptr) == nullptr);
  curl_easy_cleanup(e);
}

TEST_CASE("header API: an auth round is a request of its own") {
  std::string body;
  CURL *e = easy_for(server().raw_url("/auth/basic?user=u&pass=p"), body);
  curl_easy_setopt(e, CURLOPT_USERPWD, "u:p");
  curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_ANY);
  REQUIRE(curl_easy_perform(e) == CURLE_OK);
  CHECK(body == "basic ok\n");
  CHECK(value_of(e, "WWW-Authenticate", 0, CURLH_HEADER, 0).rfind("Basic", 0) == 0);
  CHECK(value_of(e, "WWW-Authenticate", 0, CURLH_HEADER, 1) == code(CURLHE_MISSING));
  CHECK(value_of(e, "Content-Length", 0, CURLH_HEADER, 2) == code(CURLHE_NOREQUEST));
  curl_easy_cleanup(e);
}

TEST_CASE("header API: bad arguments and a handle without headers") {
  curl_header *h = nullptr;
  CHECK(curl_easy_header(nullptr, "X", 0, CURLH_HEADER, -1, &h) == CURLHE_BAD_ARGUMENT);
  CHECK(curl_easy_nextheader(nullptr, CURLH_HEADER, -1, nullptr) == nullptr);
  CURL *e = curl_easy_init();
  REQUIRE(e);
  CHECK(curl_easy_header(e, "X", 0, CURLH_HEADER, -1, &h) == CURLHE_NOHEADERS);
  CHECK(curl_easy_header(e, nullptr, 0, CURLH_HEADER, -1, &h) == CURLHE_BAD_ARGUMENT);
  CHECK(curl_easy_header(e, "X", 0, CURLH_HEADER, -1, nullptr) == CURLHE_BAD_ARGUMENT);
  CHECK(curl_easy_header(e, "X", 0, 0, -1, &h) == CURLHE_BAD_ARGUMENT);
  CHECK(curl_easy_header(e, "X", 0, 1u << 5, -1, &h) == CURLHE_BAD_ARGUMENT);
  CHECK(curl_easy_header(e, "X", 0, CURLH_HEADER, -2, &h) == CURLHE_BAD_ARGUMENT);
  CHECK(curl_easy_nextheader(e, CURLH_HEADER, -1, nullptr) == nullptr);
  curl_easy_cleanup(e);
}

TEST_CASE("header API: MAXREDIRS counts the refused request, as libcurl 7.88") {
  std::string body;
  CURL *e = easy_for(server().raw_url("/hdr/redir/2"), body);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 0L);
  CHECK(curl_easy_perform(e) == CURLE_TOO_MANY_REDIRECTS);
  CHECK(value_of(e, "X-Step", 0, CURLH_HEADER, 0) == "2");
  CHECK(value_of(e, "X-Step") == code(CURLHE_MISSING));  // -1 is request 1, never made
  CHECK(value_of(e, "X-Step", 0, CURLH_HEADER, 2) == code(CURLHE_NOREQUEST));
  // Without FOLLOWLOCATION a redirect is no new request.
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  body.clear();
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(value_of(e, "X-Step") == "2");
  CHECK(value_of(e, "X-Step", 0, CURLH_HEADER, 1) == code(CURLHE_NOREQUEST));
  curl_easy_cleanup(e);
}

TEST_CASE("header API: curl_easy_reset keeps the headers, the next transfer replaces them") {
  std::string body;
  CURL *e = easy_for(server().raw_url("/hdr/redir/1"), body);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  REQUIRE(curl_easy_perform(e) == CURLE_OK);
  curl_easy_reset(e);
  CHECK(value_of(e, "X-A") == "final");
  CHECK(value_of(e, "X-Step", 0, CURLH_HEADER, 0) == "1");
  curl_easy_setopt(e, CURLOPT_URL, server().raw_url("/hdr/redir/1").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  REQUIRE(curl_easy_perform(e) == CURLE_OK);  // not following now: one request
  CHECK(value_of(e, "X-Step") == "1");
  CHECK(value_of(e, "X-A", 0, CURLH_HEADER, 1) == code(CURLHE_NOREQUEST));
  // A transfer that gets no response leaves none behind either.
  curl_easy_setopt(e, CURLOPT_URL, "http://127.0.0.1:1/");
  CHECK(curl_easy_perform(e) == CURLE_COULDNT_CONNECT);
  CHECK(value_of(e, "X-Step") == code(CURLHE_NOHEADERS));
  curl_easy_cleanup(e);
}

namespace {

// What curl_easy_header answered for "X-A" and "X-Fold" at each header line and body write.
struct Seen {
  CURL *easy = nullptr;
  std::vector<std::string> at_lines;
  std::vector<std::string> at_body;
  std::string now() const {
    return value_of(easy, "X-A") + "," + value_of(easy, "X-Fold") + "," +
           value_of(easy, "X-Trail", 0, CURLH_TRAILER);
  }
};

size_t seen_line(char *data, size_t size, size_t n, void *userp) {
  auto *s = static_cast<Seen *>(userp);
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  s->at_lines.push_back(line + " -> " + s->now());
  return size * n;
}

size_t seen_body(char *, size_t size, size_t n, void *userp) {
  auto *s = static_cast<Seen *>(userp);
  s->at_body.push_back(s->now());
  return size * n;
}

}  // namespace

TEST_CASE("header API: inside HEADERFUNCTION each line is there as it arrives") {
  Seen s;
  CURL *e = s.easy = curl_easy_init();
  REQUIRE(e);
  curl_easy_setopt(e, CURLOPT_URL, server().raw_url("/hdr/final").c_str());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, seen_line);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &s);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, seen_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &s);
  REQUIRE(curl_easy_perform(e) == CURLE_OK);
  const std::string none = code(CURLHE_NOHEADERS), miss = code(CURLHE_MISSING);
  const std::string no_trail = "," + miss;
  CHECK(s.at_lines ==
        std::vector<std::string>{
            "HTTP/1.1 100 Continue -> " + none + "," + none + "," + none,
            "X-Info: early -> " + miss + "," + miss + no_trail,
            " -> " + miss + "," + miss + no_trail,
            "HTTP/1.1 200 OK -> " + miss + "," + miss + no_trail,
            "X-A:   final   -> final," + miss + no_trail, "X-Fold: a -> final,a" + no_trail,
            "   b -> final,a b" + no_trail, "\tc  -> final,a b\tc" + no_trail,
            "x-a: second -> final,a b\tc" + no_trail,
            "Transfer-Encoding: chunked -> final,a b\tc" + no_trail, " -> final,a b\tc" + no_trail,
            "X-Trail: t1 -> final,a b\tc,t1", "X-A: trail -> final,a b\tc,t1"});
  CHECK(s.at_body == std::vector<std::string>{"final,a b\tc" + no_trail});
  curl_easy_cleanup(e);
}

namespace {

struct PauseOnce {
  bool paused = false;
};

size_t pause_at_x_a(char *data, size_t size, size_t n, void *userp) {
  auto *p = static_cast<PauseOnce *>(userp);
  if (!p->paused && std::string_view(data, size * n).starts_with("X-A:")) {
    p->paused = true;
    return CURL_WRITEFUNC_PAUSE;
  }
  return size * n;
}

}  // namespace

TEST_CASE("header API: a line refused with a pause is there once, before and after") {
  Driver d;
  PauseOnce p;
  std::string body;
  CURL *e = easy_for(server().raw_url("/hdr/final"), body);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, pause_at_x_a);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &p);
  REQUIRE(curl_multi_add_handle(d.multi, e) == CURLM_OK);
  REQUIRE(d.run_until([&] { return p.paused; }));
  // Kept before HEADERFUNCTION saw it, as libcurl does.
  CHECK(value_of(e, "X-A") == "final");
  curl_easy_pause(e, CURLPAUSE_CONT);
  REQUIRE(d.run_until([&] { return d.is_done(e); }));
  CHECK(*d.result_of(e) == CURLE_OK);
  CHECK(body == "abc");
  CHECK(walk(e, CURLH_HEADER, -1) == std::vector<std::string>{"X-A=final 0/2", "X-Fold=a b\tc 0/1",
                                                              "x-a=second 1/2",
                                                              "Transfer-Encoding=chunked 0/1"});
  curl_multi_remove_handle(d.multi, e);
  curl_easy_cleanup(e);
}

TEST_CASE("header API: a retry on a fresh connection is a request of its own, as libcurl") {
  std::string body;
  CURL *e = easy_for(server().raw_url("/drop-next"), body);
  REQUIRE(curl_easy_perform(e) == CURLE_OK);
  // The server closed the kept connection: the request goes again on a new one.
  curl_easy_setopt(e, CURLOPT_URL, server().raw_url("/ok/5").c_str());
  REQUIRE(curl_easy_perform(e) == CURLE_OK);
  REQUIRE(info_long(e, CURLINFO_NUM_CONNECTS) == 1);
  CHECK(value_of(e, "Content-Length", 0, CURLH_HEADER, 0) == code(CURLHE_MISSING));
  CHECK(value_of(e, "Content-Length", 0, CURLH_HEADER, 1) == "5");
  CHECK(value_of(e, "Content-Length") == "5");
  curl_easy_cleanup(e);
}
