// HTTPS through the public API (issue 5): verification on by default, every TLS option and
// getinfo item, the error table with its CURLcodes and error texts, session resumption,
// connection reuse only between equal TLS settings, 1,000 concurrent handshakes driven by
// curl_multi_socket_action, and the same expectations against a loopback nginx.
//
// The servers observe the client from the other side (handshakes, resumed sessions, SNI), so
// a test passes only if the feature really happened on the wire. Servers live as long as the
// process and their counters only grow: tests compare before and after.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "easy_fixture.h"
#include "epoll_loop.h"
#include "nginx_server.h"
#include "shared_test_server.h"
#include "test_certs.h"
#include "test_server.h"

namespace {

namespace fs = std::filesystem;
using evm::test::NginxServer;
using evm::test::TestPki;
using evm::test::TestServer;
using evm::test::TestServerOptions;
using Tls = TestServerOptions::Tls;
using Clock = std::chrono::steady_clock;

const TestPki &pki() {
  return TestPki::get();
}

// A CURLOPT_SSLVERSION value: the minimum ORed with a CURL_SSLVERSION_MAX_* maximum.
long versions(long min, long max) {
  return min | max;
}

// Client and in-process servers share this process's descriptors: 1,000 connections need
// about 2,000 of them.
void raise_fd_limit() {
  static const bool done = [] {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
    }
    return true;
  }();
  (void)done;
}

// One TLS test server per certificate kind (and one demanding client certificates), started
// on first use.
TestServer &tls_server(Tls kind, bool require_client_cert = false) {
  // OpenSSL first: its exit handler must run after these servers' threads have ended, or their
  // per-thread OpenSSL state is never freed (a leak report under ASan).
  (void)pki();
  static std::mutex mu;
  static std::map<std::pair<int, bool>, std::unique_ptr<TestServer>> servers;
  std::lock_guard<std::mutex> lock(mu);
  auto &slot = servers[{static_cast<int>(kind), require_client_cert}];
  if (!slot) {
    raise_fd_limit();
    TestServerOptions o;
    o.tls = kind;
    o.require_client_cert = require_client_cert;
    slot = std::make_unique<TestServer>(o);
    REQUIRE(slot->start());
  }
  return *slot;
}

TestServer &good_server() {
  return tls_server(Tls::Good);
}

