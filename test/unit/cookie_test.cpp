// The cookie engine without sockets: Set-Cookie parsing, matching, ordering, expiry, limits and
// the Netscape file format, each as libcurl 7.88 was seen to behave.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "cookie/cookie_jar.h"
#include "cookie/cookie_parse.h"
#include "cookie/netscape_format.h"

using namespace evm::cookie;

namespace {

constexpr int64_t kNow = 1700000000;

SetCookieContext from_server(std::string_view host, std::string_view path, bool secure = false) {
  SetCookieContext c;
  c.host = host;
  c.path = path;
  c.secure = secure;
  c.now = kNow;
  return c;
}

AddContext live(bool secure = false) {
  AddContext a;
  a.secure = secure;
  a.now = kNow;
  return a;
}

// A jar fed by one response from http://host/path.
struct Jar {
  CookieJar jar;
  std::string host, path;
  Jar(std::string h, std::string p) : host(std::move(h)), path(std::move(p)) {}
  bool set(std::string_view line, bool secure = false) {
    return jar.add_set_cookie(line, from_server(host, path, secure), live(secure));
  }
  std::string send(std::string_view h, std::string_view p, bool secure = false) {
    return jar.header_for(h, p, secure, kNow);
  }
};

}  // namespace

TEST_CASE("Set-Cookie: name=value first, attributes after, whitespace trimmed") {
  auto c =
      parse_set_cookie("  a = 1 ; Path=/x ; HttpOnly; Secure", from_server("h.test", "/", true));
  REQUIRE(c);
  CHECK(c->name == "a");
  CHECK(c->value == "1");
  CHECK(c->path == "/x");
  CHECK(c->spath == "/x");
  CHECK(c->httponly);
  CHECK(c->secure);
  CHECK(c->domain == "h.test");
  CHECK_FALSE(c->tailmatch);
  CHECK(c->expires == 0);
  // An empty value is a cookie; a word without '=' or an empty name is not.
  CHECK(parse_set_cookie("t10=; Path=/", from_server("h.test", "/")));
  CHECK_FALSE(parse_set_cookie("t11", from_server("h.test", "/")));
  CHECK_FALSE(parse_set_cookie("=v", from_server("h.test", "/")));
  CHECK_FALSE(parse_set_cookie("a=b\tc", from_server("h.test", "/")));
  CHECK_FALSE(parse_set_cookie(std::string("a=b\x01", 4), from_server("h.test", "/")));
  // "Secure=yes" is not the Secure attribute.
  auto odd = parse_set_cookie("a=1; Secure=yes", from_server("h.test", "/"));
  REQUIRE(odd);
  CHECK_FALSE(odd->secure);
}

TEST_CASE("the default path is the request path up to its last slash, query left out") {
  auto c = parse_set_cookie("a=1", from_server("h.test", "/dir/sub/page?x=/y/z"));
  REQUIRE(c);
  CHECK(c->path == "/dir/sub/");
  CHECK(c->spath == "/dir/sub");
  auto root = parse_set_cookie("a=1", from_server("h.test", "/page"));
  REQUIRE(root);
  CHECK(root->path == "/");
  CHECK(sanitize_path("\"/q/\"") == "/q");
  CHECK(sanitize_path("rel") == "/");
}

TEST_CASE("path matching is by prefix at a slash boundary and case-sensitive") {
  CHECK(path_match("/dir/sub", "/dir/sub"));
  CHECK(path_match("/dir/sub", "/dir/sub/other"));
  CHECK(path_match("/dir/sub", "/dir/sub?q"));
  CHECK_FALSE(path_match("/dir/sub", "/dir/subx"));
  CHECK_FALSE(path_match("/dir/sub", "/DIR/sub/"));
  CHECK_FALSE(path_match("/dir", "/"));
  CHECK(path_match("", "/anything"));
}

