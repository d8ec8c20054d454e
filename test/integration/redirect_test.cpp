// Redirects: FOLLOWLOCATION, MAXREDIRS, POSTREDIR, AUTOREFERER, REFERER, (REDIR_)PROTOCOLS,
// UNRESTRICTED_AUTH and the redirect getinfo items, checked against what libcurl 7.88 does
// (probed where the man pages are silent; see each case).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

#include "easy_options_fixture.h"
#include "https_fixture.h"
#include "multi_driver.h"
#include "scripted_server.h"

using namespace evm::test;

namespace {

std::string raw(const std::string &path) {
  return server().raw_url(path);
}

// The raw listener's /redir/CODE with Location `to` (percent-encoded into the query).
std::string redir(int code, const std::string &to) {
  std::string q;
  for (char c : to) {
    if (c == '?' || c == '&' || c == '%' || c == '#' || c == '=')
      q += "%" + std::string(1, "0123456789ABCDEF"[(c >> 4) & 15]) + "0123456789ABCDEF"[c & 15];
    else
      q += c;
  }
  return raw("/redir/" + std::to_string(code) + "?to=" + q);
}

int occurrences(const std::string &text, const std::string &what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string port_of_raw() {
  return std::to_string(server().raw_port());
}

}  // namespace

TEST_CASE("without FOLLOWLOCATION the 3xx is the answer and REDIRECT_URL says where it points") {
  Fetch f(redir(302, "/echo?x=1"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 302);
  CHECK(f.body == "redirect body\n");
  CHECK(info_string(f.easy, CURLINFO_REDIRECT_URL) == raw("/echo?x=1"));
  CHECK(info_long(f.easy, CURLINFO_REDIRECT_COUNT) == 0);
  CHECK(info_off(f.easy, CURLINFO_REDIRECT_TIME_T) == 0);
}

TEST_CASE("REDIRECT_URL resolves relative references against the request URL") {
  Fetch f(raw("/redir/301?to=../a/./b%3Fq#frag"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_string(f.easy, CURLINFO_REDIRECT_URL) == raw("/a/b?q"));
}

TEST_CASE("FOLLOWLOCATION follows a chain of relative Locations; only the last body is written") {
  Fetch f(raw("/redir-chain/3"));
  curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 200);
  CHECK(f.body == "chain end\n");
  CHECK(info_long(f.easy, CURLINFO_REDIRECT_COUNT) == 3);
  CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == raw("/redir-chain/0"));
  CHECK(info_string(f.easy, CURLINFO_REDIRECT_URL) == "(null)");
  // Every response's head goes to HEADERFUNCTION, as libcurl does.
  CHECK(occurrences(f.headers, "HTTP/1.1 302") == 3);
  CHECK(occurrences(f.headers, "HTTP/1.1 200") == 1);
  curl_off_t redirect = info_off(f.easy, CURLINFO_REDIRECT_TIME_T);
  CHECK(redirect > 0);
  CHECK(redirect <= info_off(f.easy, CURLINFO_TOTAL_TIME_T));
  CHECK(info_double(f.easy, CURLINFO_REDIRECT_TIME) > 0);
  // Same origin, keep-alive: the one connection serves the whole chain.
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
}

TEST_CASE("REQUEST_SIZE counts every request of a redirect chain, as the man page says") {
  // Each request of /redir-chain/N has the same head length but for the path's digit.
  Fetch one(raw("/redir-chain/0"));
  REQUIRE(curl_easy_perform(one.easy) == CURLE_OK);
  long single = info_long(one.easy, CURLINFO_REQUEST_SIZE);
  Fetch f(raw("/redir-chain/2"));
  curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_REDIRECT_COUNT) == 2);
  CHECK(info_long(f.easy, CURLINFO_REQUEST_SIZE) == 3 * single);
}

TEST_CASE("an absolute Location to another port opens a connection there") {
  Fetch f(redir(302, server().http_url("/echo")));
  curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 200);
  CHECK(Echo(f.body).request_line == "GET /echo");
  CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == server().http_url("/echo"));
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 2);
}

