// The one table of libcurl 7.88's easy options: what curl_easy_option_* hand out and what
// curl_easy_setopt dispatches on. Each entry says whether evmulti builds the option and, if not,
// what a libcurl 7.88 built without that feature answers.
#pragma once

#include <curl/curl.h>

#include <span>

namespace evm {

struct OptionInfo {
  curl_easyoption pub;            // the public entry (name without "CURLOPT_")
  CURLcode not_built = CURLE_OK;  // setopt's answer when reason is set
  const char *reason = nullptr;   // null: implemented
  bool implemented() const { return reason == nullptr; }
};

// Every entry, aliases included, in libcurl's order (by name).
std::span<const OptionInfo> option_table();
// The preferred (non-alias) entry of an id; null when the id is unknown.
const OptionInfo *option_by_id(int id);
// Case-insensitive, aliases included; null when unknown (or name is null).
const OptionInfo *option_by_name(const char *name);
// The table entry `pub` points at; null when it is not one of ours.
const OptionInfo *option_of(const curl_easyoption *pub);

}  // namespace evm
