// curl_easy_setopt: looks the option up in the option table, reads the argument by its type and
// offers it to each feature's setter; the core options (URL, callbacks, method, timeouts, TLS)
// are converted here. An option not built answers as a libcurl built without it, and says so.
#include <curl/curl.h>

#include <algorithm>
#include <climits>
#include <cstdarg>
#include <cstring>
#include <string>
#include <string_view>

#include "api/c_edge.h"
#include "api/option_table.h"
#include "api/setopt.h"
#include "transfer/transfer.h"

namespace evm {
namespace {

// Timeouts, with libcurl 7.88's limits. In seconds: 0 to INT_MAX / 1000, anything else is
// refused. In milliseconds: every value is taken, read as unsigned long and capped at
// UINT_MAX (about 49.7 days), so -1 or LONG_MAX means "practically no limit", never "at once".
CURLcode set_timeout_seconds(long &field, long v) {
  if (v < 0 || v > INT_MAX / 1000) return CURLE_BAD_FUNCTION_ARGUMENT;
  field = v * 1000;
  return CURLE_OK;
}

CURLcode set_timeout_millis(long &field, long v) {
  constexpr unsigned long kCap = std::min<unsigned long>(UINT_MAX, LONG_MAX);
  unsigned long ms = static_cast<unsigned long>(v);
  field = static_cast<long>(ms < kCap ? ms : kCap);
  return CURLE_OK;
}

CURLcode set_long(EasyOptions &o, CURLoption opt, long v) {
  switch (opt) {
    case CURLOPT_NOSIGNAL:
      return CURLE_OK;  // we never raise or catch signals, so both settings behave the same
    case CURLOPT_FAILONERROR:
      o.fail_on_error = v != 0;
      return CURLE_OK;
    case CURLOPT_NOBODY:
      // Clearing NOBODY goes back to GET, as libcurl does.
      o.method = v ? EasyOptions::Method::Head : EasyOptions::Method::Get;
      return CURLE_OK;
    case CURLOPT_POST:
      o.method = v ? EasyOptions::Method::Post : EasyOptions::Method::Get;
      return CURLE_OK;
    case CURLOPT_HTTPGET:
      if (v) o.method = EasyOptions::Method::Get;
      return CURLE_OK;
    case CURLOPT_POSTFIELDSIZE:
      if (v < -1) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.post_size = v;
      return CURLE_OK;
    case CURLOPT_HTTP_VERSION:
      if (v == CURL_HTTP_VERSION_NONE || v == CURL_HTTP_VERSION_1_0 || v == CURL_HTTP_VERSION_1_1 ||
          v == CURL_HTTP_VERSION_2_0 || v == CURL_HTTP_VERSION_2TLS ||
          v == CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE) {
        o.http_version = v;
        // TLS offers h2 through ALPN unless HTTP/1.x is asked for (part of the pool key).
        if (v == CURL_HTTP_VERSION_1_0 || v == CURL_HTTP_VERSION_1_1)
          o.tls.alpn = {"http/1.1"};
        else
          o.tls.alpn = {"h2", "http/1.1"};
        return CURLE_OK;
      }
      // HTTP/3 is not built, and 7.88 answers any other version it does not know the same way
      // (probed: 6 to 32 all give it); only a negative one is a bad argument.
      return v < 0 ? CURLE_BAD_FUNCTION_ARGUMENT : CURLE_UNSUPPORTED_PROTOCOL;
    case CURLOPT_TIMEOUT:
      return set_timeout_seconds(o.timeout_ms, v);
    case CURLOPT_TIMEOUT_MS:
      return set_timeout_millis(o.timeout_ms, v);
    case CURLOPT_CONNECTTIMEOUT:
      return set_timeout_seconds(o.connect_timeout_ms, v);
    case CURLOPT_CONNECTTIMEOUT_MS:
      return set_timeout_millis(o.connect_timeout_ms, v);
    case CURLOPT_FORBID_REUSE:
      o.forbid_reuse = v != 0;
      return CURLE_OK;
    case CURLOPT_FRESH_CONNECT:
      o.fresh_connect = v != 0;
      return CURLE_OK;
    case CURLOPT_IPRESOLVE:
      if (v != CURL_IPRESOLVE_WHATEVER && v != CURL_IPRESOLVE_V4 && v != CURL_IPRESOLVE_V6)
        return CURLE_BAD_FUNCTION_ARGUMENT;
      o.ip_resolve = v;
      return CURLE_OK;
    case CURLOPT_TCP_NODELAY:
      o.tcp_nodelay = v != 0;
      return CURLE_OK;
    case CURLOPT_SSL_VERIFYPEER:
      o.tls.verify_peer = v != 0;
      return CURLE_OK;
    case CURLOPT_SSL_VERIFYHOST:
      // libcurl treats 1 like 2 (people passed booleans); only 0 turns the name check off.
      o.tls.verify_host = (v & 3) ? 2 : 0;
      return CURLE_OK;
    case CURLOPT_SSLVERSION:
      if (!TlsConfig::valid_ssl_version(v)) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.tls.ssl_version = v;
      return CURLE_OK;
    case CURLOPT_SSL_SESSIONID_CACHE:
      o.tls.session_cache = v != 0;
      return CURLE_OK;
    case CURLOPT_CERTINFO:
      o.tls.want_certinfo = v != 0;
      return CURLE_OK;
    case CURLOPT_SSL_OPTIONS:
      // Revocation is not checked (no CRLs are loaded), so both revocation bits are honoured as
      // they stand; NATIVE_CA and AUTO_CLIENT_CERT are Windows-only in libcurl and have no effect
      // elsewhere there either. The rest change OpenSSL behaviour we do not offer.
      if (v & ~static_cast<long>(CURLSSLOPT_NO_REVOKE | CURLSSLOPT_REVOKE_BEST_EFFORT |
                                 CURLSSLOPT_NATIVE_CA | CURLSSLOPT_AUTO_CLIENT_CERT))
        return CURLE_NOT_BUILT_IN;
      o.tls.no_revoke = (v & CURLSSLOPT_NO_REVOKE) != 0;
      return CURLE_OK;
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

CURLcode set_string(std::string &field, const char *v) {
  if (v)
    field = v;
  else
    field.clear();
  return CURLE_OK;
}

CURLcode set_pointer(EasyOptions &o, CURLoption opt, void *v) {
  switch (opt) {
    case CURLOPT_URL:
      o.url_set = v != nullptr;
      return set_string(o.url, static_cast<const char *>(v));
    case CURLOPT_WRITEDATA:
      o.write_data = v;
      return CURLE_OK;
    case CURLOPT_HEADERDATA:
      o.header_data = v;
      return CURLE_OK;
    case CURLOPT_PRIVATE:
      o.private_ptr = v;
      return CURLE_OK;
    case CURLOPT_ERRORBUFFER:
      o.error_buffer = static_cast<char *>(v);
      return CURLE_OK;
    case CURLOPT_HTTPHEADER:
      o.http_headers = static_cast<const curl_slist *>(v);
      return CURLE_OK;
    case CURLOPT_RESOLVE:
      o.resolve = static_cast<const curl_slist *>(v);
      return CURLE_OK;
    case CURLOPT_USERAGENT:
      return set_string(o.user_agent, static_cast<const char *>(v));
    case CURLOPT_DNS_SERVERS: {
      const char *servers = static_cast<const char *>(v);
      if (servers && *servers && !Resolver::valid_servers(servers))
        return CURLE_BAD_FUNCTION_ARGUMENT;
      return set_string(o.dns_servers, servers);
    }
    case CURLOPT_CAINFO:
      return set_string(o.tls.ca_file, static_cast<const char *>(v));
    case CURLOPT_CAPATH:
      return set_string(o.tls.ca_path, static_cast<const char *>(v));
    case CURLOPT_SSLCERT:
      return set_string(o.tls.cert_file, static_cast<const char *>(v));
    case CURLOPT_SSLKEY:
      return set_string(o.tls.key_file, static_cast<const char *>(v));
    case CURLOPT_KEYPASSWD:
      return set_string(o.tls.key_password, static_cast<const char *>(v));
    case CURLOPT_SSLCERTTYPE:
      return set_string(o.tls.cert_type, v ? static_cast<const char *>(v) : "PEM");
    case CURLOPT_SSLKEYTYPE:
      return set_string(o.tls.key_type, v ? static_cast<const char *>(v) : "PEM");
    case CURLOPT_SSL_CIPHER_LIST:
      return set_string(o.tls.cipher_list, static_cast<const char *>(v));
    case CURLOPT_TLS13_CIPHERS:
      return set_string(o.tls.tls13_ciphers, static_cast<const char *>(v));
    case CURLOPT_PINNEDPUBLICKEY:
      return set_string(o.tls.pinned_pubkey, static_cast<const char *>(v));
    case CURLOPT_CUSTOMREQUEST:
      return set_string(o.custom_request, static_cast<const char *>(v));
    case CURLOPT_POSTFIELDS:
      // Borrowed, and implies POST, as libcurl does.
      o.post_fields = static_cast<const char *>(v);
      o.method = EasyOptions::Method::Post;
      return CURLE_OK;
    case CURLOPT_COPYPOSTFIELDS: {
      const char *src = static_cast<const char *>(v);
      if (!src) {
        o.post_copy.clear();
        o.post_fields = nullptr;
      } else {
        size_t n = o.post_size >= 0 ? static_cast<size_t>(o.post_size) : std::strlen(src);
        o.post_copy.assign(src, n);
        o.post_fields = o.post_copy.data();
      }
      o.method = EasyOptions::Method::Post;
      return CURLE_OK;
    }
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

CURLcode set_function(EasyOptions &o, CURLoption opt, void (*fn)()) {
  switch (opt) {
    case CURLOPT_WRITEFUNCTION:
      o.write_fn = reinterpret_cast<curl_write_callback>(fn);
      return CURLE_OK;
    case CURLOPT_HEADERFUNCTION:
      o.header_fn = reinterpret_cast<curl_write_callback>(fn);
      return CURLE_OK;
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

CURLcode set_blob(EasyOptions &o, CURLoption opt, const curl_blob *blob) {
  switch (opt) {
    case CURLOPT_CAINFO_BLOB:
      // Always copied: the application may free its buffer right after the call.
      if (blob && blob->data && blob->len)
        o.tls.ca_blob.assign(static_cast<const char *>(blob->data), blob->len);
      else
        o.tls.ca_blob.clear();
      return CURLE_OK;
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

CURLcode set_off_t(EasyOptions &o, CURLoption opt, curl_off_t v) {
  switch (opt) {
    case CURLOPT_POSTFIELDSIZE_LARGE:
      if (v < -1) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.post_size = v;
      return CURLE_OK;
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

}  // namespace

CURLcode set_core_option(EasyOptions &o, CURLoption opt, const OptionArg &arg) {
  if (opt < CURLOPTTYPE_OBJECTPOINT) return set_long(o, opt, arg.number);
  if (opt < CURLOPTTYPE_FUNCTIONPOINT) return set_pointer(o, opt, arg.pointer);
  if (opt < CURLOPTTYPE_OFF_T) return set_function(o, opt, arg.function);
  if (opt < CURLOPTTYPE_BLOB) return set_off_t(o, opt, arg.offset);
  return set_blob(o, opt, arg.blob);
}

namespace {

constexpr OptionSetter kSetters[] = {
    set_core_option,       set_redirect_option, set_auth_option,     set_upload_option,
    set_form_option,       set_cookie_option,   set_response_option, set_control_option,
    set_connection_option, set_share_option,    set_curlu_option,    set_session_option,
};

CURLcode set_option(EasyOptions &o, CURLoption opt, const OptionArg &arg) {
  for (OptionSetter set : kSetters) {
    CURLcode rc = set(o, opt, arg);
    if (rc != CURLE_UNKNOWN_OPTION) return rc;
  }
  return CURLE_UNKNOWN_OPTION;
}

// Hands the setopt-time trace line to DEBUGFUNCTION, as the transfer's trace would.
class SetoptSink final : public TraceSink {
 public:
  SetoptSink(const EasyOptions &o, CURL *easy) : o_(o), easy_(easy) {}
  void emit(curl_infotype type, std::string_view data) override {
    o_.debug_fn(easy_, type, const_cast<char *>(data.data()), data.size(), o_.debug_data);
  }

 private:
  const EasyOptions &o_;
  CURL *easy_;
};

// An option evmulti does not build: traced now when VERBOSE is on, and remembered so that every
// transfer of the handle says it again when it starts (VERBOSE may be set later).
CURLcode not_built(EasyOptions &o, CURL *easy, const OptionInfo &info) {
  std::string note =
      std::string("CURLOPT_") + info.pub.name + ": not built in evmulti (" + info.reason + ")";
  if (o.verbose) {
    SetoptSink sink(o, easy);
    Trace trace;
    trace.enabled = true;
    trace.err = o.err;
    trace.sink = o.debug_fn ? &sink : nullptr;
    trace.info("%s", note.c_str());
  }
  if (std::find(o.not_built_notes.begin(), o.not_built_notes.end(), note) ==
      o.not_built_notes.end())
    o.not_built_notes.push_back(std::move(note));
  return info.not_built;
}

}  // namespace
}  // namespace evm

extern "C" CURLcode curl_easy_setopt(CURL *handle, CURLoption option, ...) {
  va_list ap;
  EVM_VA_START_AFTER_ENUM(ap, option);
  CURLcode rc = evm::api::guarded(CURLE_OUT_OF_MEMORY, [&] {
    evm::Transfer *t = evm::Transfer::from(handle);
    if (!t) return CURLE_BAD_FUNCTION_ARGUMENT;
    ++t->opt.generation;
    // Any int may come from C: the option is known before it is used as a CURLoption.
    const evm::OptionInfo *info = evm::option_by_id(evm::api::code_value(option));
    if (!info) return CURLE_UNKNOWN_OPTION;
    const CURLoption id = info->pub.id;
    if (!info->implemented()) return evm::not_built(t->opt, handle, *info);
    evm::OptionArg arg;
    if (id < CURLOPTTYPE_OBJECTPOINT)
      arg.number = va_arg(ap, long);
    else if (id < CURLOPTTYPE_FUNCTIONPOINT)
      arg.pointer = va_arg(ap, void *);
    else if (id < CURLOPTTYPE_OFF_T)
      arg.function = va_arg(ap, void (*)());
    else if (id < CURLOPTTYPE_BLOB)
      arg.offset = va_arg(ap, curl_off_t);
    else
      arg.blob = va_arg(ap, const curl_blob *);  // the table has no id past the blob range
    return evm::set_option(t->opt, id, arg);
  });
  va_end(ap);
  return rc;
}
