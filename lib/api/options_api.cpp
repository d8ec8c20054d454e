// options.h: curl_easy_option_by_name, _by_id and _next, answered from the option table.
#include <curl/curl.h>

#include "api/c_edge.h"
#include "api/option_table.h"

extern "C" const struct curl_easyoption *curl_easy_option_by_name(const char *name) {
  const evm::OptionInfo *o = evm::option_by_name(name);
  return o ? &o->pub : nullptr;
}

extern "C" const struct curl_easyoption *curl_easy_option_by_id(CURLoption id) {
  const evm::OptionInfo *o = evm::option_by_id(evm::api::code_value(id));  // any int from C
  return o ? &o->pub : nullptr;
}

extern "C" const struct curl_easyoption *curl_easy_option_next(const struct curl_easyoption *prev) {
  std::span<const evm::OptionInfo> table = evm::option_table();
  if (!prev) return &table.front().pub;
  // A pointer that is not one of our entries ends the walk instead of being stepped past.
  const evm::OptionInfo *o = evm::option_of(prev);
  if (!o || o == &table.back()) return nullptr;
  return &(o + 1)->pub;
}