std::string body_of(size_t n) {
  std::string s(n, 'a');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool contains(const std::string &haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// A directory removed at the end of the process.
const std::string &scratch_dir() {
  struct Dir {
    std::string path;
    Dir() {
      std::string tmpl = (fs::temp_directory_path() / "evmulti-https-test-XXXXXX").string();
      REQUIRE(mkdtemp(tmpl.data()) != nullptr);
      path = tmpl;
    }
    ~Dir() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  };
  static Dir dir;
  return dir.path;
}

// An easy handle for https://HOST:PORT/PATH that trusts the test CA (unless told not to) and
// gives up after 20 s. "localhost" is pinned to 127.0.0.1 with CURLOPT_RESOLVE, where the
// servers listen, whatever the resolver says about ::1.
struct Https : evm::test::Fetch {
  curl_slist *resolve = nullptr;

  static std::string make_url(std::string_view host, uint16_t port, std::string_view path) {
    return "https://" + std::string(host) + ":" + std::to_string(port) + std::string(path);
  }

  Https(std::string_view host, uint16_t port, std::string_view path, bool trust_test_ca = true)
      : Fetch(make_url(host, port, path)) {
    if (host == "localhost") {
      resolve =
          curl_slist_append(nullptr, ("localhost:" + std::to_string(port) + ":127.0.0.1").c_str());
      curl_easy_setopt(easy, CURLOPT_RESOLVE, resolve);
    }
    if (trust_test_ca) curl_easy_setopt(easy, CURLOPT_CAINFO, pki().ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  }
  // "localhost" at a test server's HTTP listener.
  Https(TestServer &server, std::string_view path, bool trust_test_ca = true)
      : Https("localhost", server.http_port(), path, trust_test_ca) {}
  ~Https() {
    curl_easy_cleanup(easy);  // before the list it may still point at
    easy = nullptr;
    curl_slist_free_all(resolve);
  }

  CURLcode perform() { return curl_easy_perform(easy); }
  long info_long(CURLINFO what) const {
    long v = -1;
    CHECK(curl_easy_getinfo(easy, what, &v) == CURLE_OK);
    return v;
  }
  curl_off_t info_off(CURLINFO what) const {
    curl_off_t v = -1;
    CHECK(curl_easy_getinfo(easy, what, &v) == CURLE_OK);
    return v;
  }
  long verify_result() const { return info_long(CURLINFO_SSL_VERIFYRESULT); }
  std::string err() const { return error; }
};

// Runs one transfer to completion in `multi` (so connections and sessions stay in the multi
// handle for the next one) and takes the handle out again.
CURLcode run_in(CURLM *multi, CURL *easy) {
  REQUIRE(curl_multi_add_handle(multi, easy) == CURLM_OK);
  CURLcode result = CURLE_OK;
  bool done = false;
  const auto until = Clock::now() + std::chrono::seconds(25);
  while (!done && Clock::now() < until) {
    int running = 0;
    REQUIRE(curl_multi_perform(multi, &running) == CURLM_OK);
    int left = 0;
    while (CURLMsg *m = curl_multi_info_read(multi, &left))
      if (m->msg == CURLMSG_DONE && m->easy_handle == easy) {
        result = m->data.result;
        done = true;
      }
    if (!done) REQUIRE(curl_multi_poll(multi, nullptr, 0, 100, nullptr) == CURLM_OK);
  }
  REQUIRE(done);
  REQUIRE(curl_multi_remove_handle(multi, easy) == CURLM_OK);
  return result;
}

struct Multi {
  CURLM *m = curl_multi_init();
  ~Multi() { curl_multi_cleanup(m); }
};

// Everything written to stderr (CURLOPT_VERBOSE's destination) while it lives.
class StderrCapture {
 public:
  StderrCapture() {
    std::fflush(stderr);
    file_ = std::tmpfile();
    REQUIRE(file_ != nullptr);
    saved_ = dup(2);
    REQUIRE(saved_ >= 0);
    REQUIRE(dup2(fileno(file_), 2) >= 0);
  }
  ~StderrCapture() { finish(); }
  std::string finish() {
    if (saved_ < 0) return text_;
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    saved_ = -1;
    std::rewind(file_);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, file_)) > 0) text_.append(buf, n);
    std::fclose(file_);
    file_ = nullptr;
    return text_;
  }

 private:
  FILE *file_ = nullptr;
  int saved_ = -1;
  std::string text_;
};

// The verbose output of one easy_perform, with its result.
std::string verbose_perform(Https &h, CURLcode &rc) {
  curl_easy_setopt(h.easy, CURLOPT_VERBOSE, 1L);
  StderrCapture capture;
  rc = h.perform();
  return capture.finish();
}

// The lines of `text` that contain `a` (and `b`, if given).
std::string lines_with(const std::string &text, std::string_view a, std::string_view b = {}) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line))
    if (contains(line, a) && (b.empty() || contains(line, b))) out += line + "\n";
  return out;
}

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

// ---- the TLS origin abstraction, so the same checks run against both servers -------------

// Ports of one server for each certificate kind.
struct Origin {
  const char *name;
  uint16_t good, expired, wrong_name, self_signed;
};

Origin test_server_origin() {
  return {"test server", tls_server(Tls::Good).http_port(), tls_server(Tls::Expired).http_port(),
          tls_server(Tls::WrongName).http_port(), tls_server(Tls::SelfSigned).http_port()};
}

