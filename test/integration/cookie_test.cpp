// The cookie engine over loopback: each option against the raw listener's /cookie/ endpoints,
// which set the cookies a test asks for and echo the Cookie headers they receive.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "https_fixture.h"

using namespace evm::test;

namespace {

// "a=1; Path=/" as a query parameter value.
std::string enc(std::string_view s) {
  std::string out;
  const char *hex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// /cookie/<path>?c=...&c=... on the raw listener of `srv`, under `host` (pinned to 127.0.0.1).
std::string cookie_url(TestServer &srv, std::string_view host, std::string_view path,
                       std::initializer_list<std::string_view> set = {}) {
  std::string url = std::string(srv.tls() ? "https://" : "http://") + std::string(host) + ":" +
                    std::to_string(srv.raw_port()) + "/cookie/" + std::string(path);
  char sep = '?';
  for (std::string_view c : set) {
    url += sep;
    url += "c=" + enc(c);
    sep = '&';
  }
  return url;
}

// One easy handle, reused request after request, with the test host names pinned to loopback.
struct Client {
  CURL *easy = curl_easy_init();
  curl_slist *resolve = nullptr;
  std::string body;
  char error[CURL_ERROR_SIZE] = "";

  explicit Client(TestServer &srv = server()) {
    for (const char *host :
         {"www.cookie.test", "other.cookie.test", "cookie.test", "elsewhere.test"})
      resolve = curl_slist_append(
          resolve,
          (std::string(host) + ":" + std::to_string(srv.raw_port()) + ":127.0.0.1").c_str());
    curl_easy_setopt(easy, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
    if (srv.tls()) {
      curl_easy_setopt(easy, CURLOPT_CAINFO, pki().ca_file.c_str());
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);  // the test certificate names localhost
    }
  }
  ~Client() {
    if (easy) curl_easy_cleanup(easy);
    curl_slist_free_all(resolve);
  }
  Client(const Client &) = delete;
  Client &operator=(const Client &) = delete;

  // The Cookie headers the server received, as it echoes them.
  std::string get(const std::string &url) {
    body.clear();
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    CURLcode rc = curl_easy_perform(easy);
    INFO(error);
    CHECK(rc == CURLE_OK);
    return body;
  }
  std::vector<std::string> list() {
    curl_slist *l = nullptr;
    CHECK(curl_easy_getinfo(easy, CURLINFO_COOKIELIST, &l) == CURLE_OK);
    std::vector<std::string> out;
    for (curl_slist *p = l; p; p = p->next) out.emplace_back(p->data);
    curl_slist_free_all(l);
    return out;
  }
  void cleanup() {
    curl_easy_cleanup(easy);
    easy = nullptr;
  }
};

std::string temp_file(const std::string &name, const std::string &text) {
  std::string path = scratch_dir() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

const std::string kLocal = "127.0.0.1";

}  // namespace

TEST_CASE("COOKIE is sent as given, without the engine") {
  Client c;
  curl_easy_setopt(c.easy, CURLOPT_COOKIE, "a=1; b=two");
  CHECK(c.get(cookie_url(server(), kLocal, "x", {"s=1"})) == "Cookie: a=1; b=two\n");
  // Without the engine the Set-Cookie above was not kept.
  CHECK(c.get(cookie_url(server(), kLocal, "x")) == "Cookie: a=1; b=two\n");
  CHECK(c.list().empty());
  // A line break in it is refused and the previous value stays.
  CHECK(curl_easy_setopt(c.easy, CURLOPT_COOKIE, "a=1\r\nX-Injected: 1") ==
        CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(c.get(cookie_url(server(), kLocal, "x")) == "Cookie: a=1; b=two\n");
  curl_easy_setopt(c.easy, CURLOPT_COOKIE, nullptr);
  CHECK(c.get(cookie_url(server(), kLocal, "x")) == "no cookie\n");
}

TEST_CASE("cookies set by one response are sent on the next request of the same handle") {
  Client c;
  curl_easy_setopt(c.easy, CURLOPT_COOKIEFILE, "");
  CHECK(c.get(cookie_url(server(), kLocal, "dir/set", {"a=1", "b=2; Path=/", "h=3; HttpOnly"})) ==
        "no cookie\n");
  // Default path /cookie/dir/: longer paths first, then newer first.
  CHECK(c.get(cookie_url(server(), kLocal, "dir/other")) == "Cookie: h=3; a=1; b=2\n");
  CHECK(c.get(cookie_url(server(), kLocal, "elsewhere")) == "Cookie: b=2\n");
  // COOKIE comes after the engine's cookies, in the same header.
  curl_easy_setopt(c.easy, CURLOPT_COOKIE, "manual=1");
  CHECK(c.get(cookie_url(server(), kLocal, "elsewhere")) == "Cookie: b=2; manual=1\n");
  // An application's own Cookie header replaces COOKIE, not the engine's cookies.
  curl_slist *h = curl_slist_append(nullptr, "Cookie: custom=1");
  curl_easy_setopt(c.easy, CURLOPT_HTTPHEADER, h);
  CHECK(c.get(cookie_url(server(), kLocal, "elsewhere")) == "Cookie: b=2\nCookie: custom=1\n");
  curl_easy_setopt(c.easy, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(h);
  // A server deletes a cookie with an expiry in the past; Max-Age wins over Expires.
  c.get(cookie_url(server(), kLocal, "dir/x",
                   {"a=gone; Max-Age=0",
                    "b=kept; Path=/; Max-Age=100; Expires=Thu, 01 Jan 1998 "
                    "00:00:00 GMT"}));
  CHECK(c.get(cookie_url(server(), kLocal, "dir/x")) == "Cookie: h=3; b=kept; manual=1\n");
  std::vector<std::string> list = c.list();
  REQUIRE(list.size() == 2);
  // Oldest first: the replaced b kept its place.
  CHECK(list[0].starts_with("127.0.0.1\tFALSE\t/\tFALSE\t"));
  CHECK(list[0].ends_with("\tb\tkept"));
  CHECK(list[1] == "#HttpOnly_127.0.0.1\tFALSE\t/cookie/dir/\tFALSE\t0\th\t3");
}

TEST_CASE("cookies come with error and redirect responses too, at most 50 per response") {
  Client c;
  curl_easy_setopt(c.easy, CURLOPT_COOKIEFILE, "");
  c.get(cookie_url(server(), kLocal, "status/404", {"e=404; Path=/"}));
  c.get(cookie_url(server(), kLocal, "status/302", {"r=302; Path=/"}));
  CHECK(c.get(cookie_url(server(), kLocal, "x")) == "Cookie: r=302; e=404\n");
  curl_easy_setopt(c.easy, CURLOPT_COOKIELIST, "ALL");
  std::string url = cookie_url(server(), kLocal, "many");
  for (int i = 0; i < 60; ++i) url += (i ? "&c=" : "?c=") + enc("n" + std::to_string(i) + "=v");
  c.get(url);
  CHECK(c.list().size() == 50);
}

TEST_CASE("domain cookies reach sibling hosts; a foreign or top-level domain is refused") {
  Client c;
  curl_easy_setopt(c.easy, CURLOPT_COOKIEFILE, "");
  c.get(cookie_url(server(), "www.cookie.test", "x",
                   {"d=1; Domain=cookie.test; Path=/", "host=2; Path=/",
                    "foreign=3; Domain=other.test", "tld=4; Domain=test"}));
  CHECK(c.get(cookie_url(server(), "www.cookie.test", "x")) == "Cookie: host=2; d=1\n");
  CHECK(c.get(cookie_url(server(), "other.cookie.test", "x")) == "Cookie: d=1\n");
  CHECK(c.get(cookie_url(server(), "elsewhere.test", "x")) == "no cookie\n");
  std::vector<std::string> list = c.list();
  REQUIRE(list.size() == 2);
  CHECK(list[0] == ".cookie.test\tTRUE\t/\tFALSE\t0\td\t1");
  CHECK(list[1] == "www.cookie.test\tFALSE\t/\tFALSE\t0\thost\t2");
}

TEST_CASE("Secure cookies: not set over plain http, sent only over https (and to 127.0.0.1)") {
  Client c;
  curl_easy_setopt(c.easy, CURLOPT_COOKIEFILE, "");
  c.get(cookie_url(server(), "www.cookie.test", "x", {"plain=1; Secure; Path=/"}));
  CHECK(c.list().empty());
  curl_easy_setopt(c.easy, CURLOPT_COOKIELIST,
                   "Set-Cookie: sec=1; Domain=www.cookie.test; Path=/; Secure");
  CHECK(c.get(cookie_url(server(), "www.cookie.test", "x")) == "no cookie\n");
  // libcurl counts 127.0.0.1 as a secure context even without TLS.
  c.get(cookie_url(server(), kLocal, "x", {"local=1; Secure; Path=/"}));
  CHECK(c.get(cookie_url(server(), kLocal, "x")) == "Cookie: local=1\n");

  TestServer &tls = good_server();
  Client s(tls);
  curl_easy_setopt(s.easy, CURLOPT_COOKIELIST,
                   "Set-Cookie: sec=1; Domain=www.cookie.test; Path=/; Secure");
  CHECK(s.get(cookie_url(tls, "www.cookie.test", "x", {"viatls=2; Secure; Path=/"})) ==
        "Cookie: sec=1\n");
  CHECK(s.get(cookie_url(tls, "www.cookie.test", "x")) == "Cookie: viatls=2; sec=1\n");
}

TEST_CASE("COOKIEFILE: Netscape and Set-Cookie files, read again at each transfer") {
  std::string ns = temp_file("ns.txt",
                             "# Netscape HTTP Cookie File\n"
                             "127.0.0.1\tFALSE\t/\tFALSE\t0\tsess\t1\n"
                             "127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tperm\t2\n"
                             "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tho\t3\n"
                             "127.0.0.1\tFALSE\t/\tFALSE\t1000\told\t4\n"
                             "bad line\n");
  std::string hdr = temp_file("hdr.txt", "Set-Cookie: hdr=5; Path=/; Domain=127.0.0.1\n");
  SUBCASE("both files") {
    Client c;
    curl_easy_setopt(c.easy, CURLOPT_COOKIEFILE, ns.c_str());
    curl_easy_setopt(c.easy, CURLOPT_COOKIEFILE, hdr.c_str());
    CHECK(c.list().empty());  // nothing is read before a transfer starts
    CHECK(c.get(cookie_url(server(), kLocal, "x")) == "Cookie: perm=2; sess=1; hdr=5; ho=3\n");
    // Cleared cookies come back from the files at the next transfer, as in libcurl.
    curl_easy_setopt(c.easy, CURLOPT_COOKIELIST, "ALL");
    CHECK(c.list().empty());
    temp_file("hdr.txt", "Set-Cookie: hdr=changed; Path=/; Domain=127.0.0.1\n");
    CHECK(c.get(cookie_url(server(), kLocal, "x")) ==
          "Cookie: perm=2; sess=1; hdr=changed; ho=3\n");
    // NULL forgets the files and the cookies and turns the engine off.
    curl_easy_setopt(c.easy, CURLOPT_COOKIEFILE, nullptr);
    CHECK(c.get(cookie_url(server(), kLocal, "x", {"z=1"})) == "no cookie\n");
    CHECK(c.get(cookie_url(server(), kLocal, "x")) == "no cookie\n");
  }
  SUBCASE("COOKIESESSION leaves the files' session cookies out") {
    Client c;
    curl_easy_setopt(c.easy, CURLOPT_COOKIEFILE, ns.c_str());
    curl_easy_setopt(c.easy, CURLOPT_COOKIESESSION, 1L);
    CHECK(c.get(cookie_url(server(), kLocal, "x")) == "Cookie: perm=2; ho=3\n");
  }
  SUBCASE("a missing file still turns the engine on") {
    Client c;
    curl_easy_setopt(c.easy, CURLOPT_COOKIEFILE, (scratch_dir() + "/absent.txt").c_str());
    c.get(cookie_url(server(), kLocal, "x", {"a=1; Path=/"}));
    CHECK(c.get(cookie_url(server(), kLocal, "x")) == "Cookie: a=1\n");
  }
}

TEST_CASE("COOKIEJAR is written at cleanup and on FLUSH, in libcurl's format") {
  std::string jar = scratch_dir() + "/jar.txt";
  std::remove(jar.c_str());
  Client c;
  curl_easy_setopt(c.easy, CURLOPT_COOKIEJAR, jar.c_str());  // turns the engine on by itself
  c.get(
      cookie_url(server(), kLocal, "dir/x", {"a=1", "b=2; Path=/; Max-Age=1000", "h=3; HttpOnly"}));
  c.get(cookie_url(server(), "www.cookie.test", "x", {"d=4; Domain=cookie.test; Path=/"}));
  CHECK(read_file(jar).empty());
  curl_easy_setopt(c.easy, CURLOPT_COOKIELIST, "FLUSH");
  std::string flushed = read_file(jar);
  CHECK(
      flushed.starts_with("# Netscape HTTP Cookie File\n"
                          "# https://curl.se/docs/http-cookies.html\n"
                          "# This file was generated by libcurl! Edit at your own risk.\n\n"));
  curl_easy_setopt(c.easy, CURLOPT_COOKIELIST, "SESS");
  c.cleanup();
  std::string text = read_file(jar);
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  REQUIRE(lines.size() == 5);
  CHECK(lines[3] == "");
  CHECK(lines[4].starts_with("127.0.0.1\tFALSE\t/\tFALSE\t"));
  CHECK(lines[4].ends_with("\tb\t2"));
  // Newest first; the session cookies were there before SESS.
  CHECK(contains(flushed,
                 ".cookie.test\tTRUE\t/\tFALSE\t0\td\t4\n#HttpOnly_127.0.0.1\tFALSE\t"
                 "/cookie/dir/\tFALSE\t0\th\t3\n"));
}

TEST_CASE("COOKIELIST adds Set-Cookie and Netscape lines; SESS, ALL and RELOAD") {
  std::string file = temp_file("reload.txt", "127.0.0.1\tFALSE\t/\tFALSE\t0\tfromfile\t1\n");
  Client c;
  CHECK(curl_easy_setopt(c.easy, CURLOPT_COOKIELIST, "Set-Cookie: a=1; Domain=127.0.0.1") ==
        CURLE_OK);
  CHECK(curl_easy_setopt(c.easy, CURLOPT_COOKIELIST,
                         "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tlong\t2") == CURLE_OK);
  CHECK(c.list() ==
        std::vector<std::string>{"127.0.0.1\tFALSE\t/\tFALSE\t0\ta\t1",
                                 "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tlong\t2"});
  CHECK(c.get(cookie_url(server(), kLocal, "x")) == "Cookie: long=2; a=1\n");
  curl_easy_setopt(c.easy, CURLOPT_COOKIELIST, "SESS");
  CHECK(c.get(cookie_url(server(), kLocal, "x")) == "Cookie: long=2\n");
  curl_easy_setopt(c.easy, CURLOPT_COOKIELIST, "all");
  CHECK(c.list().empty());
  curl_easy_setopt(c.easy, CURLOPT_COOKIEFILE, file.c_str());
  curl_easy_setopt(c.easy, CURLOPT_COOKIELIST, "RELOAD");
  CHECK(c.list() == std::vector<std::string>{"127.0.0.1\tFALSE\t/\tFALSE\t0\tfromfile\t1"});
  CHECK(curl_easy_setopt(c.easy, CURLOPT_COOKIELIST, nullptr) == CURLE_OK);
}

TEST_CASE("curl_easy_reset keeps the cookies, not the files; duphandle: the files, no cookies") {
  std::string file = temp_file("dup.txt", "127.0.0.1\tFALSE\t/\tFALSE\t0\tf\t1\n");
  Client c;
  curl_easy_setopt(c.easy, CURLOPT_COOKIEFILE, file.c_str());
  CURL *early = curl_easy_duphandle(c.easy);
  std::string early_body;
  curl_easy_setopt(early, CURLOPT_WRITEDATA, &early_body);
  curl_easy_setopt(early, CURLOPT_URL, cookie_url(server(), kLocal, "x").c_str());
  CHECK(curl_easy_perform(early) == CURLE_OK);
  CHECK(early_body == "Cookie: f=1\n");  // the copy reads the same files
  curl_easy_cleanup(early);
  c.get(cookie_url(server(), kLocal, "x", {"a=1; Path=/"}));
  curl_easy_reset(c.easy);
  curl_easy_setopt(c.easy, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(c.easy, CURLOPT_WRITEDATA, &c.body);
  CHECK(c.get(cookie_url(server(), kLocal, "x")) == "Cookie: a=1; f=1\n");
  // The file is not read again after the reset.
  curl_easy_setopt(c.easy, CURLOPT_COOKIELIST, "ALL");
  CHECK(c.get(cookie_url(server(), kLocal, "x")) == "no cookie\n");
  c.get(cookie_url(server(), kLocal, "x", {"a=1; Path=/"}));
  CURL *dup = curl_easy_duphandle(c.easy);
  REQUIRE(dup);
  curl_slist *l = reinterpret_cast<curl_slist *>(1);
  CHECK(curl_easy_getinfo(dup, CURLINFO_COOKIELIST, &l) == CURLE_OK);
  CHECK(l == nullptr);
  // The copy's engine is on: it keeps what its own responses set.
  std::string body;
  curl_easy_setopt(dup, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(dup, CURLOPT_URL, cookie_url(server(), kLocal, "x", {"d=1; Path=/"}).c_str());
  CHECK(curl_easy_perform(dup) == CURLE_OK);
  CHECK(body == "no cookie\n");
  body.clear();
  curl_easy_setopt(dup, CURLOPT_URL, cookie_url(server(), kLocal, "x").c_str());
  CHECK(curl_easy_perform(dup) == CURLE_OK);
  CHECK(body == "Cookie: d=1\n");
  curl_easy_cleanup(dup);
}

TEST_CASE("the engine works the same for handles driven by a multi") {
  Client c;
  curl_easy_setopt(c.easy, CURLOPT_COOKIEFILE, "");
  evm::test::Multi m;
  curl_easy_setopt(c.easy, CURLOPT_URL, cookie_url(server(), kLocal, "x", {"m=1; Path=/"}).c_str());
  CHECK(run_in(m.m, c.easy) == CURLE_OK);
  c.body.clear();
  curl_easy_setopt(c.easy, CURLOPT_URL, cookie_url(server(), kLocal, "x").c_str());
  CHECK(run_in(m.m, c.easy) == CURLE_OK);
  CHECK(c.body == "Cookie: m=1\n");
}

TEST_CASE("VERBOSE tells which cookies were added and replaced, in libcurl's words") {
  Client c;
  curl_easy_setopt(c.easy, CURLOPT_COOKIEFILE, "");
  curl_easy_setopt(c.easy, CURLOPT_VERBOSE, 1L);
  FdCapture capture(STDERR_FILENO);
  c.get(cookie_url(server(), kLocal, "x", {"a=1", "a=2", "bad; Path=/"}));
  std::string text = capture.finish();
  CHECK(contains(text, "* Added cookie a=\"1\" for domain 127.0.0.1, path /cookie/, expire 0"));
  CHECK(contains(text, "* Replaced cookie a=\"2\" for domain 127.0.0.1, path /cookie/, expire 0"));
  CHECK_FALSE(contains(text, "cookie bad"));
}

TEST_CASE("a custom Host header names the host cookies are matched and stored for") {
  Client c;
  curl_slist *h = curl_slist_append(nullptr, "Host: www.cookie.test");
  curl_easy_setopt(c.easy, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c.easy, CURLOPT_COOKIELIST, "Set-Cookie: w=1; Domain=www.cookie.test");
  CHECK(c.get(cookie_url(server(), kLocal, "x", {"fromhost=1; Path=/"})) == "Cookie: w=1\n");
  CHECK(c.list().back() == "www.cookie.test\tFALSE\t/\tFALSE\t0\tfromhost\t1");
  curl_easy_setopt(c.easy, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(h);
}

TEST_CASE("COOKIEJAR: an existing jar keeps its mode; a FIFO is written in place") {
  std::string jar = temp_file("mode.txt", "old\n");
  REQUIRE(chmod(jar.c_str(), 0640) == 0);
  {
    Client c;
    curl_easy_setopt(c.easy, CURLOPT_COOKIEJAR, jar.c_str());
    c.get(cookie_url(server(), kLocal, "x", {"a=1; Path=/"}));
  }
  struct stat st {};
  REQUIRE(stat(jar.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  CHECK(contains(read_file(jar), "127.0.0.1\tFALSE\t/\tFALSE\t0\ta\t1\n"));
  // A FIFO stands for any file that is not a regular one: renaming over it would replace it.
  std::string fifo = scratch_dir() + "/jar.fifo";
  std::remove(fifo.c_str());
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  {
    Client c;
    curl_easy_setopt(c.easy, CURLOPT_COOKIEJAR, fifo.c_str());
    c.get(cookie_url(server(), kLocal, "x", {"a=1; Path=/"}));
  }
  char buf[4096];
  ssize_t n = read(reader, buf, sizeof buf);
  close(reader);
  REQUIRE(n > 0);
  CHECK(contains(std::string_view(buf, static_cast<size_t>(n)), "\ta\t1\n"));
  REQUIRE(stat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
}
