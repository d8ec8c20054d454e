// curl_multi_* entry points: handle and argument checks, the re-entrancy rule, then Multi.
#include <curl/curl.h>

#include <cstdarg>

#include "api/c_edge.h"
#include "api/handle_cleanup.h"
#include "multi/multi.h"

// multi.h maps the old name to socket_action; we define the real symbol.
#undef curl_multi_socket

using evm::Multi;
using evm::Transfer;
using evm::api::guarded;

namespace {

// Resolves the handle and refuses calls made from inside our own callbacks, as libcurl does.
CURLMcode enter(CURLM *handle, Multi *&m) {
  m = Multi::from(handle);
  if (!m) return CURLM_BAD_HANDLE;
  if (m->in_callback()) return CURLM_RECURSIVE_API_CALL;
  if (!m->retired.empty()) evm::api::free_retired(*m);  // retired during a curl_easy_pause, say
  return CURLM_OK;
}

}  // namespace

extern "C" CURLM *curl_multi_init(void) {
  return guarded(nullptr, [] { return (new Multi)->handle(); });
}

extern "C" CURLMcode curl_multi_cleanup(CURLM *handle) {
  return guarded(CURLM_OUT_OF_MEMORY, [&] {
    Multi *m;
    if (CURLMcode rc = enter(handle, m)) return rc;
    delete m;
    return CURLM_OK;
  });
}

extern "C" CURLMcode curl_multi_add_handle(CURLM *multi_handle, CURL *easy) {
  return guarded(CURLM_OUT_OF_MEMORY, [&] {
    Multi *m;
    if (CURLMcode rc = enter(multi_handle, m)) return rc;
    Transfer *t = Transfer::from(easy);
    if (!t) return CURLM_BAD_EASY_HANDLE;
    if (t->multi) return CURLM_ADDED_ALREADY;
    return m->add(*t);
  });
}

extern "C" CURLMcode curl_multi_remove_handle(CURLM *multi_handle, CURL *easy) {
  return guarded(CURLM_OUT_OF_MEMORY, [&] {
    Multi *m;
    if (CURLMcode rc = enter(multi_handle, m)) return rc;
    Transfer *t = Transfer::from(easy);
    if (!t) return CURLM_BAD_EASY_HANDLE;
    if (!t->multi) return CURLM_OK;  // not added (any more): nothing to do, as libcurl says
    if (t->multi != m) return CURLM_BAD_EASY_HANDLE;
    return m->remove(*t);
  });
}

extern "C" CURLMcode curl_multi_perform(CURLM *handle, int *running_handles) {
  return guarded(CURLM_OUT_OF_MEMORY, [&] {
    Multi *m = nullptr;
    evm::api::FreeRetiredOnExit free_retired{m, running_handles};  // what its callbacks retired
    if (CURLMcode rc = enter(handle, m)) return rc;
    return m->perform(running_handles);
  });
}

extern "C" CURLMcode curl_multi_socket_action(CURLM *handle, curl_socket_t s, int ev_bitmask,
                                              int *running_handles) {
  return guarded(CURLM_OUT_OF_MEMORY, [&] {
    Multi *m = nullptr;
    evm::api::FreeRetiredOnExit free_retired{m, running_handles};  // what its callbacks retired
    if (CURLMcode rc = enter(handle, m)) return rc;
    return m->socket_action(s, ev_bitmask, running_handles);
  });
}

extern "C" CURLMcode curl_multi_socket(CURLM *handle, curl_socket_t s, int *running_handles) {
  return guarded(CURLM_OUT_OF_MEMORY,
                 [&] { return curl_multi_socket_action(handle, s, 0, running_handles); });
}

extern "C" CURLMcode curl_multi_socket_all(CURLM *handle, int *running_handles) {
  return guarded(CURLM_OUT_OF_MEMORY, [&] {
    Multi *m = nullptr;
    evm::api::FreeRetiredOnExit free_retired{m, running_handles};  // what its callbacks retired
    if (CURLMcode rc = enter(handle, m)) return rc;
    return m->perform(running_handles);
  });
}

