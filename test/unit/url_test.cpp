// Expected values were observed with libcurl 7.88.1 (curl_url_set with CURLU_GUESS_SCHEME and
// curl_easy_perform against a loopback listener).
#include <doctest/doctest.h>

#include "http/url.h"

using evm::http::parse_url;
using evm::http::Url;
using evm::http::UrlError;

namespace {

Url parse_ok(std::string_view text) {
  Url u;
  auto r = parse_url(text, u);
  INFO("url: ", std::string(text), " message: ", r.message);
  CHECK(r.ok());
  CHECK(r.message.empty());
  return u;
}

UrlError parse_code(std::string_view text) {
  Url u;
  auto r = parse_url(text, u);
  if (!r.ok()) CHECK(!r.message.empty());
  return r.code;
}

}  // namespace

TEST_CASE("plain http URL") {
  Url u = parse_ok("http://127.0.0.1:8080/");
  CHECK(u.scheme == "http");
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == 8080);
  CHECK(u.port_explicit);
  CHECK_FALSE(u.ipv6_literal);
  CHECK_FALSE(u.has_userinfo);
  CHECK(u.target == "/");
  CHECK(u.host_header() == "127.0.0.1:8080");
  CHECK(u.origin_key() == "http://127.0.0.1:8080");
  CHECK(u.to_string() == "http://127.0.0.1:8080/");
}

TEST_CASE("default ports and empty path") {
  Url u = parse_ok("http://example.com");
  CHECK(u.port == 80);
  CHECK_FALSE(u.port_explicit);
  CHECK(u.target == "/");
  CHECK(u.to_string() == "http://example.com/");
  CHECK(u.host_header() == "example.com");

  Url s = parse_ok("https://example.com/x");
  CHECK(s.port == 443);
  CHECK(s.host_header() == "example.com");
  CHECK(s.origin_key() == "https://example.com:443");
}

TEST_CASE("explicit default port stays in the URL but not in Host") {
  Url u = parse_ok("http://h:080");
  CHECK(u.port == 80);
  CHECK(u.port_explicit);
  CHECK(u.to_string() == "http://h:80/");
  CHECK(u.host_header() == "h");

  Url s = parse_ok("https://h:443/");
  CHECK(s.to_string() == "https://h:443/");
  CHECK(s.host_header() == "h");

  // The other scheme's default is not a default here.
  CHECK(parse_ok("http://h:443").host_header() == "h:443");
  CHECK(parse_ok("HTTPS://h:80/").host_header() == "h:80");
}

TEST_CASE("port edge values") {
  CHECK(parse_ok("http://h:65535").port == 65535);
  Url zero = parse_ok("http://h:0");
  CHECK(zero.port == 0);
  CHECK(zero.port_explicit);
  CHECK(parse_ok("http://h:00000000080").to_string() == "http://h:80/");
  CHECK(parse_ok("http://h:8080?x").to_string() == "http://h:8080/?x");
}

TEST_CASE("empty port means no port") {
  Url u = parse_ok("http://host:/path");
  CHECK(u.port == 80);
  CHECK_FALSE(u.port_explicit);
  CHECK(u.target == "/path");
  CHECK(u.to_string() == "http://host/path");

  Url v = parse_ok("http://[::1]:/");
  CHECK(v.port == 80);
  CHECK_FALSE(v.port_explicit);
  CHECK(v.to_string() == "http://[::1]/");

  CHECK(parse_ok("http://h:").to_string() == "http://h/");
  CHECK(parse_ok("http://h:?x").to_string() == "http://h/?x");
  CHECK(parse_ok("http://h:#x").to_string() == "http://h/#x");
  // Without a scheme an empty port is an error.
  CHECK(parse_code("localhost:") == UrlError::kMalformed);
  CHECK(parse_code("localhost:?x") == UrlError::kMalformed);
  CHECK(parse_code("[::1]:/x") == UrlError::kMalformed);
}

