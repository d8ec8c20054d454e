// The curl_mime_* entry points: argument checks and libcurl's answers; the tree is lib/mime's.
#include <curl/curl.h>

#include <cstring>

#include "api/c_edge.h"
#include "mime/form_to_mime.h"
#include "mime/mime_tree.h"

using evm::api::guarded;
using evm::mime::Mime;
using evm::mime::Part;

namespace {

Mime *from(curl_mime *m) {
  return reinterpret_cast<Mime *>(m);
}
Part *from(curl_mimepart *p) {
  return reinterpret_cast<Part *>(p);
}

// curl_mime_name, _filename and _type: a copy of the string, or none for null.
CURLcode set_text(curl_mimepart *part, const char *text, std::optional<std::string> Part::*field) {
  return guarded(CURLE_OUT_OF_MEMORY, [&] {
    if (!part) return CURLE_BAD_FUNCTION_ARGUMENT;
    if (text)
      from(part)->*field = text;
    else
      (from(part)->*field).reset();
    return CURLE_OK;
  });
}

}  // namespace

extern "C" curl_mime *curl_mime_init(CURL *) {
  return guarded(nullptr, [] { return reinterpret_cast<curl_mime *>(new Mime()); });
}

extern "C" void curl_mime_free(curl_mime *mime) {
  guarded([mime] {
    Mime *m = from(mime);
    if (!m) return;
    // Subparts the application frees leave their part empty, as libcurl does.
    if (m->parent) m->parent->detach_subparts();
    delete m;
  });
}

extern "C" curl_mimepart *curl_mime_addpart(curl_mime *mime) {
  return guarded(nullptr, [mime]() -> curl_mimepart * {
    if (!mime) return nullptr;
    return reinterpret_cast<curl_mimepart *>(&from(mime)->add_part());
  });
}

extern "C" CURLcode curl_mime_name(curl_mimepart *part, const char *name) {
  return set_text(part, name, &Part::name);
}

extern "C" CURLcode curl_mime_filename(curl_mimepart *part, const char *filename) {
  return set_text(part, filename, &Part::filename);
}

extern "C" CURLcode curl_mime_type(curl_mimepart *part, const char *mimetype) {
  return set_text(part, mimetype, &Part::type);
}

extern "C" CURLcode curl_mime_encoder(curl_mimepart *part, const char *encoding) {
  return guarded(CURLE_OUT_OF_MEMORY, [&] {
    if (!part) return CURLE_BAD_FUNCTION_ARGUMENT;
    // A failed call still drops the previous encoder, as libcurl's does.
    from(part)->encoding = evm::mime::Encoding::None;
    if (!encoding) return CURLE_OK;
    return evm::mime::parse_encoding(encoding, from(part)->encoding) ? CURLE_OK
                                                                     : CURLE_NOT_BUILT_IN;
  });
}

extern "C" CURLcode curl_mime_data(curl_mimepart *part, const char *data, size_t datasize) {
  return guarded(CURLE_OUT_OF_MEMORY, [&] {
    if (!part) return CURLE_BAD_FUNCTION_ARGUMENT;
    if (data && datasize == CURL_ZERO_TERMINATED) datasize = std::strlen(data);
    from(part)->set_data(data, datasize);
    return CURLE_OK;
  });
}

extern "C" CURLcode curl_mime_filedata(curl_mimepart *part, const char *filename) {
  return guarded(CURLE_OUT_OF_MEMORY, [&] {
    if (!part) return CURLE_BAD_FUNCTION_ARGUMENT;
    Part &p = *from(part);
    p.set_file(filename);
    if (!filename) return CURLE_OK;
    // The file name shown defaults to the path's last component.
    const char *slash = std::strrchr(filename, '/');
    p.filename = slash ? slash + 1 : filename;
    // The part stays set up (the file may appear before sending), but libcurl says so now.
    return evm::mime::readable_file(filename) ? CURLE_OK : CURLE_READ_ERROR;
  });
}

extern "C" CURLcode curl_mime_data_cb(curl_mimepart *part, curl_off_t datasize,
                                      curl_read_callback readfunc, curl_seek_callback seekfunc,
                                      curl_free_callback freefunc, void *arg) {
  return guarded(CURLE_OUT_OF_MEMORY, [&] {
    if (!part) return CURLE_BAD_FUNCTION_ARGUMENT;
    from(part)->set_callback(datasize < 0 ? -1 : datasize,
                             evm::mime::ReadCallbacks{readfunc, seekfunc, freefunc, arg});
    return CURLE_OK;
  });
}

extern "C" CURLcode curl_mime_subparts(curl_mimepart *part, curl_mime *subparts) {
  return guarded(CURLE_OUT_OF_MEMORY, [&] {
    if (!part) return CURLE_BAD_FUNCTION_ARGUMENT;
    Part &p = *from(part);
    Mime *sub = from(subparts);
    if (p.kind() == evm::mime::Kind::Multipart && p.subparts() == sub) return CURLE_OK;
    p.clear_content();  // even when the call then fails, as libcurl's does
    if (!sub) return CURLE_OK;
    // A tree attached elsewhere, posted by a handle, or holding this part is refused.
    if (sub->parent || sub->slot || &p.owner().root() == sub) return CURLE_BAD_FUNCTION_ARGUMENT;
    p.set_subparts(sub);
    return CURLE_OK;
  });
}

extern "C" CURLcode curl_mime_headers(curl_mimepart *part, struct curl_slist *headers,
                                      int take_ownership) {
  return guarded(CURLE_OUT_OF_MEMORY, [&] {
    if (!part) return CURLE_BAD_FUNCTION_ARGUMENT;
    from(part)->set_headers(headers, take_ownership != 0);
    return CURLE_OK;
  });
}