extern "C" CURLMcode curl_multi_wait(CURLM *handle, struct curl_waitfd extra_fds[],
                                     unsigned int extra_nfds, int timeout_ms, int *ret) {
  return guarded(CURLM_OUT_OF_MEMORY, [&] {
    Multi *m = nullptr;
    evm::api::FreeRetiredOnExit free_retired{m};  // what its callbacks retired
    if (CURLMcode rc = enter(handle, m)) return rc;
    if (timeout_ms < 0 || (extra_nfds && !extra_fds)) return CURLM_BAD_FUNCTION_ARGUMENT;
    return m->wait(extra_fds, extra_nfds, timeout_ms, ret, false);
  });
}

extern "C" CURLMcode curl_multi_poll(CURLM *handle, struct curl_waitfd extra_fds[],
                                     unsigned int extra_nfds, int timeout_ms, int *ret) {
  return guarded(CURLM_OUT_OF_MEMORY, [&] {
    Multi *m = nullptr;
    evm::api::FreeRetiredOnExit free_retired{m};  // what its callbacks retired
    if (CURLMcode rc = enter(handle, m)) return rc;
    if (timeout_ms < 0 || (extra_nfds && !extra_fds)) return CURLM_BAD_FUNCTION_ARGUMENT;
    return m->wait(extra_fds, extra_nfds, timeout_ms, ret, true);
  });
}

extern "C" CURLMcode curl_multi_wakeup(CURLM *handle) {
  return guarded(CURLM_OUT_OF_MEMORY, [&] {
    // Meant to be called from any thread, even during a callback: no re-entrancy check.
    Multi *m = Multi::from(handle);
    if (!m) return CURLM_BAD_HANDLE;
    return m->wakeup();
  });
}

extern "C" CURLMcode curl_multi_fdset(CURLM *handle, fd_set *read_fd_set, fd_set *write_fd_set,
                                      fd_set *exc_fd_set, int *max_fd) {
  return guarded(CURLM_OUT_OF_MEMORY, [&] {
    Multi *m;
    if (CURLMcode rc = enter(handle, m)) return rc;
    return m->fdset(read_fd_set, write_fd_set, exc_fd_set, max_fd);
  });
}

extern "C" CURLMcode curl_multi_timeout(CURLM *handle, long *milliseconds) {
  return guarded(CURLM_OUT_OF_MEMORY, [&] {
    Multi *m;
    if (CURLMcode rc = enter(handle, m)) return rc;
    if (!milliseconds) return CURLM_BAD_FUNCTION_ARGUMENT;
    *milliseconds = m->timeout_ms_value();
    return CURLM_OK;
  });
}

extern "C" CURLMsg *curl_multi_info_read(CURLM *handle, int *msgs_in_queue) {
  return guarded(nullptr, [&]() -> CURLMsg * {
    Multi *m = Multi::from(handle);
    if (msgs_in_queue) *msgs_in_queue = 0;
    if (!m || m->in_callback()) return nullptr;
    if (!m->retired.empty()) evm::api::free_retired(*m);  // no message for a freed handle
    return m->info_read(msgs_in_queue);
  });
}

extern "C" CURLMcode curl_multi_assign(CURLM *handle, curl_socket_t sockfd, void *sockp) {
  return guarded(CURLM_OUT_OF_MEMORY, [&] {
    Multi *m = Multi::from(handle);
    if (!m) return CURLM_BAD_HANDLE;
    return m->assign(sockfd, sockp);
  });
}

extern "C" CURL **curl_multi_get_handles(CURLM *handle) {
  return guarded(nullptr, [&]() -> CURL ** {
    Multi *m = Multi::from(handle);
    return m ? m->handles() : nullptr;
  });
}

extern "C" CURLMcode curl_multi_waitfds(CURLM *handle, struct curl_waitfd *ufds, unsigned int size,
                                        unsigned int *fd_count) {
  return guarded(CURLM_OUT_OF_MEMORY, [&] {
    Multi *m;
    if (CURLMcode rc = enter(handle, m)) return rc;
    // No array is fine only for asking the count (size 0, fd_count given), as the man page has it.
    if (!ufds && (size || !fd_count)) return CURLM_BAD_FUNCTION_ARGUMENT;
    return m->waitfds(ufds, size, fd_count);
  });
}

