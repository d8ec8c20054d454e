// HTTPS peer verification (issue 5), secure by default: a verified transfer and its timings,
// each verification failure with libcurl's CURLcode, verify result and error text, the trust
// store options (CAINFO, CAINFO_BLOB, CAPATH), PINNEDPUBLICKEY, and what curl_easy_reset and
// curl_easy_duphandle do to all of it; against the test server and against a loopback nginx.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "https_fixture.h"

using namespace evm::test;

namespace {

struct X509Free {
  void operator()(X509 *x) const { X509_free(x); }
};

std::unique_ptr<X509, X509Free> load_cert(const std::string &path) {
  FILE *f = std::fopen(path.c_str(), "r");
  REQUIRE(f != nullptr);
  X509 *x = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  REQUIRE(x != nullptr);
  return std::unique_ptr<X509, X509Free>(x);
}

// "sha256//<base64 of SHA-256 over the DER SubjectPublicKeyInfo>" of a certificate's key.
std::string pin_of(const std::string &cert_path) {
  auto cert = load_cert(cert_path);
  unsigned char *der = nullptr;
  int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), &der);
  REQUIRE(n > 0);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  REQUIRE(EVP_Digest(der, static_cast<size_t>(n), digest, &len, EVP_sha256(), nullptr) == 1);
  OPENSSL_free(der);
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int m = EVP_EncodeBlock(b64, digest, static_cast<int>(len));
  return "sha256//" + std::string(reinterpret_cast<char *>(b64), static_cast<size_t>(m));
}

// The certificate's public key as a PEM file ("BEGIN PUBLIC KEY"), for a file pin.
std::string write_public_key(const std::string &cert_path, const std::string &name) {
  auto cert = load_cert(cert_path);
  std::string path = scratch_dir() + "/" + name;
  FILE *f = std::fopen(path.c_str(), "w");
  REQUIRE(f != nullptr);
  REQUIRE(PEM_write_PUBKEY(f, X509_get0_pubkey(cert.get())) == 1);
  std::fclose(f);
  return path;
}

// A CA directory as OpenSSL's CApath lookup wants it: the CA under "<subject hash>.0".
std::string make_capath() {
  static const std::string dir = [] {
    std::string d = scratch_dir() + "/capath";
    fs::create_directories(d);
    auto ca = load_cert(pki().ca_file);
    char name[32];
    std::snprintf(name, sizeof name, "%08lx.0", X509_subject_name_hash(ca.get()));
    fs::copy_file(pki().ca_file, d + "/" + name, fs::copy_options::overwrite_existing);
    return d;
  }();
  return dir;
}

Origin nginx_origin(NginxServer &n) {
  using Site = NginxServer::Site;
  return {"nginx", n.port(Site::Good), n.port(Site::Expired), n.port(Site::WrongName),
          n.port(Site::SelfSigned)};
}