TEST_CASE("trailing dot host is kept everywhere") {
  Url u = parse_ok("http://h.:8080/");
  CHECK(u.host == "h.");
  CHECK(u.host_header() == "h.:8080");
  CHECK(u.to_string() == "http://h.:8080/");
  CHECK(parse_ok("http://example.com./").host == "example.com.");
}

TEST_CASE("scheme is case-insensitive, host case is kept") {
  Url u = parse_ok("HTTP://Host.Example/");
  CHECK(u.scheme == "http");
  CHECK(u.host == "Host.Example");
  CHECK(u.host_header() == "Host.Example");
  CHECK(u.to_string() == "http://Host.Example/");
  CHECK(u.origin_key() == "http://host.example:80");
  CHECK(parse_ok("hTTps://h").scheme == "https");
}

TEST_CASE("missing scheme is guessed") {
  Url u = parse_ok("localhost:8080/x");
  CHECK(u.scheme == "http");
  CHECK(u.host == "localhost");
  CHECK(u.port == 8080);
  CHECK(u.to_string() == "http://localhost:8080/x");
  CHECK(parse_ok("localhost").to_string() == "http://localhost/");
  CHECK(parse_ok("www.example.com").to_string() == "http://www.example.com/");
  CHECK(parse_ok("[::1]:8080/x").to_string() == "http://[::1]:8080/x");
  Url c = parse_ok("u:p@h/x");
  CHECK(c.user == "u");
  CHECK(c.password == "p");
  // "http" without "://" is just a host name.
  CHECK(parse_ok("http//h").to_string() == "http://http//h");
}

TEST_CASE("guessed non-http schemes are unsupported") {
  Url u;
  auto r = parse_url("ftp.example.com/x", u);
  CHECK(r.code == UrlError::kUnsupportedScheme);
  CHECK(r.message == "Protocol \"ftp\" not supported or disabled in libcurl");
  CHECK(u.to_string() == "ftp://ftp.example.com/x");
  for (const char *s : {"FTP.example.com", "dict.x", "ldap.x", "imap.x", "smtp.x", "pop3.x"})
    CHECK(parse_code(s) == UrlError::kUnsupportedScheme);
  // "name:/" makes "name" a scheme.
  r = parse_url("localhost:/x", u);
  CHECK(r.code == UrlError::kUnsupportedScheme);
  CHECK(r.message == "Protocol \"localhost\" not supported or disabled in libcurl");
  CHECK(u.to_string() == "localhost://x/");
}

TEST_CASE("unsupported scheme") {
  Url u;
  auto r = parse_url("ftp://h/", u);
  CHECK(r.code == UrlError::kUnsupportedScheme);
  CHECK(r.message == "Protocol \"ftp\" not supported or disabled in libcurl");
  r = parse_url("GOPHER2://h/", u);
  CHECK(r.code == UrlError::kUnsupportedScheme);
  CHECK(r.message == "Protocol \"gopher2\" not supported or disabled in libcurl");
  CHECK(u.to_string() == "gopher2://h/");
  CHECK(parse_code("1http://h") == UrlError::kUnsupportedScheme);
  CHECK(parse_code("h-t+t.p://h/") == UrlError::kUnsupportedScheme);
  CHECK(parse_code("gopher2:/h") == UrlError::kUnsupportedScheme);
  // A malformed URL is malformed whatever its scheme.
  CHECK(parse_code("gopher2://") == UrlError::kMalformed);
  CHECK(parse_code("gopher2://h:x/") == UrlError::kMalformed);
}

TEST_CASE("scheme longer than 40 characters is not a scheme") {
  std::string s40(40, 'a');
  CHECK(parse_code(s40 + "://h") == UrlError::kUnsupportedScheme);
  CHECK(parse_code(s40 + "a://h") == UrlError::kMalformed);
}

TEST_CASE("slashes after the scheme") {
  CHECK(parse_ok("http:/h/").to_string() == "http://h/");
  CHECK(parse_ok("http:///h").to_string() == "http://h/");
  CHECK(parse_code("http:////h") == UrlError::kMalformed);
}