TEST_CASE("MAXREDIRS ends a loop with CURLE_TOO_MANY_REDIRECTS and libcurl's text") {
  Fetch f(raw("/redir-loop"));
  curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
  long max = 0;
  SUBCASE("five") {
    max = 5;
  }
  SUBCASE("none") {
    max = 0;
  }
  curl_easy_setopt(f.easy, CURLOPT_MAXREDIRS, max);
  CHECK(curl_easy_perform(f.easy) == CURLE_TOO_MANY_REDIRECTS);
  CHECK(std::string(f.error) == "Maximum (" + std::to_string(max) + ") redirects followed");
  CHECK(info_long(f.easy, CURLINFO_REDIRECT_COUNT) == max);
  CHECK(f.status() == 302);
  CHECK(f.body.empty());  // libcurl drops the last redirect's body too
  CHECK(info_string(f.easy, CURLINFO_REDIRECT_URL) == raw("/redir-loop"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_MAXREDIRS, -2L) == CURLE_BAD_FUNCTION_ARGUMENT);
}

TEST_CASE("POST after 301, 302 and 303 becomes GET unless POSTREDIR keeps it; 307/308 keep it") {
  struct Row {
    int code;
    long postredir;
    bool post_kept;
  };
  const Row rows[] = {{301, 0, false},
                      {302, 0, false},
                      {303, 0, false},
                      {301, CURL_REDIR_POST_301, true},
                      {302, CURL_REDIR_POST_302, true},
                      {303, CURL_REDIR_POST_303, true},
                      {303, CURL_REDIR_POST_302, false},
                      {307, 0, true},
                      {308, 0, true}};
  for (const Row &r : rows) {
    CAPTURE(r.code);
    CAPTURE(r.postredir);
    Fetch f(redir(r.code, "/echo"));
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "abc");
    curl_easy_setopt(f.easy, CURLOPT_POSTREDIR, r.postredir);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    if (r.post_kept) {
      CHECK(echo.request_line == "POST /echo");
      CHECK(echo.body == "abc");
      CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_METHOD) == "POST");
    } else {
      CHECK(echo.request_line == "GET /echo");
      CHECK(echo.count("Content-Length") == 0);
      CHECK(echo.count("Content-Type") == 0);
      CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_METHOD) == "GET");
    }
  }
}

TEST_CASE("303 keeps HEAD; a custom method name survives every redirect (probed on 7.88)") {
  SUBCASE("NOBODY stays HEAD after 303") {
    Fetch f(redir(303, "/echo"));
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(f.easy, CURLOPT_NOBODY, 1L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.status() == 200);
    CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_METHOD) == "HEAD");
  }
  SUBCASE("CUSTOMREQUEST PUT after 302 and 303") {
    for (int code : {302, 303}) {
      Fetch f(redir(code, "/echo"));
      curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt(f.easy, CURLOPT_CUSTOMREQUEST, "PUT");
      CHECK(curl_easy_perform(f.easy) == CURLE_OK);
      CHECK(Echo(f.body).request_line == "PUT /echo");
      CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_METHOD) == "PUT");
    }
  }
  SUBCASE("CUSTOMREQUEST PUT with POSTFIELDS after 303: the name stays, the body goes") {
    Fetch f(redir(303, "/echo"));
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(f.easy, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "abc");
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.request_line == "PUT /echo");
    CHECK(echo.body.empty());
    CHECK(echo.count("Content-Length") == 0);
  }
}