// A verified transfer over TLS: body, status, protocol, verify result and timings.
void check_verified_transfer(const Origin &o) {
  INFO(o.name);
  Https h("localhost", o.good, "/bytes/1000");
  REQUIRE(h.perform() == CURLE_OK);
  CHECK(h.status() == 200);
  CHECK(h.body == body_of(1000));
  CHECK(h.info_long(CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_1_1);
  CHECK(h.verify_result() == 0);
  curl_off_t connect = h.info_off(CURLINFO_CONNECT_TIME_T);
  curl_off_t app = h.info_off(CURLINFO_APPCONNECT_TIME_T);
  curl_off_t pre = h.info_off(CURLINFO_PRETRANSFER_TIME_T);
  CHECK(app > 0);
  CHECK(connect <= app);
  CHECK(app <= pre);
  double app_seconds = -1;
  CHECK(curl_easy_getinfo(h.easy, CURLINFO_APPCONNECT_TIME, &app_seconds) == CURLE_OK);
  CHECK(app_seconds == doctest::Approx(static_cast<double>(app) / 1e6).epsilon(0.01));
}

// Each verification failure with libcurl's code, verify result and error text.
void check_verification_failures(const Origin &o) {
  INFO(o.name);
  SUBCASE("expired") {
    Https h("localhost", o.expired, "/bytes/10");
    CHECK(h.perform() == CURLE_PEER_FAILED_VERIFICATION);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), "expired"));
    CHECK(h.verify_result() == 10);  // X509_V_ERR_CERT_HAS_EXPIRED
    CHECK(h.body.empty());
  }
  SUBCASE("expired and under a name it lacks: the chain is reported first, as by libcurl") {
    Https h("other.example", o.expired, "/bytes/10");
    std::string entry = "other.example:" + std::to_string(o.expired) + ":127.0.0.1";
    curl_slist *resolve = curl_slist_append(nullptr, entry.c_str());
    CHECK(curl_easy_setopt(h.easy, CURLOPT_RESOLVE, resolve) == CURLE_OK);
    CHECK(h.perform() == CURLE_PEER_FAILED_VERIFICATION);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), "expired"));
    CHECK(h.verify_result() == 10);
    curl_slist_free_all(resolve);
  }
  SUBCASE("self-signed") {
    Https h("localhost", o.self_signed, "/bytes/10");
    CHECK(h.perform() == CURLE_PEER_FAILED_VERIFICATION);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), "self"));
    CHECK(contains(h.err(), "signed"));
    CHECK(h.verify_result() == 18);  // X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
  }
  SUBCASE("wrong name: host name") {
    Https h("localhost", o.wrong_name, "/bytes/10");
    CHECK(h.perform() == CURLE_PEER_FAILED_VERIFICATION);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), "localhost"));
    CHECK(contains(h.err(), "name"));
    CHECK(h.body.empty());
  }
  SUBCASE("wrong name: IP address") {
    Https h("127.0.0.1", o.wrong_name, "/bytes/10");
    CHECK(h.perform() == CURLE_PEER_FAILED_VERIFICATION);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), "127.0.0.1"));
  }
  SUBCASE("unknown CA: no CAINFO, so the system store is used and knows no test CA") {
    Https h("localhost", o.good, "/bytes/10", /*trust_test_ca=*/false);
    CHECK(h.perform() == CURLE_PEER_FAILED_VERIFICATION);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), "unable to get local issuer certificate"));
    CHECK(h.verify_result() == 20);  // X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
  }
  SUBCASE("pinned public key mismatch") {
    Https h("localhost", o.good, "/bytes/10");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_PINNEDPUBLICKEY, pin_of(pki().client_cert).c_str()) ==
          CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_PINNEDPUBKEYNOTMATCH);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), "pinned public key"));
    CHECK(h.body.empty());
  }
  SUBCASE("pinned public key match") {
    Https h("localhost", o.good, "/bytes/10");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_PINNEDPUBLICKEY, pin_of(pki().server_cert).c_str()) ==
          CURLE_OK);
    CHECK(h.perform() == CURLE_OK);
    CHECK(h.body == body_of(10));
  }
  SUBCASE("SSL_VERIFYPEER 0 accepts an unknown CA, an expired and a self-signed certificate") {
    for (uint16_t port : {o.good, o.expired, o.self_signed}) {
      CAPTURE(port);
      Https h("localhost", port, "/bytes/10", /*trust_test_ca=*/false);
      CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK);
      CHECK(h.perform() == CURLE_OK);
      CHECK(h.body == body_of(10));
    }
  }
}

}  // namespace

TEST_SUITE_BEGIN("https");

TEST_CASE("HTTPS: a verified transfer: body, HTTP/1.1 over ALPN, verify result 0, timings") {
  check_verified_transfer(test_server_origin());
}

TEST_CASE("HTTPS: APPCONNECT_TIME is 0 for plain http") {
  evm::test::Fetch f(evm::test::shared_test_server().http_url("/bytes/10"));
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  curl_off_t app = -1, connect = -1;
  double app_seconds = -1;
  CHECK(curl_easy_getinfo(f.easy, CURLINFO_APPCONNECT_TIME_T, &app) == CURLE_OK);
  CHECK(curl_easy_getinfo(f.easy, CURLINFO_APPCONNECT_TIME, &app_seconds) == CURLE_OK);
  CHECK(curl_easy_getinfo(f.easy, CURLINFO_CONNECT_TIME_T, &connect) == CURLE_OK);
  CHECK(app == 0);
  CHECK(app_seconds == 0.0);
  CHECK(connect > 0);
}

TEST_CASE("HTTPS: verification failures have libcurl's codes, verify results and error texts") {
  check_verification_failures(test_server_origin());
}