TEST_CASE("Domain: the host must be inside it, and it must have an inner dot") {
  auto from_www = from_server("www.cookie.test", "/");
  auto t1 = parse_set_cookie("t1=1; Domain=cookie.test", from_www);
  REQUIRE(t1);
  CHECK(t1->domain == "cookie.test");
  CHECK(t1->tailmatch);
  auto t2 = parse_set_cookie("t2=2; Domain=.www.cookie.test", from_www);
  REQUIRE(t2);
  CHECK(t2->domain == "www.cookie.test");
  CHECK_FALSE(parse_set_cookie("t3=3; Domain=other.test", from_www));
  CHECK_FALSE(parse_set_cookie("t4=4; Domain=test", from_www));
  CHECK_FALSE(parse_set_cookie("t5=5; Domain=ww.cookie.test", from_www));
  CHECK_FALSE(parse_set_cookie("x=1; Domain=com.", from_server("com.", "/")));
  // A numeric host may only name itself, and that is not a domain cookie.
  auto ip = parse_set_cookie("c=3; Domain=127.0.0.1", from_server("127.0.0.1", "/"));
  REQUIRE(ip);
  CHECK_FALSE(ip->tailmatch);
  CHECK_FALSE(parse_set_cookie("c=3; Domain=0.0.1", from_server("127.0.0.1", "/")));
  CHECK(domain_tailmatch("cookie.test", "www.COOKIE.test"));
  CHECK_FALSE(domain_tailmatch("cookie.test", "xcookie.test"));
}

TEST_CASE("Secure cannot be set from an insecure context; the name prefixes have rules") {
  CHECK_FALSE(parse_set_cookie("t5=5; Secure", from_server("www.cookie.test", "/")));
  CHECK(parse_set_cookie("t5=5; Secure", from_server("www.cookie.test", "/", true)));
  auto https = from_server("www.cookie.test", "/", true);
  CHECK_FALSE(parse_set_cookie("__Secure-a=1", https));
  CHECK(parse_set_cookie("__Secure-a=1; Secure", https));
  CHECK_FALSE(parse_set_cookie("__Host-b=1; Path=/", from_server("www.cookie.test", "/")));
  CHECK(parse_set_cookie("__Host-b=1; Path=/; Secure", https));
  CHECK_FALSE(parse_set_cookie("__Host-b=1; Path=/x; Secure", https));
  CHECK_FALSE(parse_set_cookie("__Host-b=1; Path=/; Secure; Domain=cookie.test", https));
}

TEST_CASE("Max-Age wins over Expires; bad or non-positive Max-Age expires the cookie") {
  auto ctx = from_server("h.test", "/");
  auto d = parse_set_cookie("d=4; Max-Age=100; Expires=Wed, 09 Jun 2021 10:18:14 GMT", ctx);
  REQUIRE(d);
  CHECK(d->expires == kNow + 100);
  auto e = parse_set_cookie("e=5; Expires=Wed, 09 Jun 2021 10:18:14 GMT", ctx);
  REQUIRE(e);
  CHECK(e->expires == 1623233894);
  CHECK(parse_set_cookie("a=1; Max-Age=0", ctx)->expires == 1);
  CHECK(parse_set_cookie("a=1; Max-Age=-1", ctx)->expires == 1);
  CHECK(parse_set_cookie("a=1; Max-Age=abc", ctx)->expires == 1);
  CHECK(parse_set_cookie("a=1; Expires=not a date", ctx)->expires == 0);
}

TEST_CASE("oversized names and values are dropped as libcurl drops them") {
  auto ctx = from_server("h.test", "/");
  CHECK(parse_set_cookie("n=" + std::string(4094, 'v'), ctx));
  CHECK_FALSE(parse_set_cookie("n=" + std::string(4095, 'v'), ctx));
  CHECK_FALSE(parse_set_cookie(std::string(4095, 'n') + "=v", ctx));
  CHECK(parse_set_cookie(std::string(2001, 'n') + "=" + std::string(2095, 'v'), ctx));
  CHECK_FALSE(parse_set_cookie(std::string(2001, 'n') + "=" + std::string(2096, 'v'), ctx));
}

