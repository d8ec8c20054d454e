// What the TLS handshake negotiates and reports: SSLVERSION, SSL_CIPHER_LIST and
// TLS13_CIPHERS, SNI, SSL_OPTIONS, handshake failures with OpenSSL's reason, CERTINFO and the
// VERBOSE lines; against the test server and against a loopback nginx.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

#include "https_fixture.h"

using namespace evm::test;

TEST_SUITE_BEGIN("https");

TEST_CASE("HTTPS: handshake failures are CURLE_SSL_CONNECT_ERROR with OpenSSL's reason") {
  SUBCASE("https:// to a plain HTTP server") {
    TestServer &plain = evm::test::shared_test_server();
    Https h("127.0.0.1", plain.http_port(), "/bytes/5");
    CHECK(h.perform() == CURLE_SSL_CONNECT_ERROR);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), "wrong version number"));
  }
  SUBCASE("no cipher both sides accept (TLS 1.2, RSA-only suite against an EC key)") {
    Https h(good_server(), "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLVERSION,
                           versions(CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_MAX_TLSv1_2)) ==
          CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_CIPHER_LIST, "ECDHE-RSA-AES128-GCM-SHA256") ==
          CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_CONNECT_ERROR);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), "handshake failure"));
  }
  SUBCASE("a minimum above the maximum") {
    Https h(good_server(), "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLVERSION,
                           versions(CURL_SSLVERSION_TLSv1_3, CURL_SSLVERSION_MAX_TLSv1_2)) ==
          CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_CONNECT_ERROR);
    CHECK(std::string(h.error).size() > 0);
  }
  SUBCASE("a server that requires a client certificate, TLS 1.2: the handshake fails") {
    Https h(tls_server(Tls::Good, true), "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLVERSION,
                           versions(CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_MAX_TLSv1_2)) ==
          CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_CONNECT_ERROR);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), "handshake failure"));
  }
}

TEST_CASE("HTTPS: SNI carries host names and never IP literals") {
  TestServer &server = good_server();
  {
    Https h(server, "/bytes/3");
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(server.last_sni() == "localhost");
  }
  {
    Https h("127.0.0.1", server.http_port(), "/bytes/3");
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(server.last_sni() == "");
  }
  {
    // A trailing dot names the same host; SNI carries it without the dot.
    Https h("localhost.", server.http_port(), "/bytes/3");
    curl_slist *r = curl_slist_append(
        nullptr, ("localhost.:" + std::to_string(server.http_port()) + ":127.0.0.1").c_str());
    curl_easy_setopt(h.easy, CURLOPT_RESOLVE, r);
    CHECK(h.perform() == CURLE_OK);
    CHECK(server.last_sni() == "localhost");
    curl_easy_setopt(h.easy, CURLOPT_RESOLVE, nullptr);
    curl_slist_free_all(r);
  }
}

TEST_CASE("HTTPS: SNI is not sent for an IPv6 literal") {
  TestServerOptions o;
  o.tls = Tls::Good;
  o.bind_address = "::1";
  TestServer v6(o);
  if (!v6.start()) {
    MESSAGE("no IPv6 loopback here: skipped");
    return;
  }
  {
    Https h("localhost", v6.http_port(), "/bytes/3");
    curl_slist *r = curl_slist_append(
        nullptr, ("localhost:" + std::to_string(v6.http_port()) + ":::1").c_str());
    curl_easy_setopt(h.easy, CURLOPT_RESOLVE, r);
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(v6.last_sni() == "localhost");
    curl_easy_setopt(h.easy, CURLOPT_RESOLVE, nullptr);
    curl_slist_free_all(r);
  }
  Https h("[::1]", v6.http_port(), "/bytes/3");
  REQUIRE(h.perform() == CURLE_OK);  // the certificate has IP:::1
  CHECK(h.body == body_of(3));
  CHECK(v6.last_sni() == "");
}

