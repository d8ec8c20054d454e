// Process-wide entry points: global init/cleanup, version text, curl_free and curl_slist.
// These are C functions, so each body runs inside guarded() and no exception escapes.
#include <curl/curl.h>

#include <ares.h>
#include <nghttp2/nghttp2.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "api/c_edge.h"

using evm::api::guarded;

namespace {

// libcurl counts init/cleanup pairs; only the first init and the last cleanup do work.
std::mutex global_mutex;
long global_init_count = 0;

}  // namespace

extern "C" CURLcode curl_global_init(long flags) {
  (void)flags;  // SSL/WIN32 bits have nothing to switch on here; unknown bits are ignored.
  return guarded(CURLE_OUT_OF_MEMORY, [] {
    std::lock_guard<std::mutex> lock(global_mutex);
    if (global_init_count == 0 && ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
      return CURLE_FAILED_INIT;
    ++global_init_count;
    return CURLE_OK;
  });
}

// The allocator a program hands over, kept as it was given. The library's own allocations stay
// C++'s (operator new, and malloc for what curl_free releases): its objects are not laid out for
// a foreign allocator, and README says so.
namespace {
struct MemoryCallbacks {
  curl_malloc_callback malloc_cb = nullptr;
  curl_free_callback free_cb = nullptr;
  curl_realloc_callback realloc_cb = nullptr;
  curl_strdup_callback strdup_cb = nullptr;
  curl_calloc_callback calloc_cb = nullptr;
};
MemoryCallbacks memory_callbacks;
}  // namespace

// libcurl 7.88: a missing callback fails at once; a repeated init only counts, keeping the first
// callbacks; the first one records them and initialises as curl_global_init does.
extern "C" CURLcode curl_global_init_mem(long flags, curl_malloc_callback m, curl_free_callback f,
                                         curl_realloc_callback r, curl_strdup_callback s,
                                         curl_calloc_callback c) {
  if (!m || !f || !r || !s || !c) return CURLE_FAILED_INIT;
  {
    std::lock_guard<std::mutex> lock(global_mutex);
    if (global_init_count > 0) {
      ++global_init_count;
      return CURLE_OK;
    }
    memory_callbacks = MemoryCallbacks{m, f, r, s, c};
  }
  return curl_global_init(flags);
}

extern "C" void curl_global_cleanup(void) {
  guarded([] {
    std::lock_guard<std::mutex> lock(global_mutex);
    // A cleanup without a matching init is a no-op, as in libcurl.
    if (global_init_count == 0) return;
    if (--global_init_count == 0) ares_library_cleanup();
  });
}

extern "C" char *curl_version(void) {
  // Built once; function-local static initialisation is thread-safe. Names evmulti and the
  // libraries libcurl's own text would name (TLS and zlib are told by curl_version_info).
  return guarded(nullptr, [] {
    static char text[200];
    static const bool built = [] {
      std::snprintf(text, sizeof text, "libcurl/%s evmulti/%s c-ares/%s nghttp2/%s",
                    LIBCURL_VERSION, EVMULTI_VERSION, ares_version(nullptr),
                    nghttp2_version(0)->version_str);
      return true;
    }();
    (void)built;
    return text;
  });
}

extern "C" void curl_free(void *p) {
  guarded([p] { std::free(p); });
}

extern "C" struct curl_slist *curl_slist_append(struct curl_slist *list, const char *data) {
  return guarded(nullptr, [list, data]() -> curl_slist * {
    // NULL data has nothing to copy: report failure and leave the list as it was.
    if (!data) return nullptr;
    char *copy = ::strdup(data);
    if (!copy) return nullptr;
    auto *node = static_cast<curl_slist *>(std::malloc(sizeof(curl_slist)));
    if (!node) {
      std::free(copy);
      return nullptr;
    }
    node->data = copy;
    node->next = nullptr;
    if (!list) return node;
    curl_slist *last = list;
    while (last->next) last = last->next;
    last->next = node;
    return list;
  });
}

extern "C" void curl_slist_free_all(struct curl_slist *list) {
  guarded([list]() mutable {
    while (list) {
      curl_slist *next = list->next;
      std::free(list->data);
      std::free(list);
      list = next;
    }
  });
}
