// The URL API (curl_url_*): every expectation below is what libcurl 7.88.1 (Debian's
// libcurl4-openssl) answered for the same calls, observed with a probe program against it.
// Where that libcurl speaks a protocol we do not (imap's ";options" in the login), the rows
// use schemes we both treat the same way.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

namespace {

// RAII over one CURLU, with get/set answering plain values.
struct Url {
  CURLU *h = curl_url();
  Url() = default;
  explicit Url(const char *url, unsigned flags = 0) {
    rc = curl_url_set(h, CURLUPART_URL, url, flags);
  }
  Url(const Url &) = delete;
  Url &operator=(const Url &) = delete;
  ~Url() { curl_url_cleanup(h); }
  CURLUcode rc = CURLUE_OK;

  CURLUcode set(CURLUPart what, const char *value, unsigned flags = 0) {
    return curl_url_set(h, what, value, flags);
  }
  // The part's text, or "<code N>" when curl_url_get refuses it.
  std::string get(CURLUPart what, unsigned flags = 0) const {
    char *out = nullptr;
    CURLUcode code = curl_url_get(h, what, &out, flags);
    if (code != CURLUE_OK) {
      CHECK(out == nullptr);
      return "<code " + std::to_string(code) + ">";
    }
    std::string r = out;
    curl_free(out);
    return r;
  }
};

std::string code(CURLUcode c) {
  return "<code " + std::to_string(c) + ">";
}

struct ParseRow {
  const char *in;
  unsigned flags;
  CURLUcode rc;
  // nullptr: the part is absent (curl_url_get answers its CURLUE_NO_* code).
  const char *url = nullptr, *scheme = nullptr, *user = nullptr, *password = nullptr,
             *host = nullptr, *port = nullptr, *path = nullptr, *query = nullptr,
             *fragment = nullptr, *zoneid = nullptr;
};

constexpr ParseRow kParse[] = {
    {"HTTP://us%41er:pa:ss@EXAMPLE.com:080/a/./b/../c?q=1#frag", 0, CURLUE_OK,
     "http://us%41er:pa:ss@EXAMPLE.com:80/a/c?q=1#frag", "http", "us%41er", "pa:ss", "EXAMPLE.com",
     "80", "/a/c", "q=1", "frag", nullptr},
    {"example.com/x", 0, CURLUE_BAD_SCHEME},
    {"example.com/x", CURLU_GUESS_SCHEME, CURLUE_OK, "http://example.com/x", "http", nullptr,
     nullptr, "example.com", nullptr, "/x", nullptr, nullptr, nullptr},
    {"ftp.example.com/x", CURLU_GUESS_SCHEME, CURLUE_OK, "ftp://ftp.example.com/x", "ftp", nullptr,
     nullptr, "ftp.example.com", nullptr, "/x", nullptr, nullptr, nullptr},
    {"example.com", CURLU_DEFAULT_SCHEME, CURLUE_OK, "https://example.com/", "https", nullptr,
     nullptr, "example.com", nullptr, "/", nullptr, nullptr, nullptr},
    {"http://[fe80::1%25eth0]:81/", 0, CURLUE_OK, "http://[fe80::1%25eth0]:81/", "http", nullptr,
     nullptr, "[fe80::1]", "81", "/", nullptr, nullptr, "eth0"},
    {"http://h%41st/", 0, CURLUE_OK, "http://hAst/", "http", nullptr, nullptr, "hAst", nullptr, "/",
     nullptr, nullptr, nullptr},
    {"http://127.1/", 0, CURLUE_OK, "http://127.0.0.1/", "http", nullptr, nullptr, "127.0.0.1",
     nullptr, "/", nullptr, nullptr, nullptr},
    {"foo://x/y", 0, CURLUE_UNSUPPORTED_SCHEME},
    {"foo://x/y", CURLU_NON_SUPPORT_SCHEME, CURLUE_OK, "foo://x/y", "foo", nullptr, nullptr, "x",
     nullptr, "/y", nullptr, nullptr, nullptr},
    {"http://a b/", 0, CURLUE_BAD_HOSTNAME},
    {"http://a/b c", CURLU_ALLOW_SPACE, CURLUE_OK, "http://a/b c", "http", nullptr, nullptr, "a",
     nullptr, "/b c", nullptr, nullptr, nullptr},
    {"http://u;AUTH=x@h/", 0, CURLUE_OK, "http://u;AUTH=x@h/", "http", "u;AUTH=x", nullptr, "h",
     nullptr, "/", nullptr, nullptr, nullptr},
    {"http://a/b c", 0, CURLUE_BAD_PATH},
    {"http:/h/p", 0, CURLUE_OK, "http://h/p", "http", nullptr, nullptr, "h", nullptr, "/p", nullptr,
     nullptr, nullptr},
    {"http:h/p", 0, CURLUE_BAD_SLASHES},
    {"http:////h/p", 0, CURLUE_BAD_SLASHES},
    {"http:///p", 0, CURLUE_OK, "http://p/", "http", nullptr, nullptr, "p", nullptr, "/", nullptr,
     nullptr, nullptr},
    {"http://a@b@c/", 0, CURLUE_BAD_HOSTNAME},
    {"http://u:p@/", 0, CURLUE_NO_HOST},
    {"http://h:/x", 0, CURLUE_OK, "http://h/x", "http", nullptr, nullptr, "h", nullptr, "/x",
     nullptr, nullptr, nullptr},
    {"http://h:0/", 0, CURLUE_OK, "http://h:0/", "http", nullptr, nullptr, "h", "0", "/", nullptr,
     nullptr, nullptr},
    {"http://h:65536/", 0, CURLUE_BAD_PORT_NUMBER},
    {"http://h:8x/", 0, CURLUE_BAD_PORT_NUMBER},
    {"http://[::1/", 0, CURLUE_BAD_IPV6},
    {"http://[::1]x/", 0, CURLUE_BAD_PORT_NUMBER},
    {"http://[zz::1]/", 0, CURLUE_BAD_IPV6},
    {"http://h/%zz", 0, CURLUE_OK, "http://h/%zz", "http", nullptr, nullptr, "h", nullptr, "/%zz",
     nullptr, nullptr, nullptr},
    {"1x://h/", 0, CURLUE_UNSUPPORTED_SCHEME},
    {"1x://h/", CURLU_NON_SUPPORT_SCHEME, CURLUE_OK, "1x://h/", "1x", nullptr, nullptr, "h",
     nullptr, "/", nullptr, nullptr, nullptr},
    {"http://h#a#b", 0, CURLUE_OK, "http://h/#a#b", "http", nullptr, nullptr, "h", nullptr, "/",
     nullptr, "a#b", nullptr},
    {"http://h?a?b", 0, CURLUE_OK, "http://h/?a?b", "http", nullptr, nullptr, "h", nullptr, "/",
     "a?b", nullptr, nullptr},
    {"  http://h/", 0, CURLUE_BAD_SCHEME},
    {"http://h/ ", 0, CURLUE_BAD_PATH},
    {"h", 0, CURLUE_BAD_SCHEME},
    {"http://", 0, CURLUE_NO_HOST},
    {"HTTP://H/", 0, CURLUE_OK, "http://H/", "http", nullptr, nullptr, "H", nullptr, "/", nullptr,
     nullptr, nullptr},
    {"http://h/a/../../..", 0, CURLUE_OK, "http://h/", "http", nullptr, nullptr, "h", nullptr, "/",
     nullptr, nullptr, nullptr},
    {"mailto:x@y", 0, CURLUE_UNSUPPORTED_SCHEME},
    {"http://ex!a/", 0, CURLUE_BAD_HOSTNAME},
    {"http://[fe80::1%eth0]/", 0, CURLUE_OK, "http://[fe80::1%25eth0]/", "http", nullptr, nullptr,
     "[fe80::1]", nullptr, "/", nullptr, nullptr, "eth0"},
    {"http://[FE80:0000::1]/", 0, CURLUE_OK, "http://[fe80::1]/", "http", nullptr, nullptr,
     "[fe80::1]", nullptr, "/", nullptr, nullptr, nullptr},
    {"http://[::ffff:127.0.0.1]/", 0, CURLUE_OK, "http://[::ffff:127.0.0.1]/", "http", nullptr,
     nullptr, "[::ffff:127.0.0.1]", nullptr, "/", nullptr, nullptr, nullptr},
    {"http://0x7f.1/", 0, CURLUE_OK, "http://127.0.0.1/", "http", nullptr, nullptr, "127.0.0.1",
     nullptr, "/", nullptr, nullptr, nullptr},
    {"http://h/p%20q", 0, CURLUE_OK, "http://h/p%20q", "http", nullptr, nullptr, "h", nullptr,
     "/p%20q", nullptr, nullptr, nullptr},
    {"https://h:443/", 0, CURLUE_OK, "https://h:443/", "https", nullptr, nullptr, "h", "443", "/",
     nullptr, nullptr, nullptr},
    {"localhost:8080", 0, CURLUE_UNSUPPORTED_SCHEME},
    {"localhost:8080", CURLU_GUESS_SCHEME, CURLUE_OK, "http://localhost:8080/", "http", nullptr,
     nullptr, "localhost", "8080", "/", nullptr, nullptr, nullptr},
    {"localhost:8080", CURLU_DEFAULT_SCHEME, CURLUE_OK, "https://localhost:8080/", "https", nullptr,
     nullptr, "localhost", "8080", "/", nullptr, nullptr, nullptr},
    {"localhost:8080/p", CURLU_DEFAULT_SCHEME | CURLU_GUESS_SCHEME, CURLUE_OK,
     "https://localhost:8080/p", "https", nullptr, nullptr, "localhost", "8080", "/p", nullptr,
     nullptr, nullptr},
    {"http://h/?a b", 0, CURLUE_BAD_QUERY},
    {"http://h/#a b", 0, CURLUE_BAD_FRAGMENT},
    {"http://u s@h/", 0, CURLUE_BAD_USER},
    {"http://h/a b", CURLU_ALLOW_SPACE, CURLUE_OK, "http://h/a b", "http", nullptr, nullptr, "h",
     nullptr, "/a b", nullptr, nullptr, nullptr},
    {"http://h/?a b", CURLU_ALLOW_SPACE, CURLUE_OK, "http://h/?a b", "http", nullptr, nullptr, "h",
     nullptr, "/", "a b", nullptr, nullptr},
    {"http://a b/", CURLU_ALLOW_SPACE, CURLUE_BAD_HOSTNAME},
    {"http://h/#", 0, CURLUE_OK, "http://h/", "http", nullptr, nullptr, "h", nullptr, "/", nullptr,
     nullptr, nullptr},
    {"http://h?", 0, CURLUE_OK, "http://h/", "http", nullptr, nullptr, "h", nullptr, "/", "",
     nullptr, nullptr},
    {"http://h/p", CURLU_DISALLOW_USER, CURLUE_OK, "http://h/p", "http", nullptr, nullptr, "h",
     nullptr, "/p", nullptr, nullptr, nullptr},
    {"http://u@h/p", CURLU_DISALLOW_USER, CURLUE_USER_NOT_ALLOWED},
    {"foo:/x", CURLU_NON_SUPPORT_SCHEME, CURLUE_OK, "foo://x/", "foo", nullptr, nullptr, "x",
     nullptr, "/", nullptr, nullptr, nullptr},
    {"foo:/x", CURLU_NON_SUPPORT_SCHEME | CURLU_NO_AUTHORITY, CURLUE_OK, "foo://x/", "foo", nullptr,
     nullptr, "x", nullptr, "/", nullptr, nullptr, nullptr},
    {"foo:///x", CURLU_NON_SUPPORT_SCHEME | CURLU_NO_AUTHORITY, CURLUE_OK, "foo://x/", "foo",
     nullptr, nullptr, "x", nullptr, "/", nullptr, nullptr, nullptr},
    {"foo:///", CURLU_NON_SUPPORT_SCHEME | CURLU_NO_AUTHORITY, CURLUE_OK, "foo:///", "foo", nullptr,
     nullptr, "", nullptr, "/", nullptr, nullptr, nullptr},
    {"foo:///", CURLU_NON_SUPPORT_SCHEME, CURLUE_NO_HOST},
    {"foo://h/x", CURLU_NON_SUPPORT_SCHEME | CURLU_NO_AUTHORITY, CURLUE_OK, "foo://h/x", "foo",
     nullptr, nullptr, "h", nullptr, "/x", nullptr, nullptr, nullptr},
    {"http:///x", CURLU_NO_AUTHORITY, CURLUE_OK, "http://x/", "http", nullptr, nullptr, "x",
     nullptr, "/", nullptr, nullptr, nullptr},
    {"http://h/a/./../b", CURLU_PATH_AS_IS, CURLUE_OK, "http://h/a/./../b", "http", nullptr,
     nullptr, "h", nullptr, "/a/./../b", nullptr, nullptr, nullptr},
    {"http://h/%0a?%00", 0, CURLUE_OK, "http://h/%0a?%00", "http", nullptr, nullptr, "h", nullptr,
     "/%0a", "%00", nullptr, nullptr},
    {"http://h/a%2e%2e/b", 0, CURLUE_OK, "http://h/a%2e%2e/b", "http", nullptr, nullptr, "h",
     nullptr, "/a%2e%2e/b", nullptr, nullptr, nullptr},
    {"ftp.x.com", 0, CURLUE_BAD_SCHEME},
    {"//h/p", CURLU_GUESS_SCHEME, CURLUE_NO_HOST},
    {"http://u:p;o@h/", 0, CURLUE_OK, "http://u:p;o@h/", "http", "u", "p;o", "h", nullptr, "/",
     nullptr, nullptr, nullptr},
    {"http://:@h/", 0, CURLUE_OK, "http://:@h/", "http", "", "", "h", nullptr, "/", nullptr,
     nullptr, nullptr},
    {"http://@h/", 0, CURLUE_OK, "http://@h/", "http", "", nullptr, "h", nullptr, "/", nullptr,
     nullptr, nullptr},
    {"http://u:@h/", 0, CURLUE_OK, "http://u:@h/", "http", "u", "", "h", nullptr, "/", nullptr,
     nullptr, nullptr},
    {"http://h:080", 0, CURLUE_OK, "http://h:80/", "http", nullptr, nullptr, "h", "80", "/",
     nullptr, nullptr, nullptr},
    {"http://h/a%01", 0, CURLUE_OK, "http://h/a%01", "http", nullptr, nullptr, "h", nullptr,
     "/a%01", nullptr, nullptr, nullptr},
    {"http://h:65535/x?y#z", 0, CURLUE_OK, "http://h:65535/x?y#z", "http", nullptr, nullptr, "h",
     "65535", "/x", "y", "z", nullptr},
    {"https://[::1]:443/", 0, CURLUE_OK, "https://[::1]:443/", "https", nullptr, nullptr, "[::1]",
     "443", "/", nullptr, nullptr, nullptr},
    {"http://[::1%25]/", 0, CURLUE_OK, "http://[::1%2525]/", "http", nullptr, nullptr, "[::1]",
     nullptr, "/", nullptr, nullptr, "25"},
    {"http://[::1%25abcdefghijklmnopq]/", 0, CURLUE_BAD_IPV6},
    {"http://h:123456/", 0, CURLUE_BAD_PORT_NUMBER},
    {"HtTpS://WWW.Example.COM./A/B/..//c", 0, CURLUE_OK, "https://WWW.Example.COM./A//c", "https",
     nullptr, nullptr, "WWW.Example.COM.", nullptr, "/A//c", nullptr, nullptr, nullptr},
    {"http://\xc3\xbc"
     ".example/",
     0, CURLUE_OK,
     "http://\xc3\xbc"
     ".example/",
     "http", nullptr, nullptr,
     "\xc3\xbc"
     ".example",
     nullptr, "/", nullptr, nullptr, nullptr},
    {"http://h/\xc3\xbc"
     "",
     0, CURLUE_OK,
     "http://h/\xc3\xbc"
     "",
     "http", nullptr, nullptr, "h", nullptr,
     "/\xc3\xbc"
     "",
     nullptr, nullptr, nullptr},
    {"http://h/p?\xc3\xbc"
     "#\xc3\xbc"
     "",
     0, CURLUE_OK,
     "http://h/p?\xc3\xbc"
     "#\xc3\xbc"
     "",
     "http", nullptr, nullptr, "h", nullptr, "/p",
     "\xc3\xbc"
     "",
     "\xc3\xbc"
     "",
     nullptr},
    {"http://%41:%42@h/", 0, CURLUE_OK, "http://%41:%42@h/", "http", "%41", "%42", "h", nullptr,
     "/", nullptr, nullptr, nullptr},
    {"http://h/.", 0, CURLUE_OK, "http://h/", "http", nullptr, nullptr, "h", nullptr, "/", nullptr,
     nullptr, nullptr},
    {"http://h/..", 0, CURLUE_OK, "http://h/", "http", nullptr, nullptr, "h", nullptr, "/", nullptr,
     nullptr, nullptr},
    {"http://h/a/b/./", 0, CURLUE_OK, "http://h/a/b/", "http", nullptr, nullptr, "h", nullptr,
     "/a/b/", nullptr, nullptr, nullptr},
    {"http://h/a/b/../", 0, CURLUE_OK, "http://h/a/", "http", nullptr, nullptr, "h", nullptr, "/a/",
     nullptr, nullptr, nullptr},
    {"http://999.1.1.1/", 0, CURLUE_OK, "http://999.1.1.1/", "http", nullptr, nullptr, "999.1.1.1",
     nullptr, "/", nullptr, nullptr, nullptr},
    {"http://1.2.3.4.5/", 0, CURLUE_OK, "http://1.2.3.4.5/", "http", nullptr, nullptr, "1.2.3.4.5",
     nullptr, "/", nullptr, nullptr, nullptr},
    {"http://0/", 0, CURLUE_OK, "http://0.0.0.0/", "http", nullptr, nullptr, "0.0.0.0", nullptr,
     "/", nullptr, nullptr, nullptr},
    {"http://4294967295/", 0, CURLUE_OK, "http://255.255.255.255/", "http", nullptr, nullptr,
     "255.255.255.255", nullptr, "/", nullptr, nullptr, nullptr},
    {"http://4294967296/", 0, CURLUE_OK, "http://4294967296/", "http", nullptr, nullptr,
     "4294967296", nullptr, "/", nullptr, nullptr, nullptr},
    {"http://h:-1/", 0, CURLUE_BAD_PORT_NUMBER},
    {"http://h:+1/", 0, CURLUE_BAD_PORT_NUMBER},
    {"dict.x.org", CURLU_GUESS_SCHEME, CURLUE_OK, "dict://dict.x.org/", "dict", nullptr, nullptr,
     "dict.x.org", nullptr, "/", nullptr, nullptr, nullptr},
    {"imap.x.org", CURLU_GUESS_SCHEME, CURLUE_OK, "imap://imap.x.org/", "imap", nullptr, nullptr,
     "imap.x.org", nullptr, "/", nullptr, nullptr, nullptr},
    {"pop3.x", CURLU_GUESS_SCHEME, CURLUE_OK, "pop3://pop3.x/", "pop3", nullptr, nullptr, "pop3.x",
     nullptr, "/", nullptr, nullptr, nullptr},
    {"ldap.y", CURLU_GUESS_SCHEME, CURLUE_OK, "ldap://ldap.y/", "ldap", nullptr, nullptr, "ldap.y",
     nullptr, "/", nullptr, nullptr, nullptr},
    {"ftp.", CURLU_GUESS_SCHEME, CURLUE_OK, "ftp://ftp./", "ftp", nullptr, nullptr, "ftp.", nullptr,
     "/", nullptr, nullptr, nullptr},
    // file: URLs (no authority), which we parse but do not fetch.
    {"file:///etc/x", CURLU_NON_SUPPORT_SCHEME, CURLUE_OK, "file:///etc/x", "file", nullptr,
     nullptr, nullptr, nullptr, "/etc/x", nullptr, nullptr, nullptr},
    {"file://localhost/etc/x", CURLU_NON_SUPPORT_SCHEME, CURLUE_OK, "file:///etc/x", "file",
     nullptr, nullptr, nullptr, nullptr, "/etc/x", nullptr, nullptr, nullptr},
    {"file://127.0.0.1/x", CURLU_NON_SUPPORT_SCHEME, CURLUE_OK, "file:///x", "file", nullptr,
     nullptr, nullptr, nullptr, "/x", nullptr, nullptr, nullptr},
    {"file://other/x", CURLU_NON_SUPPORT_SCHEME, CURLUE_BAD_FILE_URL},
    {"file:/etc/x", CURLU_NON_SUPPORT_SCHEME, CURLUE_OK, "file:///etc/x", "file", nullptr, nullptr,
     nullptr, nullptr, "/etc/x", nullptr, nullptr, nullptr},
    {"file:etc", CURLU_NON_SUPPORT_SCHEME, CURLUE_OK, "file://etc", "file", nullptr, nullptr,
     nullptr, nullptr, "etc", nullptr, nullptr, nullptr},
    {"file:///etc/x?q#f", CURLU_NON_SUPPORT_SCHEME, CURLUE_OK, "file:///etc/x#f", "file", nullptr,
     nullptr, nullptr, nullptr, "/etc/x", "q", "f", nullptr},
    {"file://", CURLU_NON_SUPPORT_SCHEME, CURLUE_BAD_FILE_URL},
    {"file:////x", CURLU_NON_SUPPORT_SCHEME, CURLUE_OK, "file:////x", "file", nullptr, nullptr,
     nullptr, nullptr, "//x", nullptr, nullptr, nullptr},
    {"file:", CURLU_NON_SUPPORT_SCHEME, CURLUE_BAD_FILE_URL},
    {"file://localhost", CURLU_NON_SUPPORT_SCHEME, CURLUE_BAD_FILE_URL},
    {"file:///x", CURLU_NON_SUPPORT_SCHEME, CURLUE_OK, "file:///x", "file", nullptr, nullptr,
     nullptr, nullptr, "/x", nullptr, nullptr, nullptr},
};

std::string expected(const char *value, CURLUcode missing) {
  return value ? std::string(value) : code(missing);
}

}  // namespace

