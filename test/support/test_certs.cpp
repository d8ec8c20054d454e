// Run-time test PKI: one CA and a handful of leaf certificates, built with OpenSSL 3's
// X509 API (the certificate list is in test_certs.h).
#include "test_certs.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace evm::test {
namespace {

template <auto Free>
struct FreeWith {
  template <typename T>
  void operator()(T *p) const {
    Free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, FreeWith<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, FreeWith<X509_free>>;
using BioPtr = std::unique_ptr<BIO, FreeWith<BIO_free_all>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, FreeWith<X509_EXTENSION_free>>;

constexpr int kDay = 24 * 3600;

[[noreturn]] void fail(const char *what) {
  std::fprintf(stderr, "test_certs: %s failed\n", what);
  ERR_print_errors_fp(stderr);
  std::abort();
}

PkeyPtr make_key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("EC P-256 key generation");
  return key;
}

struct CertSpec {
  const char *common_name;
  const char *subject_alt_name;  // nullptr: none
  long not_before;               // seconds relative to now
  long not_after;
  bool ca;
  const char *key_usage;           // nullptr: no extension
  const char *extended_key_usage;  // nullptr: no extension
};

void add_extension(X509 *cert, X509 *issuer, int nid, const char *value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail(value);
}

uint64_t random_serial() {
  uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char *>(&serial), sizeof(serial)) != 1)
    fail("RAND_bytes");
  return (serial >> 1) | 1;  // positive and never zero
}

// Issues a certificate for `key`. A null issuer means self-signed.
X509Ptr make_cert(const CertSpec &spec, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key) {
  X509Ptr cert(X509_new());
  if (!cert) fail("X509_new");
  X509 *x = cert.get();
  if (X509_set_version(x, X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), random_serial()) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(x), spec.not_before) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(x), spec.not_after) == nullptr ||
      X509_set_pubkey(x, key) != 1)
    fail("certificate fields");
  X509_NAME *name = X509_get_subject_name(x);
  const auto *org = reinterpret_cast<const unsigned char *>("evmulti tests");
  const auto *cn = reinterpret_cast<const unsigned char *>(spec.common_name);
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, org, -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) != 1)
    fail("subject name");
  X509 *signer = issuer != nullptr ? issuer : x;
  if (X509_set_issuer_name(x, X509_get_subject_name(signer)) != 1) fail("issuer name");

  add_extension(x, signer, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "CA:FALSE");
  if (spec.key_usage != nullptr) add_extension(x, signer, NID_key_usage, spec.key_usage);
  if (spec.extended_key_usage != nullptr)
    add_extension(x, signer, NID_ext_key_usage, spec.extended_key_usage);
  if (spec.subject_alt_name != nullptr)
    add_extension(x, signer, NID_subject_alt_name, spec.subject_alt_name);
  add_extension(x, signer, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) add_extension(x, signer, NID_authority_key_identifier, "keyid");

  if (X509_sign(x, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) fail("X509_sign");
  return cert;
}

std::string bio_contents(BIO *bio) {
  char *data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

std::string cert_pem(X509 *cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) fail("PEM_write_bio_X509");
  return bio_contents(bio.get());
}

// PKCS#8 PEM, encrypted with AES-256-CBC if a password is given.
std::string key_pem(EVP_PKEY *key, const char *password = nullptr) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  const EVP_CIPHER *cipher = password != nullptr ? EVP_aes_256_cbc() : nullptr;
  int len = password != nullptr ? static_cast<int>(std::strlen(password)) : 0;
  if (!bio ||
      PEM_write_bio_PKCS8PrivateKey(bio.get(), key, cipher, password, len, nullptr, nullptr) != 1)
    fail("PEM_write_bio_PKCS8PrivateKey");
  return bio_contents(bio.get());
}

std::string write_file(const std::string &dir, const char *name, const std::string &contents) {
  std::string path = dir + "/" + name;
  std::FILE *f = std::fopen(path.c_str(), "wbx");
  if (f == nullptr) fail(path.c_str());
  bool ok = std::fwrite(contents.data(), 1, contents.size(), f) == contents.size();
  if (std::fclose(f) != 0 || !ok) fail(path.c_str());
  return path;
}

std::string make_temp_dir() {
  const char *tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp");
  pattern += "/evmulti-pki-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) fail("mkdtemp");
  return buf.data();
}

// The process-wide PKI. Only the process that made the directory removes it, so a
// forked child that exits leaves it to the parent.
struct PkiHolder {
  TestPki pki;
  pid_t owner = getpid();

  PkiHolder() {
    constexpr const char *kLocalNames = "DNS:localhost,IP:127.0.0.1,IP:::1";
    constexpr const char *kLeafUsage = "critical,digitalSignature";
    PkeyPtr ca_key = make_key();
    X509Ptr ca = make_cert({"evmulti test CA", nullptr, -kDay, 3650L * kDay, true,
                            "critical,keyCertSign,cRLSign", nullptr},
                           ca_key.get(), nullptr, nullptr);

    TestPki &p = pki;
    p.dir = make_temp_dir();
    p.ca_pem = cert_pem(ca.get());
    p.ca_file = write_file(p.dir, "ca.pem", p.ca_pem);

    auto issue = [&](const CertSpec &spec, bool self_signed, const char *cert_name,
                     const char *key_name, std::string *cert_path, std::string *key_path) {
      PkeyPtr key = make_key();
      X509Ptr cert = self_signed ? make_cert(spec, key.get(), nullptr, nullptr)
                                 : make_cert(spec, key.get(), ca.get(), ca_key.get());
      *cert_path = write_file(p.dir, cert_name, cert_pem(cert.get()));
      *key_path = write_file(p.dir, key_name, key_pem(key.get()));
      return key;
    };
    issue({"localhost", kLocalNames, -kDay, 365L * kDay, false, kLeafUsage, "serverAuth"}, false,
          "server.pem", "server.key", &p.server_cert, &p.server_key);
    issue({"localhost", kLocalNames, -30L * kDay, -kDay, false, kLeafUsage, "serverAuth"}, false,
          "expired.pem", "expired.key", &p.expired_cert, &p.expired_key);
    issue(
        {"wrong.example", "DNS:wrong.example", -kDay, 365L * kDay, false, kLeafUsage, "serverAuth"},
        false, "wrong-name.pem", "wrong-name.key", &p.wrong_name_cert, &p.wrong_name_key);
    // No keyUsage: with one lacking keyCertSign OpenSSL would not call it self-signed.
    issue({"localhost", kLocalNames, -kDay, 365L * kDay, false, nullptr, "serverAuth"}, true,
          "self-signed.pem", "self-signed.key", &p.self_signed_cert, &p.self_signed_key);
    PkeyPtr client_key =
        issue({"evmulti test client", nullptr, -kDay, 365L * kDay, false, kLeafUsage, "clientAuth"},
              false, "client.pem", "client.key", &p.client_cert, &p.client_key);
    p.client_key_encrypted = write_file(p.dir, "client-encrypted.key",
                                        key_pem(client_key.get(), TestPki::kClientKeyPassword));
  }

  ~PkiHolder() {
    if (getpid() != owner || pki.dir.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(pki.dir, ec);
  }

  PkiHolder(const PkiHolder &) = delete;
  PkiHolder &operator=(const PkiHolder &) = delete;
};

}  // namespace

const TestPki &TestPki::get() {
  static const PkiHolder holder;
  return holder.pki;
}

}  // namespace evm::test