// The loopback nginx, started on first use with /bytes/0 .. /bytes/2000 in its root (the test
// server's bodies). nullptr, after a MESSAGE, where nginx is not installed; a test FAILs if it
// is installed but does not start.
NginxServer *nginx() {
  static std::unique_ptr<NginxServer> server;
  static std::string failure;
  static bool tried = false;
  if (!tried) {
    tried = true;
    if (!NginxServer::find_binary().empty()) {
      raise_fd_limit();
      auto n = std::make_unique<NginxServer>();
      std::string error;
      if (!n->start(error)) failure = "nginx did not start: " + error;
      for (int i = 0; failure.empty() && i <= 2000; ++i)
        if (!n->write_file("bytes/" + std::to_string(i), body_of(static_cast<size_t>(i))))
          failure = "cannot write nginx's static files";
      if (failure.empty()) server = std::move(n);
    }
  }
  if (!failure.empty()) FAIL(failure);
  if (!server)
    MESSAGE("nginx is not installed (not on PATH, /usr/sbin or /usr/local/sbin): skipped");
  return server.get();
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

// ---- 1,000 concurrent transfers through curl_multi_socket_action and epoll ----------------

// Runs `n` HTTPS transfers at once on `port` ("localhost") through curl_multi_socket_action,
// transfer i fetching /bytes/size_of(i). Returns how many completed with CURLE_OK and the right
// body.
int socket_action_batch(uint16_t port, int n, size_t (*size_of)(int), long max_total = 0) {
  Multi multi;
  if (max_total) curl_multi_setopt(multi.m, CURLMOPT_MAX_TOTAL_CONNECTIONS, max_total);
  evm::test::EpollLoop loop;
  loop.attach(multi.m);
  std::vector<std::unique_ptr<Https>> fetches;
  std::map<CURL *, int> index;
  for (int i = 0; i < n; ++i) {
    fetches.push_back(
        std::make_unique<Https>("localhost", port, "/bytes/" + std::to_string(size_of(i))));
    curl_easy_setopt(fetches.back()->easy, CURLOPT_TIMEOUT, 60L);
    index[fetches.back()->easy] = i;
    REQUIRE(curl_multi_add_handle(multi.m, fetches.back()->easy) == CURLM_OK);
  }
  int running = n, done = 0, ok = 0;
  std::map<CURLcode, int> failures;
  auto drain = [&] {
    int left;
    while (CURLMsg *m = curl_multi_info_read(multi.m, &left)) {
      REQUIRE(m->msg == CURLMSG_DONE);
      ++done;
      int i = index.at(m->easy_handle);
      if (m->data.result == CURLE_OK && fetches[i]->body == body_of(size_of(i)))
        ++ok;
      else
        ++failures[m->data.result];
    }
  };
  const auto until = Clock::now() + std::chrono::seconds(60);
  while (running && Clock::now() < until) {
    loop.step(multi.m, &running);
    drain();
  }
  drain();
  CHECK(running == 0);
  CHECK(done == n);
  for (auto [code, count] : failures) MESSAGE(count << " transfers failed with " << code);
  for (auto &f : fetches) curl_multi_remove_handle(multi.m, f->easy);
  return ok;
}

// 1,000 concurrent transfers of distinct sizes.
int concurrent_https(uint16_t port, int n) {
  return socket_action_batch(port, n, [](int i) { return static_cast<size_t>(100 + i); });
}

}  // namespace

