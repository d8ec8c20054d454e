// Connection set-up over TLS: CONNECT_TO sends the connection elsewhere while the TLS name (SNI
// and the certificate check) stays the URL's host; SCHEME and PROTOCOL say HTTPS.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

#include "https_fixture.h"
#include "scripted_server.h"

using namespace evm::test;

TEST_CASE("HTTPS: CONNECT_TO keeps SNI and the certificate check on the URL's host") {
  TestServer &tls = good_server();
  uint16_t dead = refused_port();
  // The URL names a port nothing listens on; CONNECT_TO leads to the TLS server, by address.
  Https h("localhost", dead, "/bytes/3");
  curl_slist *to = curl_slist_append(nullptr, ("localhost:" + std::to_string(dead) +
                                               ":127.0.0.1:" + std::to_string(tls.http_port()))
                                                  .c_str());
  curl_easy_setopt(h.easy, CURLOPT_CONNECT_TO, to);
  CHECK(h.perform() == CURLE_OK);
  CHECK(h.body == body_of(3));
  CHECK(tls.last_sni() == "localhost");
  CHECK(info_string(h.easy, CURLINFO_SCHEME) == "HTTPS");
  CHECK(h.info_long(CURLINFO_PROTOCOL) == CURLPROTO_HTTPS);
  CHECK(h.info_long(CURLINFO_PRIMARY_PORT) == tls.http_port());
  curl_easy_cleanup(h.easy);
  h.easy = nullptr;
  curl_slist_free_all(to);
}