TEST_CASE("urlapi: whole URLs are taken apart and rebuilt as libcurl 7.88 does") {
  for (const ParseRow &row : kParse) {
    CAPTURE(row.in);
    CAPTURE(row.flags);
    Url u(row.in, row.flags);
    CHECK(u.rc == row.rc);
    if (row.rc != CURLUE_OK) {
      CHECK(u.get(CURLUPART_URL) == code(CURLUE_NO_HOST));  // a refused URL leaves nothing
      continue;
    }
    CHECK(u.get(CURLUPART_URL) == expected(row.url, CURLUE_NO_HOST));
    CHECK(u.get(CURLUPART_SCHEME) == expected(row.scheme, CURLUE_NO_SCHEME));
    CHECK(u.get(CURLUPART_USER) == expected(row.user, CURLUE_NO_USER));
    CHECK(u.get(CURLUPART_PASSWORD) == expected(row.password, CURLUE_NO_PASSWORD));
    CHECK(u.get(CURLUPART_OPTIONS) == code(CURLUE_NO_OPTIONS));
    CHECK(u.get(CURLUPART_HOST) == expected(row.host, CURLUE_NO_HOST));
    CHECK(u.get(CURLUPART_PORT) == expected(row.port, CURLUE_NO_PORT));
    CHECK(u.get(CURLUPART_PATH) == expected(row.path, CURLUE_OK));
    CHECK(u.get(CURLUPART_QUERY) == expected(row.query, CURLUE_NO_QUERY));
    CHECK(u.get(CURLUPART_FRAGMENT) == expected(row.fragment, CURLUE_NO_FRAGMENT));
    CHECK(u.get(CURLUPART_ZONEID) == expected(row.zoneid, CURLUE_NO_ZONEID));
  }
}

