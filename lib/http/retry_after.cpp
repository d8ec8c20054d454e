#include "http/retry_after.h"

#include <cstring>
#include <string>

namespace evm::http {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int month_of(std::string_view w) {
  static constexpr const char *kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
  if (w.size() < 3) return -1;
  char m[4] = {static_cast<char>(w[0] | 0x20), static_cast<char>(w[1] | 0x20),
               static_cast<char>(w[2] | 0x20), 0};
  for (int i = 0; i < 12; ++i)
    if (std::strcmp(m, kMonths[i]) == 0) return i;
  return -1;
}

// Days from 1970-01-01 to the civil date (proleptic Gregorian).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

bool parse_http_date(std::string_view s, std::time_t &out) {
  // Whatever the form, the date is a weekday, a day, a month name, a year and hh:mm:ss in some
  // order: collect them from the words.
  int day = -1, month = -1, hour = -1, minute = -1, second = -1;
  int64_t year = -1;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == ',' || c == '-' || c == '\t') {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != ',' && s[i] != '-' && s[i] != '\t') ++i;
    std::string_view w = s.substr(start, i - start);
    if (w.size() == 8 && w[2] == ':' && w[5] == ':') {
      for (size_t k : {0, 1, 3, 4, 6, 7})
        if (!is_digit(w[k])) return false;
      hour = (w[0] - '0') * 10 + (w[1] - '0');
      minute = (w[3] - '0') * 10 + (w[4] - '0');
      second = (w[6] - '0') * 10 + (w[7] - '0');
    } else if (is_digit(w[0])) {
      int64_t v = 0;
      for (char d : w) {
        if (!is_digit(d) || v > 100000) return false;
        v = v * 10 + (d - '0');
      }
      if (w.size() <= 2 && day < 0)
        day = static_cast<int>(v);
      else if (w.size() == 2)
        year = v + (v < 70 ? 2000 : 1900);  // RFC 850's two-digit year
      else if (w.size() == 4)
        year = v;
      else
        return false;
    } else if (month < 0 && month_of(w) >= 0 && (w.size() == 3 || w.size() > 5)) {
      month = month_of(w);
    } else if (w != "GMT" && w != "UTC" && w.size() < 3) {
      return false;
    }
  }
  if (day < 1 || day > 31 || month < 0 || year < 0 || hour < 0 || hour > 23 || minute > 59 ||
      second > 60)
    return false;
  int64_t days = days_from_civil(year, month + 1, day);
  out = static_cast<std::time_t>(days * 86400 + hour * 3600 + minute * 60 + second);
  return true;
}

int64_t parse_retry_after(std::string_view value, std::time_t now) {
  std::time_t when;
  if (parse_http_date(value, when)) return static_cast<int64_t>(when) - static_cast<int64_t>(now);
  // Seconds: the leading digits, as libcurl reads them; anything else is 0 ("unknown").
  size_t i = 0;
  while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
  int64_t v = 0;
  for (; i < value.size() && is_digit(value[i]); ++i) {
    if (v > (INT64_MAX - 9) / 10) return 0;
    v = v * 10 + (value[i] - '0');
  }
  return v;
}

}  // namespace evm::http
