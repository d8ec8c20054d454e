#include "cookie/cookie_engine.h"

#include <ctime>

#include "cookie/netscape_format.h"

namespace evm::cookie {

int64_t unix_now() {
  return static_cast<int64_t>(std::time(nullptr));
}

void CookieEngine::load_files(bool session, int64_t now) {
  if (files.empty()) return;
  CookieJar &j = enable();
  AddContext ctx;
  ctx.live = false;
  ctx.drop_session = session;
  ctx.now = now;
  std::string text;
  for (const std::string &name : files) {
    if (name.empty()) continue;  // "" only turns the engine on
    if (read_cookie_file(name, text)) j.add_file_text(text, ctx);
  }
}

bool CookieEngine::write_jar(const std::string &path, bool session, int64_t now) {
  load_files(session, now);
  if (!jar) return true;  // the engine is off: libcurl writes nothing
  return write_cookie_file(path, jar->file_text(now));
}

}  // namespace evm::cookie
