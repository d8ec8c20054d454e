// Client certificates over HTTPS: SSLCERT, SSLKEY, their types, KEYPASSWD, and the errors of
// each; against the test server and against a loopback nginx.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "https_fixture.h"

using namespace evm::test;

TEST_SUITE_BEGIN("https");

TEST_CASE("HTTPS: client certificates") {
  TestServer &server = tls_server(Tls::Good, /*require_client_cert=*/true);
  SUBCASE("without one, TLS 1.3: the server's alert fails the transfer") {
    // TLS 1.3 ends the client's handshake before the server checks; libcurl 7.88 then fails in
    // the first read (CURLE_RECV_ERROR, "tlsv13 alert certificate required") or write
    // (CURLE_SEND_ERROR), depending on timing.
    Https h(server, "/bytes/5");
    CURLcode rc = h.perform();
    INFO("error: " << h.err());
    CHECK((rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR));
    CHECK(h.body.empty());
    CHECK(h.status() != 200);
  }
  SUBCASE("SSLCERT + SSLKEY") {
    Https h(server, "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLCERT, pki().client_cert.c_str()) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLKEY, pki().client_key.c_str()) == CURLE_OK);
    CHECK(h.perform() == CURLE_OK);
    CHECK(h.status() == 200);
    CHECK(h.body == body_of(5));
  }
  SUBCASE("SSLCERTTYPE PEM spelled out, key in the same file as the certificate") {
    std::string both = scratch_dir() + "/client-both.pem";
    std::ofstream(both) << read_file(pki().client_cert) << read_file(pki().client_key);
    Https h(server, "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLCERT, both.c_str()) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLCERTTYPE, "PEM") == CURLE_OK);
    CHECK(h.perform() == CURLE_OK);
    CHECK(h.body == body_of(5));
  }
  SUBCASE("an encrypted key with KEYPASSWD") {
    Https h(server, "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLCERT, pki().client_cert.c_str()) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLKEY, pki().client_key_encrypted.c_str()) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_KEYPASSWD, TestPki::kClientKeyPassword) == CURLE_OK);
    CHECK(h.perform() == CURLE_OK);
    CHECK(h.body == body_of(5));
  }
  SUBCASE("an encrypted key with the wrong KEYPASSWD: CURLE_SSL_CERTPROBLEM naming the key") {
    Https h(server, "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLCERT, pki().client_cert.c_str()) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLKEY, pki().client_key_encrypted.c_str()) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_KEYPASSWD, "not the password") == CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_CERTPROBLEM);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), pki().client_key_encrypted));
  }
  SUBCASE("an encrypted key without KEYPASSWD: CURLE_SSL_CERTPROBLEM, no prompt") {
    Https h(server, "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLCERT, pki().client_cert.c_str()) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLKEY, pki().client_key_encrypted.c_str()) == CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_CERTPROBLEM);
  }
  SUBCASE("a missing certificate file: CURLE_SSL_CERTPROBLEM naming the file") {
    const std::string missing = scratch_dir() + "/no-such-client.pem";
    Https h(server, "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLCERT, missing.c_str()) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLKEY, pki().client_key.c_str()) == CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_CERTPROBLEM);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), missing));
  }
  SUBCASE("a key that does not belong to the certificate: CURLE_SSL_CERTPROBLEM") {
    Https h(server, "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLCERT, pki().client_cert.c_str()) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLKEY, pki().server_key.c_str()) == CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_CERTPROBLEM);
    CHECK(std::string(h.error).size() > 0);
  }
  SUBCASE("SSLKEYTYPE DER on a PEM file: CURLE_SSL_CERTPROBLEM") {
    Https h(server, "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLCERT, pki().client_cert.c_str()) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLKEY, pki().client_key.c_str()) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLKEYTYPE, "DER") == CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_CERTPROBLEM);
  }
  SUBCASE("SSLCERTTYPE DER on a PEM file: CURLE_SSL_CERTPROBLEM") {
    Https h(server, "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLCERT, pki().client_cert.c_str()) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLKEY, pki().client_key.c_str()) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSLCERTTYPE, "DER") == CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_CERTPROBLEM);
    CHECK(std::string(h.error).size() > 0);
  }
}

TEST_CASE("nginx: client certificates") {
  NginxServer *n = nginx();
  if (!n) return;
  const uint16_t port = n->port(NginxServer::Site::ClientCert);
  {
    Https h("localhost", port, "/bytes/3");
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(h.status() == 400);
  }
  {
    Https h("localhost", port, "/bytes/3");
    curl_easy_setopt(h.easy, CURLOPT_SSLCERT, pki().client_cert.c_str());
    curl_easy_setopt(h.easy, CURLOPT_SSLKEY, pki().client_key_encrypted.c_str());
    curl_easy_setopt(h.easy, CURLOPT_KEYPASSWD, TestPki::kClientKeyPassword);
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(h.status() == 200);
    CHECK(h.body == body_of(3));
    CHECK(contains(h.headers, "X-SSL-Client: SUCCESS"));
  }
}

TEST_SUITE_END();
