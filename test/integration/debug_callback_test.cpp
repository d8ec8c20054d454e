// DEBUGFUNCTION / DEBUGDATA and VERBOSE: what each curl_infotype carries, as libcurl 7.88 hands
// it over (probed): TEXT pieces end in "\n", the request head is one HEADER_OUT piece, each
// response header line (CRLF included, the blank line too) is one HEADER_IN piece, body bytes
// come as DATA_OUT and DATA_IN, TLS messages as SSL_DATA_OUT and SSL_DATA_IN with a TEXT line
// naming each; nothing is called without VERBOSE.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "easy_options_fixture.h"
#include "https_fixture.h"
#include "multi_driver.h"

using namespace evm::test;

namespace {

struct Seen {
  std::vector<std::pair<curl_infotype, std::string>> pieces;
  CURL *easy = nullptr;
  bool wrong_handle = false;
  CURLM *multi = nullptr;  // when set, a multi call is tried from inside the callback
  CURLMcode inside = CURLM_OK;

  std::string joined(curl_infotype t) const {
    std::string out;
    for (const auto &p : pieces)
      if (p.first == t) out += p.second;
    return out;
  }
  std::vector<std::string> of(curl_infotype t) const {
    std::vector<std::string> out;
    for (const auto &p : pieces)
      if (p.first == t) out.push_back(p.second);
    return out;
  }
};

int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *userp) {
  auto *s = static_cast<Seen *>(userp);
  if (h != s->easy) s->wrong_handle = true;
  s->pieces.emplace_back(type, std::string(data, size));
  if (s->multi && s->inside == CURLM_OK) {
    int running = 0;
    s->inside = curl_multi_perform(s->multi, &running);
  }
  return 0;
}

void watch(CURL *e, Seen &s) {
  s.easy = e;
  CHECK(curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug) == CURLE_OK);
  CHECK(curl_easy_setopt(e, CURLOPT_DEBUGDATA, &s) == CURLE_OK);
  CHECK(curl_easy_setopt(e, CURLOPT_VERBOSE, 1L) == CURLE_OK);
}

// What every POST of "a=1&b=2" to /echo shows, over either transport.
void check_post_pieces(const Seen &s, const std::string &body) {
  CHECK_FALSE(s.wrong_handle);
  auto texts = s.of(CURLINFO_TEXT);
  REQUIRE(!texts.empty());
  for (const auto &t : texts) CHECK(t.back() == '\n');

  auto out = s.of(CURLINFO_HEADER_OUT);
  REQUIRE(out.size() == 1);
  CHECK(out[0].rfind("POST /echo HTTP/1.1\r\n", 0) == 0);
  CHECK(out[0].find("Content-Length: 7\r\n") != std::string::npos);
  CHECK(out[0].size() >= 4);
  CHECK(out[0].substr(out[0].size() - 4) == "\r\n\r\n");
  CHECK(s.joined(CURLINFO_DATA_OUT) == "a=1&b=2");

  auto in = s.of(CURLINFO_HEADER_IN);
  REQUIRE(in.size() >= 3);
  CHECK(in.front().rfind("HTTP/1.1 200", 0) == 0);
  for (const auto &line : in) {
    CHECK(line.size() >= 2);
    CHECK(line.substr(line.size() - 2) == "\r\n");
    CHECK(line.find('\n') == line.size() - 1);  // one line per piece
  }
  CHECK(in.back() == "\r\n");
  CHECK(s.joined(CURLINFO_DATA_IN) == body);
  CHECK(body.find("a=1&b=2") != std::string::npos);
}

}  // namespace

TEST_CASE("DEBUGFUNCTION sees text, both heads and both bodies of a POST") {
  Fetch f(server().http_url("/echo"));
  Seen s;
  watch(f.easy, s);
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "a=1&b=2");
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 5000L);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  check_post_pieces(s, f.body);
}

TEST_CASE("DEBUGFUNCTION over TLS sees the decrypted heads and bodies") {
  Https h(good_server(), "/echo");
  Seen s;
  watch(h.easy, s);
  curl_easy_setopt(h.easy, CURLOPT_POSTFIELDS, "a=1&b=2");
  REQUIRE(h.perform() == CURLE_OK);
  check_post_pieces(s, h.body);
  // The handshake as libcurl shows it: each message named in a TEXT line, its bytes as
  // SSL_DATA_OUT / SSL_DATA_IN.
  std::string text = s.joined(CURLINFO_TEXT);
  CHECK(text.find("(OUT), TLS handshake, Client hello (1):\n") != std::string::npos);
  CHECK(text.find("(IN), TLS handshake, Server hello (2):\n") != std::string::npos);
  CHECK(text.find("(IN), TLS handshake, Finished (20):\n") != std::string::npos);
  auto hellos = s.of(CURLINFO_SSL_DATA_OUT);
  REQUIRE(!hellos.empty());
  bool client_hello = false;
  for (const auto &m : hellos) client_hello = client_hello || (m.size() > 4 && m[0] == 1);
  CHECK(client_hello);
  CHECK(!s.of(CURLINFO_SSL_DATA_IN).empty());
}

TEST_CASE("DEBUGFUNCTION is not called without VERBOSE") {
  Fetch f(server().http_url("/bytes/10"));
  Seen s;
  watch(f.easy, s);
  curl_easy_setopt(f.easy, CURLOPT_VERBOSE, 0L);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(s.pieces.empty());
}

TEST_CASE("DEBUGFUNCTION runs as a callback: multi calls inside it are refused") {
  Fetch f(server().http_url("/bytes/10"));
  Seen s;
  watch(f.easy, s);
  Driver d;
  s.multi = d.multi;
  REQUIRE(curl_multi_add_handle(d.multi, f.easy) == CURLM_OK);
  CHECK(d.run_all(5000));
  curl_multi_remove_handle(d.multi, f.easy);
  CHECK(s.inside == CURLM_RECURSIVE_API_CALL);
  CHECK(f.body == pattern(10));
}

TEST_CASE("VERBOSE without DEBUGFUNCTION writes its lines to CURLOPT_STDERR") {
  Fetch f(server().http_url("/echo"));
  FILE *err = std::tmpfile();
  REQUIRE(err);
  curl_easy_setopt(f.easy, CURLOPT_VERBOSE, 1L);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_STDERR, err) == CURLE_OK);
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "a=1&b=2");
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  std::string text = read_all(err);
  std::fclose(err);
  CHECK(text.find("\n> POST /echo HTTP/1.1\n") != std::string::npos);
  CHECK(text.find("\n< HTTP/1.1 200") != std::string::npos);
  CHECK(text.find("* ") != std::string::npos);
  CHECK(text.find("a=1&b=2") == std::string::npos);  // bytes are not shown by default
}

TEST_CASE("DATA_OUT carries a large request body exactly once, in order") {
  std::string big = pattern(300 * 1024);
  Fetch f(server().http_url("/echo"));
  Seen s;
  watch(f.easy, s);
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, big.c_str());
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(big.size()));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 10000L);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(s.joined(CURLINFO_DATA_OUT) == big);
  CHECK(s.joined(CURLINFO_DATA_IN) == f.body);
  CHECK(s.of(CURLINFO_HEADER_OUT).size() == 1);
}
