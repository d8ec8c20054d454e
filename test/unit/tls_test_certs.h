// Certificates made at test time with OpenSSL's API: a CA, leaves signed by it (good, expired,
// for another name, a client), a self-signed leaf, and an unrelated CA. Nothing is read from or
// committed to disk except the PEM files some tests need as paths.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace evm::test {

struct PkeyDeleter {
  void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
};
struct X509Deleter {
  void operator()(X509 *p) const { X509_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

struct CertSpec {
  std::string common_name;
  std::string san;           // "DNS:localhost,IP:127.0.0.1" or empty
  long valid_from = -86400;  // seconds from now
  long valid_until = 86400;  // seconds from now
  bool ca = false;
};

struct KeyedCert {
  PkeyPtr key;
  X509Ptr cert;
};

// EC P-256: quick to generate, so every run gets fresh keys.
inline PkeyPtr make_key() {
  return PkeyPtr(EVP_EC_gen("P-256"));
}

inline PkeyPtr make_rsa_key() {
  return PkeyPtr(EVP_RSA_gen(2048));
}

inline bool add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value) {
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, v3, nid, value);
  if (!ext) return false;
  bool ok = X509_add_ext(x, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// Signed by `issuer` (or by itself when issuer is null).
inline KeyedCert make_cert(const CertSpec &spec, const KeyedCert *issuer,
                           PkeyPtr key = make_key()) {
  static uint64_t serial = 0x1000;
  KeyedCert out{std::move(key), X509Ptr(X509_new())};
  X509 *x = out.cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(x), spec.valid_from);
  X509_gmtime_adj(X509_getm_notAfter(x), spec.valid_until);
  X509_set_pubkey(x, out.key.get());
  X509_NAME *name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char *>(spec.common_name.c_str()), -1,
                             -1, 0);
  X509 *issuer_cert = issuer ? issuer->cert.get() : x;
  X509_set_issuer_name(x, X509_get_subject_name(issuer_cert));

  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer_cert, x, nullptr, nullptr, 0);
  add_ext(x, &v3, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "CA:FALSE");
  if (spec.ca)
    add_ext(x, &v3, NID_key_usage, "critical,keyCertSign,cRLSign");
  else
    add_ext(x, &v3, NID_ext_key_usage, "serverAuth,clientAuth");
  if (!spec.san.empty()) add_ext(x, &v3, NID_subject_alt_name, spec.san.c_str());
  add_ext(x, &v3, NID_subject_key_identifier, "hash");
  if (issuer) add_ext(x, &v3, NID_authority_key_identifier, "keyid");
  X509_sign(x, issuer ? issuer->key.get() : out.key.get(), EVP_sha256());
  return out;
}

inline std::string cert_pem(X509 *x) {
  BIO *bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  char *data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string s(data, static_cast<size_t>(n));
  BIO_free(bio);
  return s;
}

// PKCS#8 PEM, encrypted with AES-256 when a password is given.
inline std::string key_pem(EVP_PKEY *key, const std::string &password = {}) {
  BIO *bio = BIO_new(BIO_s_mem());
  if (password.empty())
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  else
    PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), password.data(),
                                  static_cast<int>(password.size()), nullptr, nullptr);
  char *data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string s(data, static_cast<size_t>(n));
  BIO_free(bio);
  return s;
}

inline std::string pubkey_pem(EVP_PKEY *key) {
  BIO *bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char *data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string s(data, static_cast<size_t>(n));
  BIO_free(bio);
  return s;
}

// A private directory of files, removed with everything in it at exit.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/evm_tls_test_XXXXXX";
    if (char *d = ::mkdtemp(tmpl)) path_ = d;
  }
  ~TempDir() {
    for (auto &f : files_) ::unlink(f.c_str());
    if (!path_.empty()) ::rmdir(path_.c_str());
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  std::string write(const std::string &name, const std::string &content) {
    std::string p = path_ + "/" + name;
    if (FILE *f = std::fopen(p.c_str(), "wb")) {
      std::fwrite(content.data(), 1, content.size(), f);
      std::fclose(f);
      files_.push_back(p);
    }
    return p;
  }
  const std::string &path() const { return path_; }

 private:
  std::string path_;
  std::vector<std::string> files_;
};

// The set every TLS test draws from, made once per process.
struct TestPki {
  KeyedCert ca = make_cert({"Test CA", "", -86400, 86400 * 30, true}, nullptr);
  KeyedCert other_ca = make_cert({"Other CA", "", -86400, 86400 * 30, true}, nullptr);
  KeyedCert leaf = make_cert({"localhost", "DNS:localhost,IP:127.0.0.1"}, &ca);
  KeyedCert rsa_leaf = make_cert({"localhost", "DNS:localhost,IP:127.0.0.1"}, &ca, make_rsa_key());
  KeyedCert name_only = make_cert({"localhost", "DNS:localhost"}, &ca);
  KeyedCert expired =
      make_cert({"localhost", "DNS:localhost,IP:127.0.0.1", -2 * 86400, -86400}, &ca);
  KeyedCert wrong_name = make_cert({"other.example", "DNS:other.example"}, &ca);
  KeyedCert self_signed = make_cert({"localhost", "DNS:localhost,IP:127.0.0.1"}, nullptr);
  KeyedCert client = make_cert({"client", ""}, &ca);

  TempDir dir;
  std::string ca_file = dir.write("ca.pem", cert_pem(ca.cert.get()));
  std::string client_cert_file = dir.write("client.pem", cert_pem(client.cert.get()));
  std::string client_key_file = dir.write("client.key", key_pem(client.key.get()));
  std::string client_enc_key_file =
      dir.write("client_enc.key", key_pem(client.key.get(), "s3cret"));
  std::string client_combined_file =
      dir.write("client_combined.pem", cert_pem(client.cert.get()) + key_pem(client.key.get()));
  std::string leaf_pubkey_file = dir.write("leaf_pub.pem", pubkey_pem(leaf.key.get()));
  std::string other_pubkey_file = dir.write("other_pub.pem", pubkey_pem(client.key.get()));

  static TestPki &get() {
    static TestPki pki;
    return pki;
  }
};

}  // namespace evm::test