TEST_CASE("HTTPS: SSLVERSION") {
  SUBCASE("maximum TLS 1.2 negotiates TLS 1.2; the default is TLS 1.3") {
    Https h(good_server(), "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLVERSION,
                           versions(CURL_SSLVERSION_TLSv1, CURL_SSLVERSION_MAX_TLSv1_2)) ==
          CURLE_OK);
    CURLcode rc;
    std::string text = verbose_perform(h, rc);
    CHECK(rc == CURLE_OK);
    INFO(text);
    CHECK(lines_with(text, "TLSv1.2") != "");
    CHECK(lines_with(text, "TLSv1.3") == "");

    Https d(good_server(), "/bytes/5");
    text = verbose_perform(d, rc);
    CHECK(rc == CURLE_OK);
    CHECK(lines_with(text, "SSL connection using", "TLSv1.3") != "");
  }
  SUBCASE("minimum TLS 1.3 works against a TLS 1.3 server") {
    Https h(good_server(), "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLVERSION,
                           static_cast<long>(CURL_SSLVERSION_TLSv1_3)) == CURLE_OK);
    CHECK(h.perform() == CURLE_OK);
  }
  SUBCASE("values libcurl refuses are CURLE_BAD_FUNCTION_ARGUMENT from setopt") {
    CURL *e = curl_easy_init();
    CHECK(curl_easy_setopt(e, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_SSLv2)) ==
          CURLE_BAD_FUNCTION_ARGUMENT);
    CHECK(curl_easy_setopt(e, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_SSLv3)) ==
          CURLE_BAD_FUNCTION_ARGUMENT);
    CHECK(curl_easy_setopt(e, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_LAST)) ==
          CURLE_BAD_FUNCTION_ARGUMENT);
    CHECK(curl_easy_setopt(e, CURLOPT_SSLVERSION, 99L) == CURLE_BAD_FUNCTION_ARGUMENT);
    CHECK(curl_easy_setopt(e, CURLOPT_SSLVERSION, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
    CHECK(curl_easy_setopt(e, CURLOPT_SSLVERSION,
                           versions(CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_MAX_LAST)) ==
          CURLE_BAD_FUNCTION_ARGUMENT);
    CHECK(curl_easy_setopt(e, CURLOPT_SSLVERSION,
                           versions(CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_MAX_DEFAULT)) ==
          CURLE_OK);
    curl_easy_cleanup(e);
  }
}

TEST_CASE("HTTPS: cipher options") {
  SUBCASE("an unknown SSL_CIPHER_LIST is CURLE_SSL_CIPHER naming it") {
    Https h(good_server(), "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_CIPHER_LIST, "NO-SUCH-CIPHER") == CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_CIPHER);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), "NO-SUCH-CIPHER"));
  }
  SUBCASE("an unknown TLS13_CIPHERS is CURLE_SSL_CIPHER naming it") {
    Https h(good_server(), "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_TLS13_CIPHERS, "TLS_NO_SUCH_SUITE") == CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_CIPHER);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), "TLS_NO_SUCH_SUITE"));
  }
  SUBCASE("TLS13_CIPHERS picks the TLS 1.3 suite (the default would be AES-256)") {
    Https h(good_server(), "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_TLS13_CIPHERS, "TLS_AES_128_GCM_SHA256") == CURLE_OK);
    CURLcode rc;
    std::string text = verbose_perform(h, rc);
    CHECK(rc == CURLE_OK);
    INFO(text);
    CHECK(lines_with(text, "TLSv1.3", "TLS_AES_128_GCM_SHA256") != "");

    Https d(good_server(), "/bytes/5");
    text = verbose_perform(d, rc);
    CHECK(rc == CURLE_OK);
    CHECK(lines_with(text, "TLSv1.3", "TLS_AES_128_GCM_SHA256") == "");
  }
  SUBCASE("SSL_CIPHER_LIST picks the TLS 1.2 cipher") {
    Https h(good_server(), "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLVERSION,
                           versions(CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_MAX_TLSv1_2)) ==
          CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_CIPHER_LIST, "ECDHE-ECDSA-CHACHA20-POLY1305") ==
          CURLE_OK);
    CURLcode rc;
    std::string text = verbose_perform(h, rc);
    CHECK(rc == CURLE_OK);
    INFO(text);
    CHECK(lines_with(text, "TLSv1.2", "ECDHE-ECDSA-CHACHA20-POLY1305") != "");
  }
}

TEST_CASE("HTTPS: SSL_OPTIONS CURLSSLOPT_NO_REVOKE is accepted") {
  Https h(good_server(), "/bytes/5");
  CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_OPTIONS, static_cast<long>(CURLSSLOPT_NO_REVOKE)) ==
        CURLE_OK);
  CHECK(h.perform() == CURLE_OK);
  CHECK(h.body == body_of(5));
}

