#include "mime/part_headers.h"

#include <cstring>

#include "mime/mime_tree.h"
#include "util/ascii.h"

namespace evm::mime {
namespace {

std::string escape(std::string_view s, const HeaderStyle &style) {
  std::string out;
  for (char c : s) {
    if (style.backslash_escape) {
      if (c == '\\' || c == '"') out += '\\';
      out += c;
    } else if (c == '"') {
      out += "%22";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

const char *type_for_filename(const char *filename) {
  struct Ext {
    const char *ext, *type;
  };
  static constexpr Ext kTypes[] = {
      {".gif", "image/gif"},       {".jpg", "image/jpeg"},    {".jpeg", "image/jpeg"},
      {".png", "image/png"},       {".svg", "image/svg+xml"}, {".txt", "text/plain"},
      {".htm", "text/html"},       {".html", "text/html"},    {".pdf", "application/pdf"},
      {".xml", "application/xml"},
  };
  if (!filename) return nullptr;
  std::string_view f(filename);
  for (const Ext &e : kTypes) {
    std::string_view ext(e.ext);
    if (f.size() >= ext.size() && ascii::iequals(f.substr(f.size() - ext.size()), ext))
      return e.type;
  }
  return nullptr;
}

const char *find_header(const curl_slist *list, std::string_view name) {
  for (; list; list = list->next) {
    std::string_view h(list->data);
    if (h.size() > name.size() && h[name.size()] == ':' && ascii::istarts_with(h, name)) {
      const char *v = list->data + name.size() + 1;
      while (*v == ' ' || *v == '\t') ++v;
      return v;
    }
  }
  return nullptr;
}

bool type_matches(std::string_view type, std::string_view wanted) {
  if (!ascii::istarts_with(type, wanted)) return false;
  if (type.size() == wanted.size()) return true;
  char c = type[wanted.size()];
  return c == ' ' || c == '\t' || c == ';';
}

std::string part_headers(const Part &part, const char *forced_type, const char *disposition,
                         const HeaderStyle &style, std::string *type_out) {
  const curl_slist *own = part.headers();
  const char *custom = part.type ? part.type->c_str() : find_header(own, "Content-Type");
  const char *type = custom ? custom : forced_type;
  const char *filename = part.filename ? part.filename->c_str() : nullptr;
  if (!type) {
    switch (part.kind()) {
      case Kind::Multipart:
        type = "multipart/mixed";
        break;
      case Kind::File:
        type = type_for_filename(filename);
        if (!type) type = type_for_filename(part.data().c_str());
        if (!type && filename) type = "application/octet-stream";
        break;
      default:
        type = type_for_filename(filename);
        break;
    }
  }
  const char *boundary = nullptr;
  if (part.kind() == Kind::Multipart) {
    boundary = part.subparts()->boundary().c_str();
  } else if (type && !custom && type_matches(type, "text/plain") && !filename) {
    type = nullptr;  // the default type of a form field goes unsaid
  }

  std::string out;
  if (!find_header(own, "Content-Disposition")) {
    if (!disposition &&
        (filename || part.name || (type && !ascii::istarts_with(type, "multipart/"))))
      disposition = "attachment";
    if (disposition && ascii::iequals(disposition, "attachment") && !part.name && !filename)
      disposition = nullptr;
    if (disposition) {
      out.append("Content-Disposition: ").append(disposition);
      if (part.name) out.append("; name=\"").append(escape(*part.name, style)).append("\"");
      if (filename) out.append("; filename=\"").append(escape(filename, style)).append("\"");
      out += "\r\n";
    }
  }
  if (type) {
    out.append("Content-Type: ").append(type);
    if (boundary) out.append("; boundary=").append(boundary);
    out += "\r\n";
  }
  if (type_out) type_out->assign(type ? type : "");
  if (!find_header(own, "Content-Transfer-Encoding"))
    if (const char *cte = encoding_name(part.encoding))
      out.append("Content-Transfer-Encoding: ").append(cte).append("\r\n");
  for (const curl_slist *h = own; h; h = h->next) {
    std::string_view line(h->data);
    if (line.size() > 12 && line[12] == ':' && ascii::istarts_with(line, "Content-Type")) continue;
    out.append(line).append("\r\n");
  }
  return out;
}

}  // namespace evm::mime
