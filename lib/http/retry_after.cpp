#include "http/retry_after.h"

#include <cstdint>

#include "util/http_date.h"

namespace evm::http {

int64_t parse_retry_after(std::string_view value, std::time_t now) {
  if (auto when = parse_http_date(value)) return *when - static_cast<int64_t>(now);
  // Seconds: the leading digits, as libcurl reads them; anything else is 0 ("unknown").
  size_t i = 0;
  while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
  int64_t v = 0;
  for (; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i) {
    if (v > (INT64_MAX - 9) / 10) return 0;
    v = v * 10 + (value[i] - '0');
  }
  return v;
}

}  // namespace evm::http
