#include "urlapi/url_relative.h"

namespace evm::urlapi {
namespace {

std::string escape_rel(std::string_view rel) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string r;
  for (unsigned char c : rel) {
    if (c == ' ' || c >= 0x80) {
      r += '%';
      r += kHex[c >> 4];
      r += kHex[c & 0xf];
    } else {
      r += static_cast<char>(c);
    }
  }
  return r;
}

}  // namespace

std::string join_relative(std::string_view base, std::string_view rel) {
  size_t colon = base.find(':');
  size_t authority = colon + 3;  // after "scheme://"
  size_t path = base.find('/', authority);
  if (path == std::string_view::npos) path = base.size();
  size_t end = base.find_first_of("?#", path);
  if (end == std::string_view::npos) end = base.size();

  std::string out;
  if (rel.starts_with("//")) {
    out = std::string(base.substr(0, colon + 1));
  } else if (rel.starts_with("/")) {
    out = std::string(base.substr(0, path));
  } else if (rel.starts_with("?")) {
    out = std::string(base.substr(0, end));
  } else {
    std::string_view dir = base.substr(0, end);
    size_t slash = dir.rfind('/');
    out = std::string(slash != std::string_view::npos && slash >= path ? dir.substr(0, slash + 1)
                                                                       : dir);
    if (out.back() != '/') out += '/';
  }
  return out + escape_rel(rel);
}

}  // namespace evm::urlapi