TEST_CASE("malformed URLs") {
  for (const char *s :
       {"", "http://", "http://h:99999", "http://h:65536", "http://h:x", "http://h:+80",
        "http://h:-1", "http://h:65535a", "http://h:8080:90/", "http://:80/", "//h/x", "/x", "h:x",
        "localhost:abc", "http:h", "http://u@/", "http://::1/"}) {
    INFO(s);
    CHECK(parse_code(s) == UrlError::kMalformed);
  }
}

TEST_CASE("whitespace and control characters are rejected") {
  for (const char *s : {"http://h/a b", "http://h /", " http://h/", "http://h/ ", "http://h/a\tb",
                        "http://h/\r\n", "http://h/x\n", "http://h\t/", "http://h/a\x01",
                        "http://h/\x7f", "http://h/?a b", "http://h/#a b"}) {
    INFO(s);
    CHECK(parse_code(s) == UrlError::kMalformed);
  }
}

TEST_CASE("bad IPv6 literals") {
  for (const char *s :
       {"http://[::1/", "http://[zz]/", "http://[]/", "http://[1::2::3]/", "http://[::1:]/",
        "http://[1.2.3.4]/", "http://[v1.x]/", "http://[::1]x/", "http://[::1]]/", "http://[::1%]/",
        "http://[fe80::1%25abcdefghijklmnop]/"}) {
    INFO(s);
    CHECK(parse_code(s) == UrlError::kMalformed);
  }
}

TEST_CASE("IPv6 literal") {
  Url u = parse_ok("http://[::1]:8080/a/./b/../c?q=a/../b#frag");
  CHECK(u.ipv6_literal);
  CHECK(u.host == "::1");
  CHECK(u.port == 8080);
  CHECK(u.target == "/a/c?q=a/../b");
  CHECK(u.fragment == "frag");
  CHECK(u.host_header() == "[::1]:8080");
  CHECK(u.origin_key() == "http://[::1]:8080");
  CHECK(u.to_string() == "http://[::1]:8080/a/c?q=a/../b#frag");
}

TEST_CASE("IPv6 is rewritten only when the canonical form is shorter") {
  CHECK(parse_ok("http://[0:0::1]/").host == "::1");
  Url up = parse_ok("http://[FE80::1]/");
  CHECK(up.host == "FE80::1");
  CHECK(up.origin_key() == "http://[fe80::1]:80");
  CHECK(parse_ok("http://[::FFFF:1.2.3.4]/").host_header() == "[::FFFF:1.2.3.4]");
}

TEST_CASE("IPv6 zone id") {
  Url u = parse_ok("http://[fe80::1%25eth0]/");
  CHECK(u.host == "fe80::1");
  CHECK(u.zone_id == "eth0");
  CHECK(u.host_header() == "[fe80::1]");
  CHECK(u.origin_key() == "http://[fe80::1%eth0]:80");
  CHECK(u.to_string() == "http://[fe80::1%25eth0]/");

  // An unencoded '%' is tolerated.
  Url raw = parse_ok("http://[fe80::1%eth0]/");
  CHECK(raw.zone_id == "eth0");
  CHECK(raw.to_string() == "http://[fe80::1%25eth0]/");

  CHECK(parse_ok("http://[::1%25]/").zone_id == "25");
  CHECK(parse_ok("http://[::1%25]/").to_string() == "http://[::1%2525]/");
  CHECK(parse_ok("http://[fe80::1%2]/").zone_id == "2");
  CHECK(parse_ok("http://[fe80::1%25abcdefghijklmno]/").zone_id == "abcdefghijklmno");
  CHECK(parse_ok("http://[::1%25a%5d]/").zone_id == "a%5d");
}

