// One stored cookie, as libcurl 7.88 keeps it, and the limits it applies to cookies.
#pragma once

#include <cstdint>
#include <string>

namespace evm::cookie {

// libcurl's caps: a name or a value of 4095 bytes or more, or the two together over 4096, is
// dropped; at most 50 Set-Cookie lines are taken from one response; at most 150 cookies and
// 8190 bytes of them go into one request's Cookie header; longer lines than 5000 bytes are
// ignored (in files as in headers).
inline constexpr size_t kMaxNameValue = 4096;
inline constexpr int kMaxSetPerResponse = 50;
inline constexpr size_t kMaxSendCount = 150;
inline constexpr size_t kMaxHeaderLength = 8190;
inline constexpr size_t kMaxLineLength = 5000;

struct Cookie {
  std::string name, value;
  // Without a leading dot. Empty only for a cookie added without any host in sight (a
  // Set-Cookie line of COOKIELIST or a file without Domain): libcurl keeps those, sends them to
  // numeric hosts only and never lists or writes them.
  std::string domain;
  std::string path;        // as given or defaulted ("/dir/sub/"): what the file format shows
  std::string spath;       // sanitized, no trailing slash ("/dir/sub", "" for "/"): what matches
  bool tailmatch = false;  // a domain cookie (Domain attribute, or TRUE in the file)
  bool secure = false;
  bool httponly = false;
  int64_t expires = 0;   // seconds since the epoch; 0: a session cookie
  bool live = false;     // set by a server or COOKIELIST, not read from a file: wins over those
  uint64_t created = 0;  // jar-wide counter: ties in the Cookie header and the jar order
};

}  // namespace evm::cookie