TEST_CASE("HTTPS: CERTINFO lists the peer's chain") {
  Https h(good_server(), "/bytes/5");
  curl_certinfo *ci = nullptr;
  SUBCASE("without CERTINFO the list is empty") {
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(curl_easy_getinfo(h.easy, CURLINFO_CERTINFO, &ci) == CURLE_OK);
    REQUIRE(ci != nullptr);
    CHECK(ci->num_of_certs == 0);
  }
  SUBCASE("with CERTINFO") {
    CHECK(curl_easy_setopt(h.easy, CURLOPT_CERTINFO, 1L) == CURLE_OK);
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(curl_easy_getinfo(h.easy, CURLINFO_CERTINFO, &ci) == CURLE_OK);
    REQUIRE(ci != nullptr);
    REQUIRE(ci->num_of_certs >= 1);
    std::string subject, issuer, cert;
    for (curl_slist *l = ci->certinfo[0]; l; l = l->next) {
      std::string line = l->data;
      if (line.rfind("Subject:", 0) == 0) subject = line;
      if (line.rfind("Issuer:", 0) == 0) issuer = line;
      if (line.rfind("Cert:", 0) == 0) cert = line;
    }
    INFO(subject << "\n" << issuer);
    CHECK(contains(subject, "localhost"));
    CHECK(contains(issuer, "evmulti test CA"));
    CHECK(contains(cert, "-----BEGIN CERTIFICATE-----"));
    for (int i = 0; i < ci->num_of_certs; ++i) {
      bool has_subject = false;
      for (curl_slist *l = ci->certinfo[i]; l; l = l->next)
        has_subject = has_subject || std::string(l->data).rfind("Subject:", 0) == 0;
      CHECK(has_subject);
    }
  }
}

TEST_CASE("HTTPS: VERBOSE shows TLS version, cipher, ALPN, subject and issuer") {
  Https h(good_server(), "/bytes/5");
  CURLcode rc;
  std::string text = verbose_perform(h, rc);
  REQUIRE(rc == CURLE_OK);
  INFO(text);
  CHECK(lines_with(text, "SSL connection using", "TLSv1.3") != "");
  CHECK(lines_with(text, "SSL connection using", "TLS_") != "");
  CHECK(lines_with(text, "ALPN", "http/1.1") != "");
  CHECK(lines_with(text, "subject:", "localhost") != "");
  CHECK(lines_with(text, "issuer:", "evmulti test CA") != "");
  CHECK(lines_with(text, "CAfile:", pki().ca_file) != "");
}

TEST_CASE("nginx: SNI, TLS version and cipher as nginx saw them") {
  NginxServer *n = nginx();
  if (!n) return;
  const uint16_t port = n->port(NginxServer::Site::Good);
  {
    Https h("127.0.0.1", port, "/bytes/3");
    REQUIRE(h.perform() == CURLE_OK);
    INFO(h.headers);
    CHECK(!contains(h.headers, "X-SSL-SNI"));
  }
  {
    Https h("localhost", port, "/bytes/3");
    curl_easy_setopt(h.easy, CURLOPT_SSLVERSION,
                     versions(CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_MAX_TLSv1_2));
    curl_easy_setopt(h.easy, CURLOPT_SSL_CIPHER_LIST, "ECDHE-ECDSA-CHACHA20-POLY1305");
    REQUIRE(h.perform() == CURLE_OK);
    INFO(h.headers);
    CHECK(contains(h.headers, "X-SSL-Protocol: TLSv1.2"));
    CHECK(contains(h.headers, "X-SSL-Cipher: ECDHE-ECDSA-CHACHA20-POLY1305"));
  }
  {
    Https h("localhost", port, "/bytes/3");
    curl_easy_setopt(h.easy, CURLOPT_TLS13_CIPHERS, "TLS_AES_128_GCM_SHA256");
    REQUIRE(h.perform() == CURLE_OK);
    INFO(h.headers);
    CHECK(contains(h.headers, "X-SSL-Cipher: TLS_AES_128_GCM_SHA256"));
  }
}

TEST_SUITE_END();