TEST_CASE("AUTOREFERER sends the previous URL without credentials or fragment; REFERER sets one") {
  std::string start = "http://u:p@127.0.0.1:" + port_of_raw() + "/redir/302?to=/echo#frag";
  Fetch f(start);
  curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(f.easy, CURLOPT_AUTOREFERER, 1L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(Echo(f.body).value("Referer") == raw("/redir/302?to=/echo"));

  Fetch g(raw("/echo"));
  curl_easy_setopt(g.easy, CURLOPT_REFERER, "http://ref.example/");
  CHECK(curl_easy_perform(g.easy) == CURLE_OK);
  CHECK(Echo(g.body).value("Referer") == "http://ref.example/");
}

TEST_CASE("CURLOPT_PORT holds through relative redirects, not past an absolute one (7.88)") {
  // The URL names a port nothing listens on; PORT sends it to the raw listener.
  std::string closed = "http://127.0.0.1:" + std::to_string(refused_port());
  long port = std::stol(port_of_raw());
  Fetch rel(closed + "/redir/302?to=%2Fecho");
  curl_easy_setopt(rel.easy, CURLOPT_PORT, port);
  curl_easy_setopt(rel.easy, CURLOPT_FOLLOWLOCATION, 1L);
  CHECK(curl_easy_perform(rel.easy) == CURLE_OK);
  CHECK(rel.status() == 200);

  // An absolute Location to the same closed port: PORT no longer moves it.
  Fetch abs(closed + "/redir/302?to=" + closed + "%2Fecho");
  curl_easy_setopt(abs.easy, CURLOPT_PORT, port);
  curl_easy_setopt(abs.easy, CURLOPT_FOLLOWLOCATION, 1L);
  CHECK(curl_easy_perform(abs.easy) == CURLE_COULDNT_CONNECT);
  CHECK(info_long(abs.easy, CURLINFO_REDIRECT_COUNT) == 1);
}

TEST_CASE("a custom Host header goes to the first host only, as libcurl") {
  std::string other = "other.example:" + port_of_raw() + ":127.0.0.1";
  curl_slist *resolve = curl_slist_append(nullptr, other.c_str());
  curl_slist *headers = curl_slist_append(nullptr, "Host: first.example");
  Fetch f(redir(302, "http://other.example:" + port_of_raw() + "/echo"));
  curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(f.easy, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, headers);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(Echo(f.body).value("Host") == "other.example:" + port_of_raw());
  curl_slist_free_all(headers);
  curl_slist_free_all(resolve);
}

TEST_CASE("credentials, custom Authorization and Cookie headers stay with the first host") {
  // Another host name for the same listener, so only the name differs.
  std::string other = "other.example:" + port_of_raw() + ":127.0.0.1";
  curl_slist *resolve = curl_slist_append(nullptr, other.c_str());
  curl_slist *headers = curl_slist_append(nullptr, "Cookie: c=1");
  headers = curl_slist_append(headers, "X-Other: 1");
  std::string elsewhere = "http://other.example:" + port_of_raw() + "/echo";

  SUBCASE("USERPWD and custom Cookie are dropped for another host") {
    Fetch f(redir(302, elsewhere));
    curl_easy_setopt(f.easy, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.count("Authorization") == 0);
    CHECK(echo.count("Cookie") == 0);
    CHECK(echo.value("X-Other") == "1");
  }
  SUBCASE("a custom Authorization header is dropped for another host too") {
    curl_slist *auth = curl_slist_append(nullptr, "Authorization: Bearer secret");
    Fetch f(redir(302, elsewhere));
    curl_easy_setopt(f.easy, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, auth);
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(Echo(f.body).count("Authorization") == 0);
    curl_slist_free_all(auth);
  }
  SUBCASE("UNRESTRICTED_AUTH sends them anyway") {
    Fetch f(redir(302, elsewhere));
    curl_easy_setopt(f.easy, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
    curl_easy_setopt(f.easy, CURLOPT_UNRESTRICTED_AUTH, 1L);
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.value("Authorization") == "Basic dTpw");
    CHECK(echo.value("Cookie") == "c=1");
  }
  SUBCASE("the same host keeps them") {
    Fetch f(redir(302, "/echo"));
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.value("Authorization") == "Basic dTpw");
    CHECK(echo.value("Cookie") == "c=1");
  }
  SUBCASE("back on the first host after another host: they return (libcurl 7.88)") {
    Fetch f(redir(302, "http://other.example:" + port_of_raw() + "/redir/302?to=" + raw("/echo")));
    curl_easy_setopt(f.easy, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(info_long(f.easy, CURLINFO_REDIRECT_COUNT) == 2);
    Echo echo(f.body);
    CHECK(echo.value("Authorization") == "Basic dTpw");
    CHECK(echo.value("Cookie") == "c=1");
  }
  SUBCASE("after a port change the credentials are gone for good, the Cookie header not") {
    // raw -> http listener (other port) -> back to raw /echo.
    std::string back = server().http_url("/status/302?Location=") + raw("/echo");
    Fetch f(redir(302, back));
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(info_long(f.easy, CURLINFO_REDIRECT_COUNT) == 2);
    Echo echo(f.body);
    CHECK(echo.count("Authorization") == 0);
    CHECK(echo.value("Cookie") == "c=1");
  }
  curl_slist_free_all(resolve);
  curl_slist_free_all(headers);
}

TEST_CASE("a Location to an unsupported scheme fails as libcurl without that protocol") {
  Fetch f(redir(302, "ftp://127.0.0.1/file.txt"));
  curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
  CHECK(curl_easy_perform(f.easy) == CURLE_UNSUPPORTED_PROTOCOL);
  CHECK(std::string(f.error) == "Protocol \"ftp\" not supported or disabled in libcurl");
  CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == "ftp://127.0.0.1/file.txt");
  CHECK(info_long(f.easy, CURLINFO_REDIRECT_COUNT) == 1);
  CHECK(f.status() == 302);
  CHECK(f.body.empty());
}