// ============================================================================================

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
    for (auto [port, expected] : cases) {
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

TEST_CASE("HTTPS: TLS session resumption") {
  TestServer &server = good_server();
  SUBCASE("a second connection to the same origin resumes the session") {
    Multi multi;
    Https h(server, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    uint64_t handshakes = server.tls_handshakes(), resumed = server.tls_resumed();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(h.body == body_of(5) + body_of(5));
    CHECK(server.tls_handshakes() - handshakes == 2);
    CHECK(server.tls_resumed() - resumed == 1);
    CHECK(h.verify_result() == 0);
  }
  SUBCASE("curl_easy_perform on the same handle resumes too") {
    Https h(server, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    uint64_t resumed = server.tls_resumed();
    REQUIRE(h.perform() == CURLE_OK);
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(server.tls_resumed() - resumed == 1);
  }
  SUBCASE("SSL_SESSIONID_CACHE 0: full handshakes only") {
    Multi multi;
    Https h(server, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_SESSIONID_CACHE, 0L) == CURLE_OK);
    uint64_t handshakes = server.tls_handshakes(), resumed = server.tls_resumed();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_handshakes() - handshakes == 2);
    CHECK(server.tls_resumed() - resumed == 0);
  }
  SUBCASE("TLS 1.2 sessions resume too") {
    Multi multi;
    Https h(server, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h.easy, CURLOPT_SSLVERSION,
                     versions(CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_MAX_TLSv1_2));
    uint64_t resumed = server.tls_resumed();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_resumed() - resumed == 1);
  }
  SUBCASE("sessions are kept per host name: localhost's is not offered to 127.0.0.1") {
    Multi multi;
    Https h(server, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    uint64_t resumed = server.tls_resumed();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    std::string url = Https::make_url("127.0.0.1", server.http_port(), "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_URL, url.c_str());
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_resumed() - resumed == 0);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_resumed() - resumed == 1);
  }
  SUBCASE("a session made without verification is not resumed by a verifying transfer") {
    Multi multi;
    Https h(server, "/bytes/5", /*trust_test_ca=*/false);
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 0L);
    uint64_t resumed = server.tls_resumed();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h.easy, CURLOPT_CAINFO, pki().ca_file.c_str());
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_resumed() - resumed == 0);
  }
  SUBCASE("a session made without the name check does not skip it later") {
    Multi multi;
    Https h("localhost", test_server_origin().wrong_name, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYHOST, 0L);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYHOST, 2L);
    CHECK(run_in(multi.m, h.easy) == CURLE_PEER_FAILED_VERIFICATION);
  }
  SUBCASE("a session of an unverified self-signed server is never a way around verification") {
    Multi multi;
    Https h("localhost", test_server_origin().self_signed, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 0L);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 1L);
    CHECK(run_in(multi.m, h.easy) == CURLE_PEER_FAILED_VERIFICATION);
    CHECK(h.verify_result() == 18);
  }
}

TEST_CASE("HTTPS: connections are reused only between equal TLS settings") {
  TestServer &server = good_server();
  SUBCASE("the same settings share one connection: one handshake for two transfers") {
    Multi multi;
    Https h(server, "/bytes/5");
    uint64_t handshakes = server.tls_handshakes();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_handshakes() - handshakes == 1);
    CHECK(h.info_long(CURLINFO_NUM_CONNECTS) == 0);
    // No handshake took place for this transfer: libcurl 7.88 reports 0.
    CHECK(h.info_off(CURLINFO_APPCONNECT_TIME_T) == 0);
  }
  SUBCASE("SSL_VERIFYHOST differs: a new connection") {
    Multi multi;
    Https h(server, "/bytes/5");
    uint64_t handshakes = server.tls_handshakes();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYHOST, 0L);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_handshakes() - handshakes == 2);
    CHECK(h.info_long(CURLINFO_NUM_CONNECTS) == 1);
  }
  SUBCASE("CAINFO names the same file differently: a new connection") {
    Multi multi;
    Https h(server, "/bytes/5");
    uint64_t handshakes = server.tls_handshakes();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    std::string other = (fs::path(pki().ca_file).parent_path() / "." / "ca.pem").string();
    REQUIRE(fs::equivalent(other, pki().ca_file));
    curl_easy_setopt(h.easy, CURLOPT_CAINFO, other.c_str());
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_handshakes() - handshakes == 2);
  }
  SUBCASE("a connection made without verification is not reused by a verifying transfer") {
    Multi multi;
    Https h("localhost", test_server_origin().self_signed, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 0L);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 1L);
    CHECK(run_in(multi.m, h.easy) == CURLE_PEER_FAILED_VERIFICATION);
  }
  SUBCASE("no client certificate after one: a new connection") {
    Multi multi;
    TestServer &cc = tls_server(Tls::Good, true);
    Https h(cc, "/bytes/5");
    // TLS 1.2, so a missing certificate fails the handshake itself.
    curl_easy_setopt(h.easy, CURLOPT_SSLVERSION,
                     versions(CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_MAX_TLSv1_2));
    curl_easy_setopt(h.easy, CURLOPT_SSLCERT, pki().client_cert.c_str());
    curl_easy_setopt(h.easy, CURLOPT_SSLKEY, pki().client_key.c_str());
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    curl_easy_setopt(h.easy, CURLOPT_SSLCERT, nullptr);
    curl_easy_setopt(h.easy, CURLOPT_SSLKEY, nullptr);
    CHECK(run_in(multi.m, h.easy) == CURLE_SSL_CONNECT_ERROR);
  }
}