TEST_CASE("urlapi: a URL without scheme is resolved against the one the handle holds") {
  struct Row {
    const char *base, *rel;
    unsigned flags;
    CURLUcode rc;
    const char *url;
  };
  constexpr Row kRows[] = {
      {"http://h.com/a/b/c?q#fr", "/new?x#f", 0, CURLUE_OK, "http://h.com/new?x#f"},
      {"http://h.com/a/b/c?q#fr", "rel/p", 0, CURLUE_OK, "http://h.com/a/b/rel/p"},
      {"http://h.com/a/b/c?q#fr", "?q2", 0, CURLUE_OK, "http://h.com/a/b/c?q2"},
      {"http://h.com/a/b/c?q#fr", "#f2", 0, CURLUE_OK, "http://h.com/a/b/#f2"},
      {"http://h.com/a/b/c?q#fr", "//other.org/z", 0, CURLUE_OK, "http://other.org/z"},
      {"http://h.com/a/b/c?q#fr", "../up", 0, CURLUE_OK, "http://h.com/a/up"},
      {"http://h.com/a/b/c?q#fr", "", 0, CURLUE_OK, "http://h.com/a/b/"},
      {"http://h.com/a/b/c?q#fr", "https://abs.com/", 0, CURLUE_OK, "https://abs.com/"},
      {"http://h.com/a/b/c?q#fr", "g;x", 0, CURLUE_OK, "http://h.com/a/b/g;x"},
      {"http://h.com/a/b/c?q#fr", "./.", 0, CURLUE_OK, "http://h.com/a/b/"},
      {"http://h.com/a/b/c?q#fr", "./.", CURLU_PATH_AS_IS, CURLUE_OK, "http://h.com/a/b/."},
      {"http://h.com/a/b/c?q#fr",
       "c d/\xc3\xbc"
       "",
       0, CURLUE_OK, "http://h.com/a/b/c%20d/%c3%bc"},
      {"http://h.com/a/b/c?q#fr", "//o.org", 0, CURLUE_OK, "http://o.org/"},
      {"http://h.com/a/b/c?q#fr", "/", 0, CURLUE_OK, "http://h.com/"},
      {"http://h.com/a/b/c?q#fr", "a?b#c", 0, CURLUE_OK, "http://h.com/a/b/a?b#c"},
      {"http://h.com/a/b/c?q#fr", "//u:p@o.org:81/x", 0, CURLUE_OK, "http://u:p@o.org:81/x"},
      {"http://h.com/a/b/c?q#fr", "?", 0, CURLUE_OK, "http://h.com/a/b/c"},
      {"http://h.com/a/b/c?q#fr", "#", 0, CURLUE_OK, "http://h.com/a/b/"},
      {"http://h.com/a/b/c?q#fr", "//[::1]/", 0, CURLUE_OK, "http://[::1]/"},
      {"http://h.com/a/b/c?q#fr", "foo:bar", 0, CURLUE_UNSUPPORTED_SCHEME,
       "http://h.com/a/b/c?q#fr"},
      {"http://h.com/a/b/c?q#fr", "..//x", 0, CURLUE_OK, "http://h.com/a/x"},
      {"http://h.com/a/b/c?q#fr", "../../../../x", 0, CURLUE_OK, "http://h.com/x"},
      {"http://h.com/a/b/c?q#fr", "./../x", 0, CURLUE_OK, "http://h.com/a/x"},
      {"http://h.com/a/b/c?q#fr", "x/../y", 0, CURLUE_OK, "http://h.com/a/b/y"},
      {"http://h.com/a/b/c?q#fr", "x/../y", CURLU_PATH_AS_IS, CURLUE_OK, "http://h.com/a/b/x/../y"},
      {"http://h.com/a/b/c?q#fr", ".//x", 0, CURLUE_OK, "http://h.com/a/b/x"},
      {"http://h.com/a/b/c?q#fr", "../..//x", 0, CURLUE_OK, "http://h.com//x"},
      {"http://h.com/a/b/c?q#fr", "../..//x", CURLU_PATH_AS_IS, CURLUE_OK, "http://h.com//x"},
      {"http://h.com/a/b/c?q#fr", "..", 0, CURLUE_OK, "http://h.com/a/"},
      {"http://h.com/a/b/c?q#fr", "..", CURLU_PATH_AS_IS, CURLUE_OK, "http://h.com/a/b/.."},
      {"http://h.com", "rel/p", 0, CURLUE_OK, "http://h.com/rel/p"},
      {"http://h.com", "?q2", 0, CURLUE_OK, "http://h.com/?q2"},
      {"http://h.com", "#f2", 0, CURLUE_OK, "http://h.com/#f2"},
      {"http://h.com", "../up", 0, CURLUE_OK, "http://h.com/up"},
      {"http://h.com", "", 0, CURLUE_OK, "http://h.com/"},
      {"http://h.com", "..", 0, CURLUE_OK, "http://h.com/"},
      {"http://h.com", "..", CURLU_PATH_AS_IS, CURLUE_OK, "http://h.com/.."},
      {"file:///x", "../../z", CURLU_NON_SUPPORT_SCHEME, CURLUE_OK, "file:///z"},
  };
  for (const Row &row : kRows) {
    CAPTURE(row.base);
    CAPTURE(row.rel);
    Url u(row.base, row.flags);
    REQUIRE(u.rc == CURLUE_OK);
    CHECK(u.set(CURLUPART_URL, row.rel, row.flags) == row.rc);
    CHECK(u.get(CURLUPART_URL) == row.url);
  }
  // The guessing flags do not stop a relative reference from being resolved.
  Url guess("http://h.com/a/b/c?q#fr");
  CHECK(guess.set(CURLUPART_URL, "rel", CURLU_GUESS_SCHEME) == CURLUE_OK);
  CHECK(guess.get(CURLUPART_URL) == "http://h.com/a/b/rel");
  // An empty handle has nothing to resolve against.
  Url empty;
  CHECK(empty.set(CURLUPART_URL, "/p") == CURLUE_BAD_SCHEME);
}

