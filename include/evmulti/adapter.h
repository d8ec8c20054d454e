/* evmulti adapters: what every event-loop adapter (libevent, epoll, kqueue)
 * has in common. Each adapter drives any libcurl-compatible multi handle
 * through the public multi API only, so the same adapter works on evmulti and
 * on the real libcurl.
 *
 * Attaching an adapter installs CURLMOPT_SOCKETFUNCTION / SOCKETDATA and
 * CURLMOPT_TIMERFUNCTION / TIMERDATA on the multi handle (replacing the
 * application's) and uses curl_multi_assign() for its own per-socket state.
 * After every curl_multi_socket_action() it reads all CURLMSG_DONE messages
 * and hands each to the application's done callback.
 *
 * Rules that hold for every adapter:
 * - One thread: an adapter and its multi are used from the thread that runs
 *   the loop.
 * - Attach before transfers start; handles added before the attach but not
 *   yet driven are fine (attaching asks for a run at once). A multi whose
 *   sockets were already announced to someone else cannot be taken over.
 * - Inside the done callback the application may remove the handle (or any
 *   other), clean it up, add new handles, and detach the adapter. It must not
 *   call curl_multi_cleanup() while the adapter is attached.
 * - Detach from the done callback or from outside the loop, never from a
 *   libcurl callback (write, header, progress...): libcurl refuses
 *   curl_multi_setopt() there, and detach then fails with -1 and changes
 *   nothing.
 * - Detaching while transfers run stops watching their sockets and drops the
 *   timer; the transfers stay in the multi, which the application then
 *   removes or cleans up. Nothing of the adapter (descriptor, event, memory)
 *   outlives the detach, except that when called from inside the done
 *   callback the memory is freed once the adapter's own stack frames return.
 */
#ifndef EVMULTI_ADAPTER_H
#define EVMULTI_ADAPTER_H

#include <curl/curl.h>

#if defined(__GNUC__) || defined(__clang__)
#define EVMULTI_ADAPTER_API __attribute__((visibility("default")))
#else
#define EVMULTI_ADAPTER_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Called once per finished transfer (a CURLMSG_DONE message), with its easy
 * handle and outcome; the handle is still in the multi. */
typedef void (*evmulti_done_cb)(CURL *easy, CURLcode result, void *userp);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EVMULTI_ADAPTER_H */