TEST_CASE("HTTPS: secure by default") {
  SUBCASE("a handle with no TLS option at all refuses a certificate the system does not trust") {
    CURL *e = curl_easy_init();
    std::string url = "https://127.0.0.1:" + std::to_string(good_server().http_port()) + "/bytes/5";
    char error[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, evm::test::collect_body);
    std::string body;
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
    CHECK(curl_easy_perform(e) == CURLE_PEER_FAILED_VERIFICATION);
    CHECK(body.empty());
    curl_easy_cleanup(e);
  }
  SUBCASE("SSL_VERIFYHOST 1 checks the name as 2 does") {
    Https h("localhost", test_server_origin().wrong_name, "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYHOST, 1L) == CURLE_OK);
    CHECK(h.perform() == CURLE_PEER_FAILED_VERIFICATION);
  }
  SUBCASE("SSL_VERIFYHOST 0 allows a wrong name") {
    Https h("localhost", test_server_origin().wrong_name, "/bytes/5");
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK);
    CHECK(h.perform() == CURLE_OK);
    CHECK(h.body == body_of(5));
    CHECK(h.verify_result() == 0);
  }
  SUBCASE("SSL_VERIFYHOST 0 still checks the chain") {
    for (uint16_t port : {test_server_origin().expired, test_server_origin().self_signed}) {
      CAPTURE(port);
      Https h("localhost", port, "/bytes/5");
      CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK);
      CHECK(h.perform() == CURLE_PEER_FAILED_VERIFICATION);
    }
    Https h("localhost", test_server_origin().wrong_name, "/bytes/5", /*trust_test_ca=*/false);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK);
    CHECK(h.perform() == CURLE_PEER_FAILED_VERIFICATION);
    CHECK(h.verify_result() == 20);
  }
  SUBCASE("SSL_VERIFYPEER 0 still checks the name") {
    Https h("localhost", test_server_origin().wrong_name, "/bytes/5", /*trust_test_ca=*/false);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK);
    CHECK(h.perform() == CURLE_PEER_FAILED_VERIFICATION);
    INFO("error: " << h.err());
    CHECK(contains(h.err(), "localhost"));
  }
  SUBCASE("SSL_VERIFYPEER 0 and SSL_VERIFYHOST 0 accept anything, and report the verify result") {
    Https h("localhost", test_server_origin().self_signed, "/bytes/5", /*trust_test_ca=*/false);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK);
    CHECK(h.perform() == CURLE_OK);
    CHECK(h.body == body_of(5));
    CHECK(h.verify_result() == 18);
  }
  SUBCASE(
      "SSL_VERIFYPEER 0 loads no trust store, as libcurl: the verify result is an empty "
      "store's") {
    // libcurl 7.88 against the same servers with the test CA as CAINFO: 20 for the good, the
    // expired and the wrong-name certificate, 18 for the self-signed one.
    const std::pair<uint16_t, long> cases[] = {{good_server().http_port(), 20},
                                               {test_server_origin().expired, 20},
                                               {test_server_origin().wrong_name, 20},
                                               {test_server_origin().self_signed, 18}};
    for (const auto &c : cases) {
      // Named copies: clang does not let a lambda (CAPTURE) see a structured binding.
      const uint16_t port = c.first;
      const long expected = c.second;
      CAPTURE(port);
      Https h("localhost", port, "/bytes/5");
      CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK);
      CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK);
      CURLcode rc;
      std::string text = verbose_perform(h, rc);
      CHECK(rc == CURLE_OK);
      CHECK(h.verify_result() == expected);
      CHECK(lines_with(text, "CAfile:") == "");  // no store, so none is named
    }
  }
  SUBCASE("CAINFO NULL and CAPATH NULL: nothing is trusted") {
    Https h("localhost", good_server().http_port(), "/bytes/5", /*trust_test_ca=*/false);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_CAINFO, nullptr) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_CAPATH, nullptr) == CURLE_OK);
    CHECK(h.perform() == CURLE_PEER_FAILED_VERIFICATION);
  }
}