TEST_CASE("HTTPS: large bodies both ways, chunked and close-delimited bodies, truncation") {
  TestServer &server = good_server();
  SUBCASE("an 8 MB download") {
    Https h(server, "/bytes/8000000");
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(h.body.size() == 8000000);
    CHECK(h.body == body_of(8000000));
  }
  SUBCASE("an 8 MB download through curl_multi_socket_action") {
    // Records OpenSSL has already pulled off the socket must be read without waiting for the
    // socket to become readable again.
    CHECK(socket_action_batch(server.http_port(), 1, [](int) { return size_t{8000000}; }) == 1);
  }
  SUBCASE("a 3 MB upload") {
    Https h(server, "/echo");
    std::string upload = body_of(3000000);
    curl_easy_setopt(h.easy, CURLOPT_POSTFIELDS, upload.data());
    curl_easy_setopt(h.easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(upload.size()));
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(h.status() == 200);
    CHECK(h.body.rfind("POST /echo", 0) == 0);
    REQUIRE(h.body.size() >= upload.size());
    CHECK(h.body.compare(h.body.size() - upload.size(), upload.size(), upload) == 0);
  }
  SUBCASE("chunked") {
    Https h(server, "/chunked/100000");
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(h.body == body_of(100000));
  }
  SUBCASE("a body ended by the server closing (close_notify, then FIN)") {
    Https h("localhost", server.raw_port(), "/close-delimited/50000");
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(h.body == body_of(50000));
  }
  SUBCASE("HTTP/1.0 over TLS") {
    Https h("localhost", server.raw_port(), "/http10");
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(h.body == "abc");
  }
  SUBCASE("a body cut short is CURLE_PARTIAL_FILE") {
    Https h("localhost", server.raw_port(), "/partial");
    CHECK(h.perform() == CURLE_PARTIAL_FILE);
  }
  SUBCASE("a reset connection is CURLE_RECV_ERROR") {
    Https h("localhost", server.raw_port(), "/reset");
    CHECK(h.perform() == CURLE_RECV_ERROR);
    CHECK(std::string(h.error).size() > 0);
  }
  SUBCASE("a server closing without a byte of response is CURLE_GOT_NOTHING") {
    Https h("localhost", server.raw_port(), "/empty");
    CHECK(h.perform() == CURLE_GOT_NOTHING);
  }
  SUBCASE("a stalled body times out") {
    Https h("localhost", server.raw_port(), "/stall-body");
    curl_easy_setopt(h.easy, CURLOPT_TIMEOUT_MS, 400L);
    CHECK(h.perform() == CURLE_OPERATION_TIMEDOUT);
  }
}

