// curl_easy_* entry points other than setopt: handle lifetime, the blocking perform, getinfo.
#include <curl/curl.h>

#include <openssl/ssl.h>

#include <cstdarg>
#include <memory>
#include <mutex>

#include "api/c_edge.h"
#include "api/handle_cleanup.h"
#include "multi/multi.h"
#include "net/tls_config.h"
#include "share/share.h"
#include "transfer/transfer.h"

using evm::Multi;
using evm::Transfer;
using evm::api::guarded;

extern "C" CURL *curl_easy_init(void) {
  return guarded(nullptr, [] { return (new Transfer)->handle(); });
}

extern "C" void curl_easy_cleanup(CURL *handle) {
  guarded([handle] {
    if (Transfer *t = Transfer::from(handle)) evm::api::cleanup_transfer(*t);
  });
}

extern "C" void curl_easy_reset(CURL *handle) {
  guarded([handle] {
    if (Transfer *t = Transfer::from(handle)) t->reset_options();
  });
}

extern "C" CURL *curl_easy_duphandle(CURL *handle) {
  return guarded(nullptr, [handle]() -> CURL * {
    Transfer *src = Transfer::from(handle);
    if (!src) return nullptr;
    auto t = std::make_unique<Transfer>();
    t->opt = src->opt;
    // COPYPOSTFIELDS data is owned per handle: point at the new copy.
    if (src->opt.post_fields && src->opt.post_fields == src->opt.post_copy.data())
      t->opt.post_fields = t->opt.post_copy.data();
    return t.release()->handle();
  });
}

namespace {

// Takes the handle out of its private multi however perform ends, a thrown exception included,
// so the next curl_easy_perform does not find it still attached.
struct DetachOnExit {
  Multi &m;
  Transfer &t;
  ~DetachOnExit() {
    guarded([this] {
      if (t.multi == &m) m.remove(t);
    });
  }
};

CURLcode perform(Transfer *t, CURL *handle, Multi *&used) {
  // A private multi, kept across calls so connections are reused, as libcurl does; or the
  // share's, one perform at a time, when the handle shares connections.
  // A perform from inside a callback of one already running on the share's loop in this
  // thread, and a CONNECT_ONLY transfer (its connection stays with the handle), use the
  // private multi: waiting for the loop would never end, and the loop must not keep it.
  thread_local const void *loop_held = nullptr;
  std::unique_lock<std::mutex> one_at_a_time;
  Multi *pm = nullptr;
  evm::Share *share = t->opt.share.share();
  evm::Share::PerformLoop *loop = share ? share->perform_loop() : nullptr;
  if (loop && loop != loop_held && t->opt.connect_only != 1) {
    one_at_a_time = std::unique_lock<std::mutex>(evm::Share::mutex_of(*loop));
    pm = &evm::Share::multi_of(*loop);
  } else {
    if (!t->private_multi) t->private_multi.reset(new Multi);
    pm = t->private_multi.get();
  }
  Multi &m = *pm;
  used = pm;
  struct HeldLoop {  // this thread runs `loop` until the perform returns
    const void *saved;
    explicit HeldLoop(const void *now) : saved(loop_held) { loop_held = now; }
    ~HeldLoop() { loop_held = saved; }
  } held{one_at_a_time.owns_lock() ? loop : loop_held};
  DetachOnExit detach{m, *t};
  m.add(*t);
  int running = 1;
  CURLcode result = CURLE_OK;
  while (running) {
    if (m.perform(&running) != CURLM_OK) {
      result = CURLE_RECV_ERROR;
      break;
    }
    if (!running) break;
    if (m.wait(nullptr, 0, 1000, nullptr, false) != CURLM_OK) {
      result = CURLE_RECV_ERROR;
      break;
    }
  }
  while (CURLMsg *msg = m.info_read(nullptr))
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == handle) result = msg->data.result;
  return result;
}

}  // namespace

extern "C" CURLcode curl_easy_perform(CURL *handle) {
  return guarded(CURLE_OUT_OF_MEMORY, [handle] {
    Transfer *t = Transfer::from(handle);
    if (!t) return CURLE_BAD_FUNCTION_ARGUMENT;
    if (t->multi) return CURLE_FAILED_INIT;  // it belongs to a multi handle already
    Multi *m = nullptr;
    CURLcode result = perform(t, handle, m);
    // A callback called curl_easy_cleanup on this very handle: it goes now that nothing uses it.
    if (t->retired && m) {
      std::erase(m->retired, t);
      evm::api::cleanup_transfer(*t);
    }
    return result;
  });
}

