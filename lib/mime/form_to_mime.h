// CURLOPT_HTTPPOST: the curl_formadd list turned into a Mime at send time, as libcurl 7.88 does,
// so the old form API has no encoder of its own. An entry with several files becomes a part
// holding multipart/mixed subparts.
#pragma once

#include <curl/curl.h>

#include <memory>

#include "mime/mime_tree.h"

namespace evm::mime {

// `read_fn` reads CURLFORM_STREAM parts (CURLOPT_READFUNCTION; null leaves them empty, as
// curl_formget does). A file that cannot be read answers CURLE_READ_ERROR.
CURLcode mime_from_form(const curl_httppost *post, curl_read_callback read_fn,
                        std::unique_ptr<Mime> &out);

// Whether `path` names a readable file (curl_mime_filedata's check).
bool readable_file(const char *path);

}  // namespace evm::mime