TEST_CASE("HTTPS: CAINFO errors: a missing CA file is CURLE_SSL_CACERT_BADFILE") {
  const std::string missing = scratch_dir() + "/no-such-ca.pem";
  Https h(good_server(), "/bytes/5", /*trust_test_ca=*/false);
  CHECK(curl_easy_setopt(h.easy, CURLOPT_CAINFO, missing.c_str()) == CURLE_OK);
  CHECK(h.perform() == CURLE_SSL_CACERT_BADFILE);
  INFO("error: " << h.err());
  CHECK(contains(h.err(), missing));
  CHECK(h.body.empty());

  SUBCASE("without peer verification a missing CA file does not matter") {
    Https k(good_server(), "/bytes/5", /*trust_test_ca=*/false);
    CHECK(curl_easy_setopt(k.easy, CURLOPT_CAINFO, missing.c_str()) == CURLE_OK);
    CHECK(curl_easy_setopt(k.easy, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK);
    CHECK(k.perform() == CURLE_OK);
    CHECK(k.body == body_of(5));
  }
}

TEST_CASE("HTTPS: CAINFO_BLOB") {
  SUBCASE("the CA PEM in memory is trusted, copied at setopt time") {
    Https h(good_server(), "/bytes/7", /*trust_test_ca=*/false);
    {
      std::string pem = pki().ca_pem;
      curl_blob blob{pem.data(), pem.size(), CURL_BLOB_COPY};
      CHECK(curl_easy_setopt(h.easy, CURLOPT_CAINFO_BLOB, &blob) == CURLE_OK);
      pem.assign(pem.size(), 'x');  // the library must hold its own copy
    }
    CHECK(h.perform() == CURLE_OK);
    CHECK(h.body == body_of(7));
    CHECK(h.verify_result() == 0);
  }
  SUBCASE("a blob holding another certificate does not make the server trusted") {
    Https h(good_server(), "/bytes/7", /*trust_test_ca=*/false);
    std::string pem = read_file(pki().self_signed_cert);
    REQUIRE(!pem.empty());
    curl_blob blob{pem.data(), pem.size(), CURL_BLOB_COPY};
    CHECK(curl_easy_setopt(h.easy, CURLOPT_CAINFO_BLOB, &blob) == CURLE_OK);
    CHECK(h.perform() == CURLE_PEER_FAILED_VERIFICATION);
  }
  SUBCASE("a blob holding no certificate is CURLE_SSL_CACERT_BADFILE") {
    Https h(good_server(), "/bytes/7", /*trust_test_ca=*/false);
    std::string junk = "not a certificate";
    curl_blob blob{junk.data(), junk.size(), CURL_BLOB_COPY};
    CHECK(curl_easy_setopt(h.easy, CURLOPT_CAINFO_BLOB, &blob) == CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_CACERT_BADFILE);
    CHECK(std::string(h.error).size() > 0);
  }
}

TEST_CASE("HTTPS: CAPATH: a hashed directory holding the CA") {
  SUBCASE("trusted through the directory alone") {
    Https h(good_server(), "/bytes/9", /*trust_test_ca=*/false);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_CAINFO, nullptr) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_CAPATH, make_capath().c_str()) == CURLE_OK);
    CHECK(h.perform() == CURLE_OK);
    CHECK(h.body == body_of(9));
  }
  SUBCASE("a directory without the CA trusts nothing") {
    std::string empty = scratch_dir() + "/empty-capath";
    fs::create_directories(empty);
    Https h(good_server(), "/bytes/9", /*trust_test_ca=*/false);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_CAINFO, nullptr) == CURLE_OK);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_CAPATH, empty.c_str()) == CURLE_OK);
    CHECK(h.perform() == CURLE_PEER_FAILED_VERIFICATION);
  }
}

TEST_CASE("HTTPS: PINNEDPUBLICKEY") {
  SUBCASE("one of several sha256// pins matches") {
    Https h(good_server(), "/bytes/5");
    std::string pins = pin_of(pki().client_cert) + ";" + pin_of(pki().server_cert);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_PINNEDPUBLICKEY, pins.c_str()) == CURLE_OK);
    CHECK(h.perform() == CURLE_OK);
  }
  SUBCASE("a public key file") {
    Https ok(good_server(), "/bytes/5");
    std::string right = write_public_key(pki().server_cert, "server-pub.pem");
    CHECK(curl_easy_setopt(ok.easy, CURLOPT_PINNEDPUBLICKEY, right.c_str()) == CURLE_OK);
    CHECK(ok.perform() == CURLE_OK);

    Https bad(good_server(), "/bytes/5");
    std::string wrong = write_public_key(pki().client_cert, "client-pub.pem");
    CHECK(curl_easy_setopt(bad.easy, CURLOPT_PINNEDPUBLICKEY, wrong.c_str()) == CURLE_OK);
    CHECK(bad.perform() == CURLE_SSL_PINNEDPUBKEYNOTMATCH);
  }
  SUBCASE("an unreadable pin file is a mismatch") {
    Https h(good_server(), "/bytes/5");
    std::string missing = scratch_dir() + "/no-such-key.pem";
    CHECK(curl_easy_setopt(h.easy, CURLOPT_PINNEDPUBLICKEY, missing.c_str()) == CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_PINNEDPUBKEYNOTMATCH);
  }
  SUBCASE("the pin is checked even when verification is off") {
    Https h("localhost", test_server_origin().self_signed, "/bytes/5", /*trust_test_ca=*/false);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYHOST, 0L);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_PINNEDPUBLICKEY, pin_of(pki().server_cert).c_str()) ==
          CURLE_OK);
    CHECK(h.perform() == CURLE_SSL_PINNEDPUBKEYNOTMATCH);
  }
  SUBCASE("the pin is checked on a resumed session too") {
    Multi multi;
    TestServer &server = good_server();
    Https first(server, "/bytes/5");
    curl_easy_setopt(first.easy, CURLOPT_FORBID_REUSE, 1L);
    REQUIRE(run_in(multi.m, first.easy) == CURLE_OK);
    curl_easy_setopt(first.easy, CURLOPT_PINNEDPUBLICKEY, pin_of(pki().client_cert).c_str());
    CHECK(run_in(multi.m, first.easy) == CURLE_SSL_PINNEDPUBKEYNOTMATCH);
  }
}

