// The Netscape cookie file, both ways: one line per cookie, libcurl's header when writing, and
// the file I/O for COOKIEFILE (read) and COOKIEJAR (written whole, then renamed into place).
#pragma once

#include <string>

#include "cookie/cookie.h"

namespace evm::cookie {

// "[#HttpOnly_][.]domain\tTAILMATCH\tpath\tSECURE\texpires\tname\tvalue", no line end.
std::string format_netscape_line(const Cookie &c);
// The comment lines libcurl starts a cookie jar with, blank line included.
extern const char kJarFileHeader[];

// The file's bytes ("-": standard input); false when it cannot be read.
bool read_cookie_file(const std::string &path, std::string &out);
// Writes `text` to `path` ("-": standard output) through a temporary file in the same folder.
bool write_cookie_file(const std::string &path, const std::string &text);

}  // namespace evm::cookie