TEST_CASE("Cookie header order: longest path, longest domain, longest name, newest first") {
  Jar j("127.0.0.1", "/dir/sub/page");
  for (const char *line : {"a=1", "b=2; Path=/dir", "c=3; Domain=127.0.0.1", "d=4; Max-Age=100",
                           "e=5; Expires=Wed, 09 Jun 2021 10:18:14 GMT", "s=6; Secure",
                           "h=7; HttpOnly", "x=8; Path=/dir/sub/", "y=9; Path=/dir/sub"})
    j.set(line, true);  // 127.0.0.1 is a secure context for libcurl
  CHECK(j.send("127.0.0.1", "/dir/sub/other", true) == "x=8; h=7; s=6; d=4; c=3; a=1; y=9; b=2");
  CHECK(j.send("127.0.0.1", "/dir/subx") == "b=2");
  CHECK(j.send("127.0.0.1", "/dirx") == "");
  CHECK(j.send("127.0.0.2", "/dir/sub/") == "");
}

TEST_CASE("host-only and domain cookies, and Secure ones only over a secure request") {
  Jar j("www.cookie.test", "/");
  CHECK(j.set("t1=1; Domain=cookie.test"));
  CHECK(j.set("t6=6"));
  CHECK(j.set("sec=1; Domain=cookie.test; Secure", true));
  CHECK(j.send("www.cookie.test", "/") == "t6=6; t1=1");
  CHECK(j.send("a.b.cookie.test", "/") == "t1=1");
  CHECK(j.send("cookie.test", "/", true) == "sec=1; t1=1");
  CHECK(j.send("other.test", "/", true) == "");
}

TEST_CASE("a cookie replaces the one of the same name, domain and path, keeping its place") {
  Jar j("h.test", "/");
  j.set("a=1");
  j.set("bb=2");
  j.set("a=3");
  CHECK(j.jar.size() == 2);
  CHECK(j.send("h.test", "/") == "bb=2; a=3");
  j.set("a=4; Path=/p");
  CHECK(j.jar.size() == 3);
  // A server's deletion: an expired replacement removes it.
  j.set("a=x; Max-Age=0");
  CHECK(j.send("h.test", "/") == "bb=2");
}

TEST_CASE("an insecure cookie may not overlay a secure one of the same name") {
  Jar j("h.test", "/login/page");
  CHECK(j.set("a=1; Path=/login; Secure", true));
  CHECK_FALSE(j.set("a=2; Path=/login/en"));
  // libcurl 7.88 compares by the first path segment's bytes: "/loginhelper" is refused too.
  CHECK_FALSE(j.set("a=2; Path=/loginhelper"));
  CHECK(j.set("a=4; Path=/other"));
  CHECK(j.set("a=5; Path=/login/en", true));
}

TEST_CASE("a file's cookie does not replace a server's; COOKIESESSION skips session cookies") {
  CookieJar jar;
  jar.add_set_cookie("a=live", from_server("h.test", "/"), live());
  AddContext file;
  file.live = false;
  file.now = kNow;
  jar.add_file_text("h.test\tFALSE\t/\tFALSE\t0\ta\tfile\nh.test\tFALSE\t/\tFALSE\t0\tb\t2\n",
                    file);
  CHECK(jar.header_for("h.test", "/", false, kNow) == "b=2; a=live");
  CookieJar fresh;
  file.drop_session = true;
  fresh.add_file_text(
      "h.test\tFALSE\t/\tFALSE\t0\tsess\t1\nh.test\tFALSE\t/\tFALSE\t4102444800\tperm\t2\n", file);
  CHECK(fresh.header_for("h.test", "/", false, kNow) == "perm=2");
}

