// Freeing an easy handle. libcurl 7.88 frees it at once even from inside one of its own
// callbacks, and crashes when the callback returns; here such a handle is retired instead
// (Transfer::retire) and freed once the multi call that ran the callback returns.
#pragma once

namespace evm {
class Multi;
class Transfer;
}  // namespace evm

namespace evm::api {

// curl_easy_cleanup: out of its multi, COOKIEJAR written, freed; or retired when its multi is
// running a callback.
void cleanup_transfer(Transfer &t);

// Frees what was retired while `m` ran callbacks; call only when none runs. curl_easy_perform's
// own handle is left to curl_easy_perform.
void free_retired(Multi &m, const Transfer *performing = nullptr);

// Frees retired handles when the multi call it guards returns, and corrects the running count
// that call reports: a loop waiting for 0 would otherwise wait for a handle already gone.
struct FreeRetiredOnExit {
  Multi *&m;
  int *running = nullptr;
  ~FreeRetiredOnExit();
};

}  // namespace evm::api
