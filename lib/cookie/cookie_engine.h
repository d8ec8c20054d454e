// A handle's cookie engine: its jar (absent while the engine is off) and the COOKIEFILE names,
// which libcurl reads again at the start of every transfer, on "RELOAD" and before writing the
// jar. Copying one is what curl_easy_duphandle does: the same file names and an empty jar.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cookie/cookie_jar.h"

namespace evm::cookie {

struct CookieEngine {
  std::shared_ptr<CookieJar> jar;  // held by pointer so that a share can later hold it too
  std::vector<std::string> files;

  CookieEngine() = default;
  CookieEngine(const CookieEngine &o)
      : jar(o.jar ? std::make_shared<CookieJar>() : nullptr), files(o.files) {}
  CookieEngine &operator=(const CookieEngine &o) {
    if (this != &o) *this = CookieEngine(o);
    return *this;
  }
  CookieEngine(CookieEngine &&) = default;
  CookieEngine &operator=(CookieEngine &&) = default;

  CookieJar &enable() {
    if (!jar) jar = std::make_shared<CookieJar>();
    return *jar;
  }
  // Reads every COOKIEFILE into the jar (turning the engine on), as not live cookies; a file
  // that cannot be read is skipped, as libcurl does. `session`: COOKIESESSION.
  void load_files(bool session, int64_t now);
  // COOKIEJAR: files first, then the jar; false when the file could not be written.
  bool write_jar(const std::string &path, bool session, int64_t now);
};

// Wall-clock seconds, what cookie expiry is measured in.
int64_t unix_now();

}  // namespace evm::cookie