TEST_CASE("REDIR_PROTOCOLS and PROTOCOLS limit the schemes") {
  SUBCASE("a redirect to a scheme not in REDIR_PROTOCOLS_STR") {
    Fetch f(redir(302, "/echo"));
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_REDIR_PROTOCOLS_STR, "https") == CURLE_OK);
    CHECK(curl_easy_perform(f.easy) == CURLE_UNSUPPORTED_PROTOCOL);
    CHECK(std::string(f.error) == "Protocol \"http\" not supported or disabled in libcurl");
  }
  SUBCASE("the long form") {
    Fetch f(redir(302, "/echo"));
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(f.easy, CURLOPT_REDIR_PROTOCOLS, static_cast<long>(CURLPROTO_HTTPS));
    CHECK(curl_easy_perform(f.easy) == CURLE_UNSUPPORTED_PROTOCOL);
  }
  SUBCASE("PROTOCOLS_STR refuses the first request too") {
    Fetch f(raw("/echo"));
    CHECK(curl_easy_setopt(f.easy, CURLOPT_PROTOCOLS_STR, "https,ftp") == CURLE_OK);
    CHECK(curl_easy_perform(f.easy) == CURLE_UNSUPPORTED_PROTOCOL);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_PROTOCOLS_STR, "ALL") == CURLE_OK);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  }
  SUBCASE("names are checked") {
    Fetch f(raw("/echo"));
    CHECK(curl_easy_setopt(f.easy, CURLOPT_PROTOCOLS_STR, "http,nope") ==
          CURLE_UNSUPPORTED_PROTOCOL);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_REDIR_PROTOCOLS_STR, "") == CURLE_BAD_FUNCTION_ARGUMENT);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_REDIR_PROTOCOLS_STR, "HTTP, HTTPS") == CURLE_OK);
  }
}

TEST_CASE("https -> http is followed by default (7.88 allows http, https, ftp, ftps)") {
  TestServer &tls = good_server();
  std::string target = raw("/echo");
  Fetch f(tls.raw_url("/redir/302?to=" + target));
  curl_easy_setopt(f.easy, CURLOPT_CAINFO, pki().ca_file.c_str());
  curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 200);
  Echo echo(f.body);
  CHECK(echo.request_line == "GET /echo");
  // Scheme and port changed: the credentials stay behind.
  CHECK(echo.count("Authorization") == 0);
  CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == target);
}

TEST_CASE(
    "through socket_action: concurrent redirect chains and auth retries keep the socket "
    "contract") {
  Driver d;
  std::vector<std::unique_ptr<Fetch>> fetches;
  for (int i = 0; i < 6; ++i) {
    std::string url = i % 3 == 0   ? redir(302, server().http_url("/bytes/10"))
                      : i % 3 == 1 ? raw("/redir-chain/2")
                                   : raw("/auth/digest?user=u&pass=p");
    auto f = make(url, 5000);
    curl_easy_setopt(f->easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(f->easy, CURLOPT_USERPWD, "u:p");
    curl_easy_setopt(f->easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_DIGEST));
    REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    fetches.push_back(std::move(f));
  }
  CHECK(d.run_all(5000));
  for (size_t i = 0; i < fetches.size(); ++i) {
    CAPTURE(i);
    REQUIRE(d.result_of(fetches[i]->easy));
    CHECK(*d.result_of(fetches[i]->easy) == CURLE_OK);
    const char *want = i % 3 == 0 ? "abcdefghij" : i % 3 == 1 ? "chain end\n" : "digest ok\n";
    CHECK(fetches[i]->body == want);
    curl_multi_remove_handle(d.multi, fetches[i]->easy);
  }
  d.check_socket_contract();
  CHECK(d.violations.empty());
}

TEST_CASE("a redirect response that closes its connection: the next request opens a new one") {
  Fetch f(redir(302, "/echo") + "&close=1");
  curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 200);
  CHECK(Echo(f.body).request_line == "GET /echo");
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 2);
}
