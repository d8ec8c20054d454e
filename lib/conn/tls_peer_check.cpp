// The TLS filter's look at the peer once the handshake is done: what OpenSSL's verification
// said, the host name, a pinned public key, and the chain as CURLINFO_CERTINFO lines.
#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>

#include "conn/tls_filter.h"
#include "util/ascii.h"
#include "util/trace.h"

namespace evm {

namespace {

struct BioDeleter {
  void operator()(BIO *p) const { BIO_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
struct EvpPkeyDeleter {
  void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
};
struct BignumDeleter {
  void operator()(BIGNUM *p) const { BN_free(p); }
};
struct OpensslFree {
  void operator()(unsigned char *p) const { OPENSSL_free(p); }
};

// Whatever OpenSSL printed into a memory BIO.
std::string bio_text(BIO *bio) {
  char *data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string s(data ? data : "", n > 0 ? static_cast<size_t>(n) : 0);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string name_text(const X509_NAME *name, unsigned long flags) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !name) return {};
  X509_NAME_print_ex(bio.get(), name, 0, flags);
  return bio_text(bio.get());
}

std::string time_text(const ASN1_TIME *t) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !t) return {};
  ASN1_TIME_print(bio.get(), t);
  return bio_text(bio.get());
}

std::string object_text(const ASN1_OBJECT *obj) {
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof buf, obj, 0);
  return n > 0 ? std::string(buf) : std::string();
}

// The DER SubjectPublicKeyInfo: what a pinned key is compared against.
std::string spki_der(X509 *cert) {
  unsigned char *der = nullptr;
  int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  if (n <= 0) return {};
  std::unique_ptr<unsigned char, OpensslFree> owner(der);
  return std::string(reinterpret_cast<char *>(der), static_cast<size_t>(n));
}

// A public key file in PEM ("BEGIN PUBLIC KEY") or DER, re-encoded as DER; "" if unreadable.
std::string pinned_key_file_der(const std::string &path) {
  BioPtr bio(BIO_new_file(path.c_str(), "rb"));
  if (!bio) return {};
  EVP_PKEY *key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (!key) {
    BIO_reset(bio.get());
    key = d2i_PUBKEY_bio(bio.get(), nullptr);
  }
  ERR_clear_error();
  if (!key) return {};
  std::unique_ptr<EVP_PKEY, EvpPkeyDeleter> owner(key);
  unsigned char *der = nullptr;
  int n = i2d_PUBKEY(key, &der);
  if (n <= 0) return {};
  std::unique_ptr<unsigned char, OpensslFree> der_owner(der);
  return std::string(reinterpret_cast<char *>(der), static_cast<size_t>(n));
}

std::string sha256_base64(const std::string &data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr)) return {};
  unsigned char out[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(out, digest, static_cast<int>(len));
  return std::string(reinterpret_cast<char *>(out), static_cast<size_t>(n));
}

}  // namespace