namespace {

// `option` as C passed it (any int): the switch answers an unknown one.
CURLMcode set_option(CURLM *handle, int option, va_list &ap) {
  Multi *m;
  if (CURLMcode rc = enter(handle, m)) return rc;
  switch (option) {
    case CURLMOPT_SOCKETFUNCTION:
      m->socket_fn = va_arg(ap, curl_socket_callback);
      return CURLM_OK;
    case CURLMOPT_SOCKETDATA:
      m->socket_data = va_arg(ap, void *);
      return CURLM_OK;
    case CURLMOPT_TIMERFUNCTION:
      m->timer_fn = va_arg(ap, curl_multi_timer_callback);
      return CURLM_OK;
    case CURLMOPT_TIMERDATA:
      m->timer_data = va_arg(ap, void *);
      return CURLM_OK;
    case CURLMOPT_MAXCONNECTS:
    case CURLMOPT_MAX_HOST_CONNECTIONS:
    case CURLMOPT_MAX_TOTAL_CONNECTIONS: {
      long v = va_arg(ap, long);
      if (v < 0) return CURLM_BAD_FUNCTION_ARGUMENT;
      size_t n = static_cast<size_t>(v);
      if (option == CURLMOPT_MAXCONNECTS) m->pool().limits.max_idle = n;
      if (option == CURLMOPT_MAX_HOST_CONNECTIONS) m->pool().limits.max_host = n;
      if (option == CURLMOPT_MAX_TOTAL_CONNECTIONS) m->pool().limits.max_total = n;
      return CURLM_OK;
    }
    case CURLMOPT_PIPELINING:
      // CURLPIPE_MULTIPLEX lets HTTP/2 connections carry many transfers; HTTP/1.1 pipelining
      // is gone from libcurl too, and libcurl 7.88 takes any value.
      m->pipelining = va_arg(ap, long);
      m->pool().limits.multiplex = (m->pipelining & CURLPIPE_MULTIPLEX) != 0;
      return CURLM_OK;
    case CURLMOPT_MAX_CONCURRENT_STREAMS: {
      long v = va_arg(ap, long);
      m->max_concurrent_streams = v < 1 ? 100 : v;  // libcurl's default for values below 1
      m->pool().limits.max_streams = static_cast<size_t>(m->max_concurrent_streams);
      return CURLM_OK;
    }
    case CURLMOPT_PUSHFUNCTION:
      // Kept for HTTP/2; over HTTP/1.1 no server can push, so it is never called.
      m->push_fn = va_arg(ap, curl_push_callback);
      return CURLM_OK;
    case CURLMOPT_PUSHDATA:
      m->push_data = va_arg(ap, void *);
      return CURLM_OK;
    // Options of HTTP/1.1 pipelining, which libcurl removed in 7.62: taken and without effect
    // there too (their man pages say "no function").
    case CURLMOPT_MAX_PIPELINE_LENGTH:
      (void)va_arg(ap, long);
      return CURLM_OK;
    case CURLMOPT_CONTENT_LENGTH_PENALTY_SIZE:
    case CURLMOPT_CHUNK_LENGTH_PENALTY_SIZE:
      (void)va_arg(ap, curl_off_t);
      return CURLM_OK;
    case CURLMOPT_PIPELINING_SITE_BL:
    case CURLMOPT_PIPELINING_SERVER_BL:
      (void)va_arg(ap, char **);
      return CURLM_OK;
    default:
      return CURLM_UNKNOWN_OPTION;
  }
}

}  // namespace

extern "C" CURLMcode curl_multi_setopt(CURLM *handle, CURLMoption option, ...) {
  va_list ap;
  EVM_VA_START_AFTER_ENUM(ap, option);
  CURLMcode rc = guarded(CURLM_OUT_OF_MEMORY,
                         [&] { return set_option(handle, evm::api::code_value(option), ap); });
  va_end(ap);
  return rc;
}