TEST_CASE("HTTPS: keep-alive over TLS") {
  TestServer &server = good_server();
  SUBCASE("20 requests on one handle: one handshake") {
    Multi multi;
    Https h(server, "/bytes/100");
    uint64_t handshakes = server.tls_handshakes();
    for (int i = 0; i < 20; ++i) REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(h.body.size() == 2000);
    CHECK(server.tls_handshakes() - handshakes == 1);
  }
  SUBCASE("the server closed the idle connection: the next transfer reconnects (and resumes)") {
    Multi multi;
    Https h("localhost", server.raw_port(), "/close-after/5");
    uint64_t handshakes = server.tls_handshakes(), resumed = server.tls_resumed();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    // Give the close_notify and FIN time to arrive, so the pool sees a dead connection.
    usleep(200 * 1000);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(h.body == body_of(5) + body_of(5));
    CHECK(server.tls_handshakes() - handshakes == 2);
    CHECK(server.tls_resumed() - resumed == 1);
  }
  SUBCASE("200 transfers over at most 4 connections") {
    uint64_t handshakes = server.tls_handshakes();
    CHECK(socket_action_batch(
              server.http_port(), 200, [](int i) { return static_cast<size_t>(1000 + i); }, 4) ==
          200);
    CHECK(server.tls_handshakes() - handshakes <= 4);
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

TEST_CASE("HTTPS: an unanswered ClientHello holds up nobody, and CONNECTTIMEOUT covers it") {
  // A listener that never accepts: the kernel completes TCP, nobody ever speaks TLS.
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(lfd >= 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  REQUIRE(bind(lfd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) == 0);
  REQUIRE(listen(lfd, 16) == 0);
  REQUIRE(getsockname(lfd, reinterpret_cast<sockaddr *>(&sa), &len) == 0);

  Multi multi;
  Https stalled("localhost", ntohs(sa.sin_port), "/bytes/5");
  curl_easy_setopt(stalled.easy, CURLOPT_CONNECTTIMEOUT_MS, 600L);
  Https fine(good_server(), "/bytes/5");
  const auto start = Clock::now();
  REQUIRE(curl_multi_add_handle(multi.m, stalled.easy) == CURLM_OK);
  REQUIRE(curl_multi_add_handle(multi.m, fine.easy) == CURLM_OK);
  std::map<CURL *, std::pair<CURLcode, Clock::duration>> results;
  int running = 2;
  while (results.size() < 2 && Clock::now() - start < std::chrono::seconds(10)) {
    REQUIRE(curl_multi_perform(multi.m, &running) == CURLM_OK);
    int left;
    while (CURLMsg *m = curl_multi_info_read(multi.m, &left))
      if (m->msg == CURLMSG_DONE) results[m->easy_handle] = {m->data.result, Clock::now() - start};
    if (results.size() < 2) REQUIRE(curl_multi_poll(multi.m, nullptr, 0, 100, nullptr) == CURLM_OK);
  }
  REQUIRE(results.size() == 2);
  CHECK(results[fine.easy].first == CURLE_OK);
  CHECK(fine.body == body_of(5));
  CHECK(results[fine.easy].second < results[stalled.easy].second);
  CHECK(results[stalled.easy].first == CURLE_OPERATION_TIMEDOUT);
  CHECK(results[stalled.easy].second >= std::chrono::milliseconds(500));
  CHECK(results[stalled.easy].second < std::chrono::seconds(5));
  curl_multi_remove_handle(multi.m, stalled.easy);
  curl_multi_remove_handle(multi.m, fine.easy);
  close(lfd);
}

TEST_CASE("HTTPS: 1,000 concurrent transfers through curl_multi_socket_action and epoll") {
  TestServer &server = good_server();
  uint64_t handshakes = server.tls_handshakes();
  CHECK(concurrent_https(server.http_port(), 1000) == 1000);
  CHECK(server.tls_handshakes() - handshakes >= 500);  // mostly fresh TLS connections
}

// ---- the same against nginx -----------------------------------------------------------------

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

TEST_CASE("nginx: session resumption and connection reuse") {
  NginxServer *n = nginx();
  if (!n) return;
  const uint16_t port = n->port(NginxServer::Site::Good);
  for (long tls12 : {0L, 1L}) {
    CAPTURE(tls12);
    Multi multi;
    Https h("localhost", port, "/bytes/3");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    if (tls12)
      curl_easy_setopt(h.easy, CURLOPT_SSLVERSION,
                       versions(CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_MAX_TLSv1_2));
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(contains(h.headers, "X-SSL-Reused: ."));
    h.headers.clear();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    INFO(h.headers);
    CHECK(contains(h.headers, "X-SSL-Reused: r"));
  }
  {
    Multi multi;
    Https h("localhost", port, "/bytes/3");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h.easy, CURLOPT_SSL_SESSIONID_CACHE, 0L);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    INFO(h.headers);
    CHECK(!contains(h.headers, "X-SSL-Reused: r"));
  }
  {
    Multi multi;
    Https h("localhost", port, "/bytes/3");
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(h.info_long(CURLINFO_NUM_CONNECTS) == 0);  // the second one reused the connection
  }
}

TEST_CASE("nginx: 1,000 concurrent transfers through curl_multi_socket_action and epoll") {
  NginxServer *n = nginx();
  if (!n) return;
  CHECK(concurrent_https(n->port(NginxServer::Site::Good), 1000) == 1000);
}

TEST_SUITE_END();