CURLcode TlsFilter::check_peer(FilterContext &ctx) {
  SSL *ssl = ssl_.get();
  tls_version_ = SSL_get_version(ssl);
  const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
  cipher_ = c ? SSL_CIPHER_get_name(c) : "";
  session_reused_ = SSL_session_reused(ssl) == 1;
  ctx.trace.info("SSL connection using %s / %s", tls_version_.c_str(), cipher_.c_str());
  if (!alpn_wire_.empty()) {
    const unsigned char *p = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl, &p, &len);
    alpn_.assign(
        reinterpret_cast<const char *>(p ? p : reinterpret_cast<const unsigned char *>("")), len);
    if (alpn_.empty())
      ctx.trace.info("ALPN: server did not agree on a protocol. Uses default.");
    else
      ctx.trace.info("ALPN: server accepted %s", alpn_.c_str());
  }

  const bool verify_peer = context_->verify_peer();
  X509 *cert = SSL_get0_peer_certificate(ssl);
  if (!cert) {
    if (!verify_peer && !verify_host_ && pinned_pubkey_.empty()) return CURLE_OK;
    ctx.error = "SSL: couldn't get peer certificate";
    return CURLE_PEER_FAILED_VERIFICATION;
  }
  if (want_certinfo_) collect_cert_info();

  constexpr unsigned long kLineFlags = XN_FLAG_SEP_SPLUS_SPC;
  ctx.trace.info("Server certificate:");
  ctx.trace.info(" subject: %s", name_text(X509_get_subject_name(cert), kLineFlags).c_str());
  ctx.trace.info(" start date: %s", time_text(X509_get0_notBefore(cert)).c_str());
  ctx.trace.info(" expire date: %s", time_text(X509_get0_notAfter(cert)).c_str());

  // The name is checked here, after the chain (which a verified handshake has already passed),
  // so that a certificate wrong in both ways is reported for its chain first, as by libcurl.
  if (verify_host_) {
    char *matched = nullptr;
    int ok = host_is_ip_ ? X509_check_ip_asc(cert, check_name_.c_str(), 0)
                         : X509_check_host(cert, check_name_.c_str(), 0,
                                           X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, &matched);
    ERR_clear_error();
    if (ok != 1) {
      ctx.error =
          "SSL: no alternative certificate subject name matches target host name '" + host_ + "'";
      return CURLE_PEER_FAILED_VERIFICATION;
    }
    if (host_is_ip_)
      ctx.trace.info(" subjectAltName: host \"%s\" matched cert's IP address!", host_.c_str());
    else if (matched)
      ctx.trace.info(" subjectAltName: host \"%s\" matched cert's \"%s\"", host_.c_str(), matched);
    OPENSSL_free(matched);
  }
  ctx.trace.info(" issuer: %s", name_text(X509_get_issuer_name(cert), kLineFlags).c_str());

  verify_result_ = SSL_get_verify_result(ssl);
  if (verify_result_ != X509_V_OK) {
    const char *why = X509_verify_cert_error_string(verify_result_);
    if (verify_peer) {
      ctx.error = std::string("SSL certificate problem: ") + why;
      return CURLE_PEER_FAILED_VERIFICATION;
    }
    ctx.trace.info(" SSL certificate verify result: %s (%ld), continuing anyway.", why,
                   verify_result_);
  } else {
    ctx.trace.info(" SSL certificate verify ok.");
  }
  return check_pinned_key(ctx, cert);
}