TEST_CASE("IPv4 shorthand is normalized") {
  CHECK(parse_ok("http://127.1/").host == "127.0.0.1");
  CHECK(parse_ok("http://0x7f.1/").host == "127.0.0.1");
  CHECK(parse_ok("http://0X7F.1/").host == "127.0.0.1");
  CHECK(parse_ok("http://017.0.0.1/").host == "15.0.0.1");
  CHECK(parse_ok("http://2130706433/").host == "127.0.0.1");
  CHECK(parse_ok("http://1.2.3/").host == "1.2.0.3");
  CHECK(parse_ok("http://1.0x10000/").host == "1.1.0.0");
  CHECK(parse_ok("http://1.2.65535/").host == "1.2.255.255");
  CHECK(parse_ok("http://0/").host == "0.0.0.0");
  CHECK(parse_ok("http://0xffffffff/").host == "255.255.255.255");
  CHECK(parse_ok("http://037777777777/").host == "255.255.255.255");
  CHECK(parse_ok("http://1.2.3.04/").host == "1.2.3.4");
  CHECK(parse_ok("http://00000000000000000000000000000001.2.3.4/").host == "1.2.3.4");
  CHECK(parse_ok("http://127.1:8080/x").host_header() == "127.0.0.1:8080");
  // Only the host as written counts, not its percent-decoded form.
  CHECK(parse_ok("http://0x7f%41/").host == "0x7fA");
  CHECK(parse_ok("http://1%2e65536/").host == "1.65536");
  // Not numbers, or out of range: left as host names.
  for (const char *h :
       {"1.2.3.4.5", "256.1.1.1", "1.2.3.4.", "0x", "4294967296", "08.1.1.1", "-1.2.3.4", "1..2",
        ".1.2.3", "1.2.3.0x", "0.0x1000000", "1.16777216", "1.2.65536", "99999999999999999999"}) {
    INFO(h);
    CHECK(parse_ok(std::string("http://") + h + "/").host == h);
  }
}

TEST_CASE("host characters") {
  for (const char *h : {"h_x", "h~x", "h|x", ".", "..", "h..x", ".h"}) {
    INFO(h);
    CHECK(parse_ok(std::string("http://") + h + "/").host == h);
  }
  for (const char *s :
       {"http://h!x/",  "http://h$x/",  "http://h'x/", "http://h*x/",  "http://h,x/", "http://h=x/",
        "http://h+x/",  "http://h&x/",  "http://h(x/", "http://h)x/",  "http://h;x/", "http://h{x/",
        "http://h}x/",  "http://h\"x/", "http://h<x/", "http://h>x/",  "http://h^x/", "http://h`x/",
        "http://h\\x/", "http://h[x/",  "http://h]x/", "http://u@v@h/"}) {
    INFO(s);
    CHECK(parse_code(s) == UrlError::kMalformed);
  }
}

TEST_CASE("host is percent-decoded") {
  Url u = parse_ok("http://h%41/");
  CHECK(u.host == "hA");
  CHECK(u.to_string() == "http://hA/");
  CHECK(parse_ok("http://h%7ex/").host == "h~x");
  // A '%' that is not an escape stays, and is re-encoded on output.
  Url bad = parse_ok("http://h%zz/");
  CHECK(bad.host == "h%zz");
  CHECK(bad.to_string() == "http://h%25zz/");
  CHECK(parse_ok("http://h%25x/").to_string() == "http://h%25x/");
  for (const char *s : {"http://h%20x/", "http://h%00x/", "http://h%2fx/", "http://h%3ax/",
                        "http://h%40x/", "http://h%23x/"}) {
    INFO(s);
    CHECK(parse_code(s) == UrlError::kMalformed);
  }
}

TEST_CASE("bytes above 0x7f: raw in the URL, escaped in the request target") {
  Url u = parse_ok("http://h/\x80\xff?a\x80");
  CHECK(u.path == "/\x80\xff");
  CHECK(u.target == "/%80%ff?a\x80");
  CHECK(u.to_string() == "http://h/\x80\xff?a\x80");
}