TEST_CASE("at most 150 cookies and 8190 bytes go into one Cookie header") {
  CookieJar jar;
  for (int i = 0; i < 200; ++i)
    jar.add_set_cookie("n" + std::to_string(i) + "=v; Domain=h.test", from_server("", ""),
                       live(true));
  std::string header = jar.header_for("h.test", "/", false, kNow);
  CHECK(std::count(header.begin(), header.end(), '=') == 150);
  CookieJar big;
  for (int i = 0; i < 5; ++i)
    big.add_set_cookie("big" + std::to_string(i) + "=" + std::string(3000, 'x'),
                       from_server("h.test", "/"), live());
  bool capped = false;
  header = big.header_for("h.test", "/", false, kNow, &capped);
  CHECK(std::count(header.begin(), header.end(), '=') == 2);
  CHECK(capped);
}

TEST_CASE("Netscape lines: read, the old form without a path, #HttpOnly_, written back") {
  auto c = parse_netscape_line("#HttpOnly_.cookie.test\tTRUE\t/p\tTRUE\t4102444800\tL3\t3");
  REQUIRE(c);
  CHECK(c->httponly);
  CHECK(c->domain == "cookie.test");
  CHECK(c->tailmatch);
  CHECK(c->secure);
  CHECK(c->expires == 4102444800);
  CHECK(format_netscape_line(*c) == "#HttpOnly_.cookie.test\tTRUE\t/p\tTRUE\t4102444800\tL3\t3");
  auto noval = parse_netscape_line("127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tnoval");
  REQUIRE(noval);
  CHECK(noval->value == "");
  CHECK(format_netscape_line(*noval) == "127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tnoval\t");
  auto old = parse_netscape_line("h.test\tFALSE\tFALSE\t0\tn\tv");
  REQUIRE(old);
  CHECK(old->path == "/");
  CHECK_FALSE(parse_netscape_line("# Netscape HTTP Cookie File"));
  CHECK_FALSE(parse_netscape_line("bad line here"));
  CHECK_FALSE(parse_netscape_line("h.test\tFALSE\t/\tFALSE\tsoon\tn\tv"));
  CHECK_FALSE(parse_netscape_line(""));
}

TEST_CASE("the jar file: libcurl's header, newest first, expired and domainless left out") {
  CookieJar jar;
  jar.add_set_cookie("a=1", from_server("h.test", "/"), live());
  jar.add_set_cookie("b=2; Domain=h.test; Max-Age=10", from_server("h.test", "/"), live());
  jar.add_set_cookie("c=3", from_server("", ""), live());  // no domain at all
  jar.add_set_cookie("e=5; Max-Age=1", from_server("h.test", "/"), live());
  std::string text = jar.file_text(kNow + 5);
  CHECK(text == std::string(kJarFileHeader) + ".h.test\tTRUE\t/\tFALSE\t" +
                    std::to_string(kNow + 10) + "\tb\t2\nh.test\tFALSE\t/\tFALSE\t0\ta\t1\n");
  CHECK(std::string(kJarFileHeader).starts_with("# Netscape HTTP Cookie File\n"));
  // The domainless cookie is kept and goes to numeric hosts only.
  CHECK(jar.header_for("10.0.0.1", "/", false, kNow) == "c=3");
  CHECK(jar.netscape_lines().size() == 2);
  jar.clear_session();
  CHECK(jar.netscape_lines().size() == 1);
}

TEST_CASE("a file of Set-Cookie lines and Netscape lines, expired ones swept") {
  CookieJar jar;
  AddContext file;
  file.live = false;
  file.now = kNow;
  jar.add_file_text(
      "# Netscape HTTP Cookie File\n"
      "127.0.0.1\tFALSE\t/\tFALSE\t1000\told\t4\n"
      "  \n"
      "Set-Cookie: hdr=5; Path=/; Domain=127.0.0.1\r\n"
      "set-cookie:hdr2=6\n"
      "127.0.0.1\tFALSE\t/\tTRUE\t0\tsec\t7\n",
      file);
  CHECK(jar.header_for("127.0.0.1", "/", true, kNow) == "sec=7; hdr=5; hdr2=6");
}