TEST_CASE("HTTPS: curl_easy_reset and curl_easy_duphandle") {
  SUBCASE("reset turns verification back on") {
    Https h("localhost", test_server_origin().self_signed, "/bytes/5", /*trust_test_ca=*/false);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYHOST, 0L);
    REQUIRE(h.perform() == CURLE_OK);
    curl_easy_reset(h.easy);
    std::string url = Https::make_url("127.0.0.1", test_server_origin().self_signed, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h.easy, CURLOPT_WRITEFUNCTION, evm::test::collect_body);
    curl_easy_setopt(h.easy, CURLOPT_WRITEDATA, &h.body);
    curl_easy_setopt(h.easy, CURLOPT_ERRORBUFFER, h.error);
    CHECK(h.perform() == CURLE_PEER_FAILED_VERIFICATION);
    CHECK(h.verify_result() == 18);
  }
  SUBCASE("a duplicate keeps the TLS options: CA blob, client certificate, pin") {
    TestServer &cc = tls_server(Tls::Good, true);
    Https h(cc, "/bytes/5", /*trust_test_ca=*/false);
    std::string pem = pki().ca_pem;
    curl_blob blob{pem.data(), pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(h.easy, CURLOPT_CAINFO_BLOB, &blob);
    curl_easy_setopt(h.easy, CURLOPT_SSLCERT, pki().client_cert.c_str());
    curl_easy_setopt(h.easy, CURLOPT_SSLKEY, pki().client_key_encrypted.c_str());
    curl_easy_setopt(h.easy, CURLOPT_KEYPASSWD, TestPki::kClientKeyPassword);
    std::string pin = pin_of(pki().server_cert);
    curl_easy_setopt(h.easy, CURLOPT_PINNEDPUBLICKEY, pin.c_str());
    CURL *dup = curl_easy_duphandle(h.easy);
    REQUIRE(dup != nullptr);
    std::string body;
    curl_easy_setopt(dup, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(dup, CURLOPT_HEADERDATA, &body);
    curl_easy_setopt(dup, CURLOPT_ERRORBUFFER, nullptr);
    CHECK(curl_easy_perform(dup) == CURLE_OK);
    CHECK(contains(body, body_of(5)));
    curl_easy_cleanup(dup);
  }
}

TEST_CASE("HTTPS: the verify result belongs to each transfer") {
  Multi multi;
  Https h("localhost", test_server_origin().expired, "/bytes/5");
  CHECK(run_in(multi.m, h.easy) == CURLE_PEER_FAILED_VERIFICATION);
  CHECK(h.verify_result() == 10);
  std::string url = Https::make_url("127.0.0.1", good_server().http_port(), "/bytes/5");
  curl_easy_setopt(h.easy, CURLOPT_URL, url.c_str());
  CHECK(run_in(multi.m, h.easy) == CURLE_OK);
  CHECK(h.verify_result() == 0);
}

TEST_CASE("nginx: a verified transfer") {
  NginxServer *n = nginx();
  if (!n) return;
  check_verified_transfer(nginx_origin(*n));
  Https h("localhost", n->port(NginxServer::Site::Good), "/bytes/3");
  REQUIRE(h.perform() == CURLE_OK);
  INFO(h.headers);
  CHECK(contains(h.headers, "X-SSL-Protocol: TLSv1.3"));
  CHECK(contains(h.headers, "X-SSL-SNI: localhost"));
}

TEST_CASE("nginx: verification failures") {
  NginxServer *n = nginx();
  if (!n) return;
  check_verification_failures(nginx_origin(*n));
}

TEST_SUITE_END();
