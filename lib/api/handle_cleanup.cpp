#include "api/handle_cleanup.h"

#include <vector>

#include "api/c_edge.h"
#include "cookie/cookie_engine.h"
#include "multi/multi.h"
#include "transfer/transfer.h"

namespace evm::api {
namespace {

void free_now(Transfer &t) {
  // A handle still in a multi is taken out first, as libcurl does.
  if (t.multi) t.multi->remove(t);
  // COOKIEJAR is written when the handle goes (a failed write only loses the file). libcurl
  // 7.88 takes a shared jar's lock here even with no COOKIEJAR.
  {
    auto hold = t.opt.share.lock(CURL_LOCK_DATA_COOKIE);
    if (!t.opt.cookie_jar.empty())
      t.opt.cookies.write_jar(t.opt.cookie_jar, t.opt.cookie_session, cookie::unix_now());
  }
  delete &t;  // leaves its share, if any
}

}  // namespace

void cleanup_transfer(Transfer &t) {
  if (t.multi && t.multi->in_callback()) {
    t.multi->retired.push_back(&t);  // first: if it throws, the handle is left as it was
    t.retire();
    return;
  }
  free_now(t);
}

void free_retired(Multi &m, const Transfer *performing) {
  std::vector<Transfer *> list;
  list.swap(m.retired);
  for (Transfer *t : list) {
    if (t == performing)
      m.retired.push_back(t);
    else
      free_now(*t);
  }
}

FreeRetiredOnExit::~FreeRetiredOnExit() {
  if (!m || m->in_callback() || m->retired.empty()) return;
  guarded([this] {
    free_retired(*m);
    if (running) *running = static_cast<int>(m->running());
  });
}

}  // namespace evm::api