TEST_CASE("urlapi: single parts are validated, stored as given and shown in the URL") {
  Url u;
  CHECK(u.set(CURLUPART_SCHEME, "HTTPS") == CURLUE_OK);
  CHECK(u.get(CURLUPART_URL) == code(CURLUE_NO_HOST));
  CHECK(u.set(CURLUPART_HOST, "h.com") == CURLUE_OK);
  CHECK(u.get(CURLUPART_URL) == "HTTPS://h.com/");
  CHECK(u.set(CURLUPART_SCHEME, "foo") == CURLUE_UNSUPPORTED_SCHEME);
  CHECK(u.set(CURLUPART_SCHEME, "1x") == CURLUE_UNSUPPORTED_SCHEME);
  CHECK(u.set(CURLUPART_SCHEME, "") == CURLUE_UNSUPPORTED_SCHEME);
  CHECK(u.set(CURLUPART_SCHEME, "ab+c", CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK);
  CHECK(u.get(CURLUPART_URL) == "ab+c://h.com/");

  CHECK(u.set(CURLUPART_PORT, "0") == CURLUE_BAD_PORT_NUMBER);
  CHECK(u.set(CURLUPART_PORT, "65536") == CURLUE_BAD_PORT_NUMBER);
  CHECK(u.set(CURLUPART_PORT, "abc") == CURLUE_BAD_PORT_NUMBER);
  CHECK(u.set(CURLUPART_PORT, "") == CURLUE_BAD_PORT_NUMBER);
  CHECK(u.set(CURLUPART_PORT, "-0") == CURLUE_BAD_PORT_NUMBER);
  CHECK(u.set(CURLUPART_PORT, "0x10") == CURLUE_BAD_PORT_NUMBER);
  CHECK(u.set(CURLUPART_PORT, "08") == CURLUE_OK);
  CHECK(u.get(CURLUPART_PORT) == "08");
  CHECK(u.get(CURLUPART_URL) == "ab+c://h.com:08/");
  CHECK(u.set(CURLUPART_PORT, "+81") == CURLUE_OK);  // read as strtol reads it, kept as given
  CHECK(u.get(CURLUPART_PORT) == "+81");

  CHECK(u.set(CURLUPART_PATH, "noslash") == CURLUE_OK);
  CHECK(u.get(CURLUPART_URL) == "ab+c://h.com:+81/noslash");
  CHECK(u.set(CURLUPART_PATH, "/a/./b/../c") == CURLUE_OK);  // no dot removal on a part
  CHECK(u.get(CURLUPART_PATH) == "/a/./b/../c");
  CHECK(u.set(CURLUPART_HOST, "a b") == CURLUE_BAD_HOSTNAME);
  CHECK(u.set(CURLUPART_HOST, "") == CURLUE_BAD_HOSTNAME);
  CHECK(u.set(CURLUPART_HOST, "127.1") == CURLUE_OK);  // not normalised either
  CHECK(u.get(CURLUPART_HOST) == "127.1");
  CHECK(u.set(CURLUPART_HOST, "[::1%25eth0]") == CURLUE_OK);
  CHECK(u.get(CURLUPART_HOST) == "[::1]");
  CHECK(u.get(CURLUPART_ZONEID) == "eth0");
  CHECK(u.set(CURLUPART_ZONEID, "lo") == CURLUE_OK);
  CHECK(u.get(CURLUPART_URL) == "ab+c://[::1%25lo]:+81/a/./b/../c");
  CHECK(u.set(CURLUPART_HOST, "ex%41.com") == CURLUE_OK);
  CHECK(u.get(CURLUPART_HOST) == "ex%41.com");
  CHECK(u.get(CURLUPART_URL) == "ab+c://ex%2541.com:+81/a/./b/../c");
  CHECK(u.set(CURLUPART_HOST, "ex%.com", CURLU_URLENCODE) == CURLUE_OK);
  CHECK(u.get(CURLUPART_HOST) == "ex%25.com");
}

TEST_CASE("urlapi: CURLU_URLENCODE and CURLU_APPENDQUERY on set, CURLU_URLDECODE on get") {
  Url u("http://h/");
  CHECK(u.set(CURLUPART_PATH, "a:b@c!$&'()*+,;=~-._/%\xc3\xbc", CURLU_URLENCODE) == CURLUE_OK);
  CHECK(u.get(CURLUPART_PATH) == "a%3ab%40c%21%24%26%27%28%29%2a%2b%2c%3b%3d~-._/%25%c3%bc");
  CHECK(u.set(CURLUPART_QUERY, "/?:@!$'()*,;~", CURLU_URLENCODE) == CURLUE_OK);
  CHECK(u.get(CURLUPART_QUERY) == "%2f%3f%3a%40%21%24%27%28%29%2a%2c%3b~");
  CHECK(u.set(CURLUPART_USER, "/?:@!$'()*,;~", CURLU_URLENCODE) == CURLUE_OK);
  CHECK(u.get(CURLUPART_USER) == "%2f%3f%3a%40%21%24%27%28%29%2a%2c%3b~");
  CHECK(u.set(CURLUPART_FRAGMENT, "/?:@!$'()*,;=~#", CURLU_URLENCODE) == CURLUE_OK);
  CHECK(u.get(CURLUPART_FRAGMENT) == "%2f%3f%3a%40%21%24%27%28%29%2a%2c%3b%3d~%23");

  Url q("http://h/");
  CHECK(q.set(CURLUPART_PATH, "/a b?c", CURLU_URLENCODE) == CURLUE_OK);
  CHECK(q.get(CURLUPART_PATH, CURLU_URLDECODE) == "/a b?c");
  CHECK(q.set(CURLUPART_QUERY, "a=b c&d", CURLU_URLENCODE) == CURLUE_OK);
  CHECK(q.get(CURLUPART_URL) == "http://h/a%20b%3fc?a%3db+c%26d");
  CHECK(q.set(CURLUPART_QUERY, "x=y z&w", CURLU_URLENCODE | CURLU_APPENDQUERY) == CURLUE_OK);
  CHECK(q.set(CURLUPART_QUERY, "q2", CURLU_APPENDQUERY) == CURLUE_OK);
  CHECK(q.get(CURLUPART_QUERY) == "a%3db+c%26d&x=y+z%26w&q2");
  CHECK(q.set(CURLUPART_USER, "u s:@", CURLU_URLENCODE) == CURLUE_OK);
  CHECK(q.set(CURLUPART_PASSWORD, "p@:", CURLU_URLENCODE) == CURLUE_OK);
  CHECK(q.set(CURLUPART_FRAGMENT, "f g", CURLU_URLENCODE) == CURLUE_OK);
  CHECK(q.get(CURLUPART_URL) ==
        "http://u%20s%3a%40:p%40%3a@h/a%20b%3fc?a%3db+c%26d&x=y+z%26w&q2#f%20g");

  // On a whole URL only spaces and bytes >= 0x80 of path and query are encoded.
  Url w("http://h/a b/../c d?e f\xc3\xbc%41", CURLU_URLENCODE);
  CHECK(w.rc == CURLUE_OK);
  CHECK(w.get(CURLUPART_URL) == "http://h/c%20d?e+f%c3%bc%41");
  CHECK(w.set(CURLUPART_URL, "http://h/#a b", CURLU_URLENCODE) == CURLUE_BAD_FRAGMENT);
  CHECK(w.set(CURLUPART_URL, "http://h/#\xc3\xbc", CURLU_URLENCODE) == CURLUE_OK);
  CHECK(w.get(CURLUPART_URL) == "http://h/#\xc3\xbc");

  Url a("http://h/");
  CHECK(a.set(CURLUPART_QUERY, "x&") == CURLUE_OK);
  CHECK(a.set(CURLUPART_QUERY, "y", CURLU_APPENDQUERY) == CURLUE_OK);  // no second '&'
  CHECK(a.get(CURLUPART_URL) == "http://h/?x&y");

  Url d("http://a%20b:c%3Ad@h/%7e?x=%41+b#%66");
  CHECK(d.get(CURLUPART_USER, CURLU_URLDECODE) == "a b");
  CHECK(d.get(CURLUPART_PASSWORD, CURLU_URLDECODE) == "c:d");
  CHECK(d.get(CURLUPART_PATH, CURLU_URLDECODE) == "/~");
  CHECK(d.get(CURLUPART_QUERY, CURLU_URLDECODE) == "x=A b");  // '+' is a space in a query
  CHECK(d.get(CURLUPART_FRAGMENT, CURLU_URLDECODE) == "f");
  // A decoded control character is refused.
  Url c("http://h/%01");
  CHECK(c.get(CURLUPART_PATH, CURLU_URLDECODE) == code(CURLUE_URLDECODE));
  CHECK(c.set(CURLUPART_QUERY, "%41%0a") == CURLUE_OK);
  CHECK(c.get(CURLUPART_QUERY, CURLU_URLDECODE) == code(CURLUE_URLDECODE));
  CHECK(c.get(CURLUPART_QUERY) == "%41%0a");
}

TEST_CASE("urlapi: ports, default ports and default scheme on get") {
  Url u("https://h/");
  CHECK(u.get(CURLUPART_PORT) == code(CURLUE_NO_PORT));
  CHECK(u.get(CURLUPART_PORT, CURLU_DEFAULT_PORT) == "443");
  CHECK(u.get(CURLUPART_URL, CURLU_DEFAULT_PORT) == "https://h:443/");
  CHECK(u.set(CURLUPART_PORT, "443") == CURLUE_OK);
  CHECK(u.get(CURLUPART_URL) == "https://h:443/");
  CHECK(u.get(CURLUPART_URL, CURLU_NO_DEFAULT_PORT) == "https://h/");
  CHECK(u.get(CURLUPART_PORT, CURLU_NO_DEFAULT_PORT) == code(CURLUE_NO_PORT));
  CHECK(u.set(CURLUPART_SCHEME, "http") == CURLUE_OK);
  CHECK(u.get(CURLUPART_URL, CURLU_NO_DEFAULT_PORT) == "http://h:443/");
  CHECK(u.set(CURLUPART_PORT, nullptr) == CURLUE_OK);
  CHECK(u.get(CURLUPART_PORT, CURLU_DEFAULT_PORT) == "80");
  // A scheme we do not speak has no default port.
  CHECK(u.set(CURLUPART_SCHEME, "foo", CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK);
  CHECK(u.get(CURLUPART_PORT, CURLU_DEFAULT_PORT) == code(CURLUE_NO_PORT));

  Url s;
  CHECK(s.set(CURLUPART_HOST, "h") == CURLUE_OK);
  CHECK(s.get(CURLUPART_URL) == code(CURLUE_NO_SCHEME));
  CHECK(s.get(CURLUPART_URL, CURLU_DEFAULT_SCHEME) == "https://h/");
  CHECK(s.set(CURLUPART_SCHEME, "https") == CURLUE_OK);
  CHECK(s.set(CURLUPART_PATH, "x") == CURLUE_OK);
  CHECK(s.get(CURLUPART_PATH) == "x");
  CHECK(s.get(CURLUPART_URL) == "https://h/x");
}

TEST_CASE("urlapi: clearing parts, empty parts and a cleared URL") {
  Url u("http://u:p@h/p?q#f");
  CHECK(u.set(CURLUPART_USER, nullptr) == CURLUE_OK);
  CHECK(u.get(CURLUPART_URL) == "http://:p@h/p?q#f");
  CHECK(u.set(CURLUPART_QUERY, "") == CURLUE_OK);  // an empty query is kept, not shown
  CHECK(u.get(CURLUPART_URL) == "http://:p@h/p#f");
  CHECK(u.get(CURLUPART_QUERY) == "");
  CHECK(u.set(CURLUPART_FRAGMENT, "") == CURLUE_OK);  // an empty fragment is shown
  CHECK(u.get(CURLUPART_URL) == "http://:p@h/p#");
  CHECK(u.set(CURLUPART_PATH, "") == CURLUE_OK);
  CHECK(u.get(CURLUPART_URL) == "http://:p@h/#");
  // Percent-encoding an empty part drops it.
  CHECK(u.set(CURLUPART_FRAGMENT, "", CURLU_URLENCODE) == CURLUE_OK);
  CHECK(u.get(CURLUPART_FRAGMENT) == code(CURLUE_NO_FRAGMENT));
  CHECK(u.set(CURLUPART_URL, nullptr) == CURLUE_OK);
  CHECK(u.get(CURLUPART_URL) == code(CURLUE_NO_HOST));
  CHECK(u.get(CURLUPART_PATH) == "/");
  CHECK(u.get(CURLUPART_SCHEME) == code(CURLUE_NO_SCHEME));
}

TEST_CASE("urlapi: a failed set leaves the handle as it was") {
  Url u("http://h/p");
  CHECK(u.set(CURLUPART_URL, "http://a b/") == CURLUE_BAD_HOSTNAME);
  CHECK(u.set(CURLUPART_URL, "http://h:99999/") == CURLUE_BAD_PORT_NUMBER);
  CHECK(u.set(CURLUPART_HOST, "[zz::1]") == CURLUE_BAD_HOSTNAME);
  CHECK(u.set(CURLUPART_HOST, "[::1") == CURLUE_BAD_HOSTNAME);
  CHECK(u.set(CURLUPART_HOST, "h:80") == CURLUE_BAD_HOSTNAME);
  CHECK(u.get(CURLUPART_URL) == "http://h/p");
  CHECK(u.set(CURLUPART_URL, "http://u@x/", CURLU_DISALLOW_USER) == CURLUE_USER_NOT_ALLOWED);
  CHECK(u.get(CURLUPART_URL) == "http://h/p");
}

// curl_url_dup(3) promises all of the handle's contents; libcurl 7.88 drops the zone id (a
// bug), and it crashes on the NULL handles below: here the man pages are followed instead.
TEST_CASE("urlapi: dup copies every part; bad handles and pointers are refused") {
  Url u("http://u:p@[fe80::1%25eth0]:81/p?q#f");
  CURLU *copy = curl_url_dup(u.h);
  REQUIRE(copy);
  CHECK(u.set(CURLUPART_URL, "http://other/") == CURLUE_OK);
  char *out = nullptr;
  CHECK(curl_url_get(copy, CURLUPART_URL, &out, 0) == CURLUE_OK);
  CHECK(std::string(out) == "http://u:p@[fe80::1%25eth0]:81/p?q#f");
  curl_free(out);
  curl_url_cleanup(copy);

  CHECK(curl_url_dup(nullptr) == nullptr);
  curl_url_cleanup(nullptr);
  CHECK(curl_url_set(nullptr, CURLUPART_URL, "http://h/", 0) == CURLUE_BAD_HANDLE);
  CHECK(curl_url_get(nullptr, CURLUPART_URL, &out, 0) == CURLUE_BAD_HANDLE);
  CHECK(curl_url_get(u.h, CURLUPART_URL, nullptr, 0) == CURLUE_BAD_PARTPOINTER);
  CHECK(u.set(static_cast<CURLUPart>(42), "x") == CURLUE_UNKNOWN_PART);
  CHECK(u.get(static_cast<CURLUPart>(42)) == code(CURLUE_UNKNOWN_PART));
}

TEST_CASE("urlapi: file: needs CURLU_NON_SUPPORT_SCHEME, as with a libcurl built without FILE") {
  Url u("file:///etc/x");
  CHECK(u.rc == CURLUE_UNSUPPORTED_SCHEME);
}

TEST_CASE("urlapi: CURLU_PUNYCODE answers as a libcurl without IDN") {
  Url ascii("http://example.com/");
  CHECK(ascii.get(CURLUPART_HOST, CURLU_PUNYCODE) == "example.com");
  Url idn("http://\xc3\xbc.example/");
  CHECK(idn.get(CURLUPART_HOST) == "\xc3\xbc.example");
  CHECK(idn.get(CURLUPART_HOST, CURLU_PUNYCODE) == code(CURLUE_LACKS_IDN));
  CHECK(idn.get(CURLUPART_URL, CURLU_PUNYCODE) == code(CURLUE_LACKS_IDN));
}

TEST_CASE("urlapi: curl_url_strerror has a text for every code") {
  for (int c = CURLUE_OK; c < CURLUE_LAST; ++c) {
    const char *text = curl_url_strerror(static_cast<CURLUcode>(c));
    REQUIRE(text);
    CHECK(std::string(text) != curl_url_strerror(CURLUE_LAST));
  }
  CHECK(std::string(curl_url_strerror(static_cast<CURLUcode>(-1))) ==
        curl_url_strerror(CURLUE_LAST));
}