namespace {

double seconds(int64_t us) {
  return static_cast<double>(us) / 1e6;
}

// `info` as an int: C may pass any value where the prototype names CURLINFO.
CURLcode get_info(CURL *handle, int info, void *out) {
  Transfer *t = Transfer::from(handle);
  if (!t || !out) return CURLE_BAD_FUNCTION_ARGUMENT;
  const evm::TransferInfo &in = t->info;

  evm::TimePoint end = in.finished != evm::TimePoint{} ? in.finished : evm::now();
  int64_t total_us = in.started == evm::TimePoint{} ? 0 : evm::micros_between(in.started, end);
  auto *as_long = static_cast<long *>(out);
  auto *as_str = static_cast<const char **>(out);
  auto *as_double = static_cast<double *>(out);
  auto *as_off = static_cast<curl_off_t *>(out);
  switch (info) {
    case CURLINFO_EFFECTIVE_URL:
      // Before any URL (fresh or reset handle) libcurl 7.88 answers "", not NULL.
      *as_str = in.effective_url.empty() ? (t->opt.url_set ? t->opt.url.c_str() : "")
                                         : in.effective_url.c_str();
      return CURLE_OK;
    case CURLINFO_RESPONSE_CODE:
      *as_long = in.response_code;
      return CURLE_OK;
    case CURLINFO_HTTP_VERSION:
      *as_long = in.http_version;
      return CURLE_OK;
    case CURLINFO_CONTENT_TYPE:
      *as_str = in.has_content_type ? in.content_type.c_str() : nullptr;
      return CURLE_OK;
    case CURLINFO_PRIVATE:
      *static_cast<void **>(out) = t->opt.private_ptr;
      return CURLE_OK;
    case CURLINFO_SIZE_DOWNLOAD_T:
      *as_off = in.size_download;
      return CURLE_OK;
    case CURLINFO_SIZE_UPLOAD_T:
      *as_off = in.size_upload;
      return CURLE_OK;
    case CURLINFO_CONTENT_LENGTH_DOWNLOAD_T:
      *as_off = in.content_length_download;
      return CURLE_OK;
    case CURLINFO_SPEED_DOWNLOAD_T:
      *as_off = static_cast<curl_off_t>(in.size_download * 1000000 / (total_us > 0 ? total_us : 1));
      return CURLE_OK;
    case CURLINFO_HEADER_SIZE:
      *as_long = in.header_size;
      return CURLE_OK;
    case CURLINFO_REQUEST_SIZE:
      *as_long = in.request_size;
      return CURLE_OK;
    case CURLINFO_NUM_CONNECTS:
      *as_long = in.num_connects;
      return CURLE_OK;
    case CURLINFO_OS_ERRNO:
      *as_long = in.os_errno;
      return CURLE_OK;
    case CURLINFO_PRIMARY_IP:
      *as_str = in.primary_ip.c_str();
      return CURLE_OK;
    case CURLINFO_PRIMARY_PORT:
      *as_long = in.primary_port;
      return CURLE_OK;
    case CURLINFO_LOCAL_IP:
      *as_str = in.local_ip.c_str();
      return CURLE_OK;
    case CURLINFO_LOCAL_PORT:
      *as_long = in.local_port;
      return CURLE_OK;
    case CURLINFO_TOTAL_TIME:
      *as_double = seconds(total_us);
      return CURLE_OK;
    case CURLINFO_TOTAL_TIME_T:
      *as_off = total_us;
      return CURLE_OK;
    case CURLINFO_NAMELOOKUP_TIME:
      *as_double = seconds(in.since_start(in.resolved));
      return CURLE_OK;
    case CURLINFO_NAMELOOKUP_TIME_T:
      *as_off = in.since_start(in.resolved);
      return CURLE_OK;
    case CURLINFO_CONNECT_TIME:
      *as_double = seconds(in.since_start(in.connected));
      return CURLE_OK;
    case CURLINFO_CONNECT_TIME_T:
      *as_off = in.since_start(in.connected);
      return CURLE_OK;
    case CURLINFO_PRETRANSFER_TIME:
      *as_double = seconds(in.since_start(in.pretransfer));
      return CURLE_OK;
    case CURLINFO_PRETRANSFER_TIME_T:
      *as_off = in.since_start(in.pretransfer);
      return CURLE_OK;
    case CURLINFO_APPCONNECT_TIME:
      *as_double = seconds(in.since_start(in.appconnected));
      return CURLE_OK;
    case CURLINFO_APPCONNECT_TIME_T:
      *as_off = in.since_start(in.appconnected);
      return CURLE_OK;
    case CURLINFO_SSL_VERIFYRESULT:
      *as_long = in.ssl_verify_result;
      return CURLE_OK;
    case CURLINFO_CERTINFO:
      *static_cast<curl_certinfo **>(out) = t->certinfo();
      return CURLE_OK;
    case CURLINFO_STARTTRANSFER_TIME:
      *as_double = seconds(in.since_start(in.first_byte));
      return CURLE_OK;
    case CURLINFO_STARTTRANSFER_TIME_T:
      *as_off = in.since_start(in.first_byte);
      return CURLE_OK;

      // -- redirects and auth
    case CURLINFO_REDIRECT_COUNT:
      *as_long = in.redirect_count;
      return CURLE_OK;
    case CURLINFO_REDIRECT_URL:
      *as_str = in.has_redirect_url ? in.redirect_url.c_str() : nullptr;
      return CURLE_OK;
    case CURLINFO_REDIRECT_TIME:
      *as_double = seconds(in.since_start(in.redirected));
      return CURLE_OK;
    case CURLINFO_REDIRECT_TIME_T:
      *as_off = in.since_start(in.redirected);
      return CURLE_OK;
    case CURLINFO_HTTPAUTH_AVAIL:
      *as_long = in.httpauth_avail;
      return CURLE_OK;
    case CURLINFO_EFFECTIVE_METHOD:
      // Before any request: the method the options ask for, as libcurl computes it.
      if (!in.effective_method.empty())
        *as_str = in.effective_method.c_str();
      else if (!t->opt.custom_request.empty())
        *as_str = t->opt.custom_request.c_str();
      else
        *as_str = t->opt.method == evm::EasyOptions::Method::Head ? "HEAD"
                  : t->opt.method == evm::EasyOptions::Method::Post ||
                          t->opt.method == evm::EasyOptions::Method::MimePost ||  // forms too
                          t->opt.method == evm::EasyOptions::Method::FormPost
                      ? "POST"
                      : "GET";
      return CURLE_OK;

      // -- uploads and pause
    case CURLINFO_SPEED_UPLOAD_T:
      *as_off = static_cast<curl_off_t>(in.size_upload * 1000000 / (total_us > 0 ? total_us : 1));
      return CURLE_OK;
    case CURLINFO_CONTENT_LENGTH_UPLOAD_T:
      *as_off = in.content_length_upload;
      return CURLE_OK;
    case CURLINFO_SIZE_UPLOAD:
      *as_double = static_cast<double>(in.size_upload);
      return CURLE_OK;
    case CURLINFO_SPEED_UPLOAD:
      *as_double = total_us > 0 ? static_cast<double>(in.size_upload) * 1e6 / total_us : 0;
      return CURLE_OK;
    case CURLINFO_CONTENT_LENGTH_UPLOAD:
      *as_double = static_cast<double>(in.content_length_upload);
      return CURLE_OK;

      // -- cookies
    case CURLINFO_COOKIELIST: {
      auto *as_list = static_cast<curl_slist **>(out);
      *as_list = nullptr;
      if (!t->opt.cookies.jar) return CURLE_OK;
      auto hold = t->opt.share.lock(CURL_LOCK_DATA_COOKIE);
      for (const std::string &line : t->opt.cookies.jar->netscape_lines()) {
        curl_slist *grown = curl_slist_append(*as_list, line.c_str());
        if (!grown) {
          curl_slist_free_all(*as_list);
          *as_list = nullptr;
          return CURLE_OUT_OF_MEMORY;
        }
        *as_list = grown;
      }
      return CURLE_OK;
    }

      // -- response handling
    case CURLINFO_FILETIME:
      *as_long = static_cast<long>(in.filetime);
      return CURLE_OK;
    case CURLINFO_FILETIME_T:
      *as_off = in.filetime;
      return CURLE_OK;
    case CURLINFO_CONDITION_UNMET:
      // libcurl reports any 304 as an unmet condition, asked for or not.
      *as_long = in.response_code == 304 || in.condition_unmet ? 1 : 0;
      return CURLE_OK;

      // -- progress and tracing
    case CURLINFO_SPEED_DOWNLOAD:
      *as_double = static_cast<double>(in.size_download) * 1e6 /
                   static_cast<double>(total_us > 0 ? total_us : 1);
      return CURLE_OK;
    case CURLINFO_SIZE_DOWNLOAD:
      *as_double = static_cast<double>(in.size_download);
      return CURLE_OK;
    case CURLINFO_CONTENT_LENGTH_DOWNLOAD:
      *as_double = static_cast<double>(in.content_length_download);
      return CURLE_OK;

      // -- connections
    case CURLINFO_ACTIVESOCKET:
    case CURLINFO_LASTSOCKET: {
      // The connection in use, or the one used last while its pool still keeps it.
      curl_socket_t s = t->leased_socket();
      Multi *m = t->multi ? t->multi : t->private_multi.get();
      if (s == CURL_SOCKET_BAD && m && in.last_connection >= 0 && in.connection_pool == &m->pool())
        s = m->pool().idle_socket(static_cast<uint64_t>(in.last_connection));
      if (info == CURLINFO_ACTIVESOCKET)
        *static_cast<curl_socket_t *>(out) = s;
      else
        *as_long = s;
      return CURLE_OK;
    }
    case CURLINFO_REFERER:
      *as_str = in.referer.empty() ? nullptr : in.referer.c_str();
      return CURLE_OK;
    // Items of what evmulti is built without (proxies, FTP, RTSP, OpenSSL engines): answered as
    // libcurl 7.88 answers them when nothing of the kind happened, since it always has them.
    case CURLINFO_HTTP_CONNECTCODE:
    case CURLINFO_PROXYAUTH_AVAIL:
    case CURLINFO_PROXY_SSL_VERIFYRESULT:
    case CURLINFO_PROXY_ERROR:
    case CURLINFO_RTSP_CLIENT_CSEQ:
    case CURLINFO_RTSP_SERVER_CSEQ:
    case CURLINFO_RTSP_CSEQ_RECV:
      *as_long = 0;
      return CURLE_OK;
    case CURLINFO_FTP_ENTRY_PATH:
    case CURLINFO_RTSP_SESSION_ID:
      *as_str = nullptr;
      return CURLE_OK;
    case CURLINFO_SSL_ENGINES:
      *static_cast<curl_slist **>(out) = nullptr;  // no engine support: an empty list
      return CURLE_OK;
    case CURLINFO_TLS_SSL_PTR:
    case CURLINFO_TLS_SESSION: {
      // One backend, OpenSSL; the SSL * only while a TLS connection is in use, as libcurl (the
      // old TLS_SESSION item gave an SSL_CTX * there; no program can use it rightly since 7.48).
      curl_tlssessioninfo &session = t->tls_info;
      session.backend = CURLSSLBACKEND_OPENSSL;
      session.internals = t->tls_handle();
      if (info == CURLINFO_TLS_SESSION && session.internals)
        session.internals = SSL_get_SSL_CTX(static_cast<SSL *>(session.internals));
      *static_cast<curl_tlssessioninfo **>(out) = &session;
      return CURLE_OK;
    }
    case CURLINFO_RETRY_AFTER:
      *as_off = in.retry_after;
      return CURLE_OK;
    case CURLINFO_SCHEME:
      *as_str = in.scheme;
      return CURLE_OK;
    case CURLINFO_PROTOCOL:
      *as_long = in.protocol;
      return CURLE_OK;

      // -- beyond 7.88: transfer and connection ids, queue time, default trust store
    case CURLINFO_XFER_ID:
      *as_off = in.xfer_id;
      return CURLE_OK;
    case CURLINFO_CONN_ID:
      *as_off = in.last_connection;
      return CURLE_OK;
    case CURLINFO_QUEUE_TIME_T:
      *as_off = in.queue_us;
      return CURLE_OK;
    case CURLINFO_CAINFO:
      // The built-in defaults, whatever CURLOPT_CAINFO/CAPATH say now, as libcurl answers.
      *as_str = evm::kDefaultCaFile;
      return CURLE_OK;
    case CURLINFO_CAPATH:
      *as_str = evm::kDefaultCaPath;
      return CURLE_OK;

    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

}  // namespace

extern "C" CURLcode curl_easy_getinfo(CURL *handle, CURLINFO info, ...) {
  va_list ap;
  EVM_VA_START_AFTER_ENUM(ap, info);
  void *out = va_arg(ap, void *);
  va_end(ap);
  const int item = evm::api::code_value(info);
  return guarded(CURLE_OUT_OF_MEMORY, [=] { return get_info(handle, item, out); });
}
