#include "urlapi/url_relative.h"

#include "urlapi/url_parse.h"

namespace evm::urlapi {

std::string join_relative(std::string_view base, std::string_view rel) {
  size_t colon = base.find(':');
  // Everything after "scheme://": the authority, then the path.
  size_t after_slashes = base.compare(colon + 1, 2, "//") == 0 ? colon + 3 : colon + 1;
  size_t path = base.find('/', after_slashes);
  if (path == std::string_view::npos) path = base.size();
  size_t end = base.find_first_of("?#", path);
  std::string out(base.substr(0, end == std::string_view::npos ? base.size() : end));

  if (rel.starts_with("//"))
    return std::string(base.substr(0, colon + 1)) + encode_loose(rel, false);
  if (rel.starts_with("/")) return std::string(base.substr(0, path)) + encode_loose(rel, false);
  bool at_root = false;  // "../" went up to the root: its '/' is already there
  if (!rel.starts_with("?")) {
    // The last segment goes, with its slash; then one "./" is skipped and each "../" takes
    // one more segment, never the authority.
    size_t slash = out.rfind('/');
    if (slash != std::string::npos && slash >= after_slashes) out.erase(slash);
    if (rel.starts_with("./")) rel.remove_prefix(2);
    size_t levels = 0;
    while (rel.starts_with("../")) {
      rel.remove_prefix(3);
      ++levels;
    }
    if (path < out.size()) {
      while (levels-- > 0) {
        size_t cut = out.rfind('/');
        if (cut <= path) {
          out.erase(path + 1);
          at_root = true;
          break;
        }
        out.erase(cut);
      }
    }
  }
  if (!at_root && !rel.starts_with("/") && !rel.starts_with("?")) out += '/';
  return out + encode_loose(rel, false);
}

}  // namespace evm::urlapi
