#include "transfer/resolve_overrides.h"

#include <string>

#include "util/ascii.h"

namespace evm {

bool find_resolve_override(const curl_slist *list, std::string_view host, uint16_t port,
                           AddressList &out) {
  std::string port_text = std::to_string(port);
  for (const curl_slist *s = list; s; s = s->next) {
    std::string_view e = s->data ? s->data : "";
    if (!e.empty() && e[0] == '-') continue;
    if (!e.empty() && e[0] == '+') e.remove_prefix(1);
    size_t c1 = e.find(':');
    if (c1 == std::string_view::npos) continue;
    size_t c2 = e.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    if (!ascii::iequals(e.substr(0, c1), host) || e.substr(c1 + 1, c2 - c1 - 1) != port_text)
      continue;
    std::string_view addrs = e.substr(c2 + 1);
    while (!addrs.empty()) {
      size_t comma = addrs.find(',');
      std::string a(addrs.substr(0, comma));
      if (a.size() > 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
      Address addr;
      if (Address::from_numeric(a, 0, addr)) out.push_back(addr);
      if (comma == std::string_view::npos) break;
      addrs.remove_prefix(comma + 1);
    }
    if (!out.empty()) return true;
  }
  return false;
}

}  // namespace evm