TEST_CASE("userinfo") {
  Url u = parse_ok("http://u%40x:p%3Aw@h/");
  CHECK(u.has_userinfo);
  CHECK(u.user == "u@x");
  CHECK(u.password == "p:w");
  CHECK(u.host == "h");
  CHECK(u.to_string() == "http://u%40x:p%3Aw@h/");
  CHECK(u.host_header() == "h");

  Url only_user = parse_ok("http://u@h/");
  CHECK(only_user.user == "u");
  CHECK(only_user.password.empty());

  Url empty = parse_ok("http://@h/");
  CHECK(empty.has_userinfo);
  CHECK(empty.user.empty());
  CHECK(empty.to_string() == "http://@h/");

  CHECK(parse_ok("http://:p@h/").password == "p");
  CHECK(parse_ok("http://u:@h/").to_string() == "http://u:@h/");
  CHECK(parse_ok("http://u:p:q@h/").password == "p:q");
  CHECK(parse_ok("http://u;o:p@h/").user == "u;o");
  CHECK(parse_ok("http://u:p%zz@h/").password == "p%zz");
  CHECK(parse_ok("http://u%0a:p@h/").user == "u\n");
  CHECK(parse_ok("http://u:p@[::1]:8080/").host_header() == "[::1]:8080");
  CHECK(parse_code("http://u%00:p@h/") == UrlError::kMalformed);
  CHECK_FALSE(parse_ok("http://h/a@b").has_userinfo);
}

TEST_CASE("dot segments are removed from the path only") {
  CHECK(parse_ok("http://h/a/./b/../c").target == "/a/c");
  CHECK(parse_ok("http://h/a/..").target == "/");
  CHECK(parse_ok("http://h/..").target == "/");
  CHECK(parse_ok("http://h/.").target == "/");
  CHECK(parse_ok("http://h/./").target == "/");
  CHECK(parse_ok("http://h/a/b/.").target == "/a/b/");
  CHECK(parse_ok("http://h/a/b/../../../c").target == "/c");
  CHECK(parse_ok("http://h/a//../b").target == "/a/b");
  CHECK(parse_ok("http://h/..//x").target == "//x");
  CHECK(parse_ok("http://h/a/./../b/./c/.").target == "/b/c/");
  CHECK(parse_ok("http://h/../../a/../../b/").target == "/b/");
  CHECK(parse_ok("http://h/a/b/c/./../../g").target == "/a/g");
  // Not dot segments.
  CHECK(parse_ok("http://h/a/b/...").target == "/a/b/...");
  CHECK(parse_ok("http://h/a/.b/..c").target == "/a/.b/..c");
  CHECK(parse_ok("http://h/%2e%2e/x").target == "/%2e%2e/x");
  CHECK(parse_ok("http://h//a").target == "//a");
  CHECK(parse_ok("http://h/a?b/../c").target == "/a?b/../c");
}

TEST_CASE("query and fragment") {
  Url q = parse_ok("http://h?x");
  CHECK(q.target == "/?x");
  CHECK(q.to_string() == "http://h/?x");

  Url f = parse_ok("http://h#f");
  CHECK(f.target == "/");
  CHECK(f.to_string() == "http://h/#f");

  // An empty query is still sent, but not shown; an empty fragment vanishes.
  Url eq = parse_ok("http://h/?");
  CHECK(eq.has_query);
  CHECK(eq.target == "/?");
  CHECK(eq.to_string() == "http://h/");
  CHECK(parse_ok("http://h/#").to_string() == "http://h/");
  CHECK(parse_ok("http://h/?#").target == "/?");

  Url qf = parse_ok("http://h/a?b#c?d");
  CHECK(qf.query == "b");
  CHECK(qf.fragment == "c?d");
  CHECK(qf.target == "/a?b");
  CHECK(parse_ok("http://h/#a?b").target == "/");
  CHECK(parse_ok("http://h/a\"<>{}|\\^`b").target == "/a\"<>{}|\\^`b");
}

TEST_CASE("parse_url resets its output") {
  Url u = parse_ok("http://u:p@[fe80::1%25eth0]:81/x?y#z");
  Url v = u;
  CHECK(parse_url("http://h", v).ok());
  CHECK_FALSE(v.has_userinfo);
  CHECK_FALSE(v.ipv6_literal);
  CHECK(v.zone_id.empty());
  CHECK_FALSE(v.has_query);
  CHECK(v.fragment.empty());
  CHECK(v.to_string() == "http://h/");
}
