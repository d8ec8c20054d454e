// What CURLMOPT_PUSHFUNCTION's callback may read of a PUSH_PROMISE through
// curl_pushheader_bynum/_byname: the promised request's headers, valid during the callback.
#pragma once

#include <string>

#include "http/h2_session.h"

struct curl_pushheaders {
  const evm::H2Promise *promise = nullptr;
  std::string line;  // the last "name:value" handed out by curl_pushheader_bynum
};
