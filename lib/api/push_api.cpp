// curl_pushheader_bynum/_byname: the headers of the PUSH_PROMISE a CURLMOPT_PUSHFUNCTION
// callback is looking at.
#include <curl/curl.h>

#include "multi/push_promise.h"

extern "C" char *curl_pushheader_bynum(struct curl_pushheaders *h, size_t num) {
  if (!h || !h->promise || num >= h->promise->headers.size()) return nullptr;
  const auto &[name, value] = h->promise->headers[num];
  h->line = name + ":" + value;
  return h->line.data();
}

extern "C" char *curl_pushheader_byname(struct curl_pushheaders *h, const char *name) {
  // libcurl answers nothing for an empty name or a lone ":".
  if (!h || !h->promise || !name || !name[0] || (name[0] == ':' && !name[1])) return nullptr;
  for (const auto &[n, v] : h->promise->headers)
    if (n == name) return const_cast<char *>(v.c_str());
  return nullptr;
}