CURLcode TlsFilter::check_pinned_key(FilterContext &ctx, X509 *cert) {
  if (pinned_pubkey_.empty()) return CURLE_OK;
  const std::string der = spki_der(cert);
  bool match = false;
  constexpr std::string_view kPrefix = "sha256//";
  if (!der.empty() && pinned_pubkey_.compare(0, kPrefix.size(), kPrefix) == 0) {
    const std::string mine = sha256_base64(der);
    ctx.trace.info(" public key hash: sha256//%s", mine.c_str());
    // "sha256//A;sha256//B": any one may match.
    size_t pos = 0;
    while (!match && pos <= pinned_pubkey_.size()) {
      size_t end = pinned_pubkey_.find(';', pos);
      if (end == std::string::npos) end = pinned_pubkey_.size();
      std::string_view item(pinned_pubkey_.data() + pos, end - pos);
      if (item.substr(0, kPrefix.size()) == kPrefix && item.substr(kPrefix.size()) == mine)
        match = true;
      pos = end + 1;
    }
  } else if (!der.empty()) {
    match = pinned_key_file_der(pinned_pubkey_) == der;
  }
  ERR_clear_error();
  if (match) return CURLE_OK;
  ctx.error = "SSL: public key does not match pinned public key";
  return CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

void TlsFilter::collect_cert_info() {
  cert_info_.clear();
  STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl_.get());
  int count = chain ? sk_X509_num(chain) : 0;
  std::vector<X509 *> certs;
  for (int i = 0; i < count; ++i) certs.push_back(sk_X509_value(chain, i));
  if (certs.empty())
    if (X509 *leaf = SSL_get0_peer_certificate(ssl_.get())) certs.push_back(leaf);

  for (X509 *x : certs) {
    std::vector<std::string> &out = cert_info_.emplace_back();
    BioPtr mem(BIO_new(BIO_s_mem()));
    if (!mem) continue;
    auto printed = [&](auto &&print) {
      (void)BIO_reset(mem.get());
      print(mem.get());
      return bio_text(mem.get());
    };
    out.push_back("Subject:" + name_text(X509_get_subject_name(x), XN_FLAG_ONELINE));
    out.push_back("Issuer:" + name_text(X509_get_issuer_name(x), XN_FLAG_ONELINE));
    char num[32];
    std::snprintf(num, sizeof num, "%lx", static_cast<unsigned long>(X509_get_version(x)));
    out.push_back(std::string("Version:") + num);

    const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
    std::string hex = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? "-" : "";
    const unsigned char *sd = ASN1_STRING_get0_data(serial);
    for (int i = 0; i < ASN1_STRING_length(serial); ++i) {
      std::snprintf(num, sizeof num, "%02x", sd[i]);
      hex += num;
    }
    out.push_back("Serial Number:" + hex);

    const ASN1_BIT_STRING *sig = nullptr;
    const X509_ALGOR *sig_alg = nullptr;
    X509_get0_signature(&sig, &sig_alg, x);
    const ASN1_OBJECT *obj = nullptr;
    if (sig_alg) X509_ALGOR_get0(&obj, nullptr, nullptr, sig_alg);
    out.push_back("Signature Algorithm:" + (obj ? object_text(obj) : std::string()));

    ASN1_OBJECT *key_alg = nullptr;
    X509_PUBKEY_get0_param(&key_alg, nullptr, nullptr, nullptr, X509_get_X509_PUBKEY(x));
    out.push_back("Public Key Algorithm:" + (key_alg ? object_text(key_alg) : std::string()));

    for (int i = 0; i < X509_get_ext_count(x); ++i) {
      X509_EXTENSION *ext = X509_get_ext(x, i);
      std::string value = printed([&](BIO *b) {
        if (!X509V3_EXT_print(b, ext, 0, 0)) ASN1_STRING_print(b, X509_EXTENSION_get_data(ext));
      });
      out.push_back(object_text(X509_EXTENSION_get_object(ext)) + ":" + value);
    }

    out.push_back("Start date:" + time_text(X509_get0_notBefore(x)));
    out.push_back("Expire date:" + time_text(X509_get0_notAfter(x)));

    if (EVP_PKEY *pkey = X509_get0_pubkey(x); pkey && EVP_PKEY_is_a(pkey, "RSA")) {
      out.push_back("RSA Public Key:" + std::to_string(EVP_PKEY_get_bits(pkey)));
      for (auto [param, label] : {std::pair{OSSL_PKEY_PARAM_RSA_N, "rsa(n):"},
                                  std::pair{OSSL_PKEY_PARAM_RSA_E, "rsa(e):"}}) {
        BIGNUM *bn = nullptr;
        if (!EVP_PKEY_get_bn_param(pkey, param, &bn)) continue;
        std::unique_ptr<BIGNUM, BignumDeleter> owner(bn);
        out.push_back(label + printed([&](BIO *b) { BN_print(b, bn); }));
      }
    }

    if (sig) {
      std::string s;
      const unsigned char *p = ASN1_STRING_get0_data(sig);
      for (int i = 0; i < ASN1_STRING_length(sig); ++i) {
        std::snprintf(num, sizeof num, "%02x:", p[i]);
        s += num;
      }
      out.push_back("Signature:" + s);
    }

    (void)BIO_reset(mem.get());
    PEM_write_bio_X509(mem.get(), x);
    char *pem = nullptr;
    long n = BIO_get_mem_data(mem.get(), &pem);
    out.push_back("Cert:" + std::string(pem ? pem : "", n > 0 ? static_cast<size_t>(n) : 0));
  }
  ERR_clear_error();
}

}  // namespace evm
