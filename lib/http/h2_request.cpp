#include "http/h2_request.h"

#include "util/ascii.h"

namespace evm::h2 {

namespace {

// Headers that name properties of one HTTP/1.1 connection; HTTP/2 forbids them.
bool connection_specific(std::string_view name) {
  for (std::string_view n : {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
                             "upgrade", "http2-settings"})
    if (ascii::iequals(name, n)) return true;
  return false;
}

// TE may only say "trailers" over HTTP/2: kept when it is among the codings asked for.
bool te_wants_trailers(std::string_view value) {
  for (size_t i = 0; i + 8 <= value.size(); ++i)
    if (ascii::iequals(value.substr(i, 8), "trailers")) return true;
  return false;
}

void append_lower(std::string &out, std::string_view s) {
  for (char c : s) out += ascii::to_lower(c);
}

struct Field {
  size_t name_at, name_len, value_at, value_len;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool convert_request(std::string_view head, bool tls, bool drop_expect, RequestHeaders &out) {
  out.nv.clear();
  out.storage.clear();
  out.display.clear();
  // The HTTP/2 form is about as long as the HTTP/1.1 one: one allocation each.
  out.storage.reserve(head.size() + 32);
  out.display.reserve(head.size() + 8);
  size_t eol = head.find("\r\n");
  if (eol == std::string_view::npos) return false;
  std::string_view line = head.substr(0, eol);
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 <= sp1) return false;
  std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  out.display.append(method).append(" ").append(target).append(" HTTP/2\r\n");

  // Offsets first: `storage` grows while it is written, the nv pointers are taken at the end.
  std::vector<Field> fields;
  fields.reserve(16);
  auto add = [&](std::string_view name, std::string_view value, bool lower) {
    Field f{out.storage.size(), name.size(), 0, value.size()};
    for (char c : name) out.storage += lower ? ascii::to_lower(c) : c;
    f.value_at = out.storage.size();
    out.storage.append(value);
    fields.push_back(f);
  };
  add(":method", method, false);
  add(":path", target, false);
  add(":scheme", tls ? "https" : "http", false);
  size_t authority_slot = fields.size();

  std::string_view rest = head.substr(eol + 2);
  bool have_authority = false;
  while (!rest.empty()) {
    size_t end = rest.find("\r\n");
    if (end == std::string_view::npos) return false;
    std::string_view h = rest.substr(0, end);
    rest.remove_prefix(end + 2);
    if (h.empty()) break;
    size_t colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::string_view name = h.substr(0, colon), value = trim(h.substr(colon + 1));
    if (ascii::iequals(name, "host")) {
      if (have_authority) continue;
      have_authority = true;
      // :authority goes right after :scheme, as the pseudo-headers come first.
      Field f{out.storage.size(), 10, 0, value.size()};
      out.storage.append(":authority");
      f.value_at = out.storage.size();
      out.storage.append(value);
      fields.insert(fields.begin() + static_cast<long>(authority_slot), f);
      out.display.append(h).append("\r\n");
      continue;
    }
    if (drop_expect && ascii::iequals(name, "expect") && ascii::iequals(value, "100-continue"))
      continue;
    // VERBOSE shows the head before what HTTP/2 leaves out, names in lower case (as libcurl).
    if (!ascii::iequals(name, "transfer-encoding")) {
      append_lower(out.display, name);
      out.display.append(h.substr(colon)).append("\r\n");
    }
    if (connection_specific(name)) continue;
    if (ascii::iequals(name, "te")) {
      if (te_wants_trailers(value)) add("te", "trailers", false);
      continue;
    }
    add(name, value, true);
  }
  out.display.append("\r\n");

  out.nv.reserve(fields.size());
  auto *base = reinterpret_cast<uint8_t *>(out.storage.data());
  for (const Field &f : fields)
    out.nv.push_back(nghttp2_nv{base + f.name_at, base + f.value_at, f.name_len, f.value_len,
                                NGHTTP2_NV_FLAG_NONE});
  return true;
}

}  // namespace evm::h2
