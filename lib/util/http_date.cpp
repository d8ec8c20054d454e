#include "util/http_date.h"

#include <array>
#include <cstdio>

namespace evm {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int64_t y, int m) {
  static constexpr int kLen[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kLen[m - 1];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Hinnant's civil algorithm).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// A tiny cursor over the date text; each take_* consumes on success only.
struct Cursor {
  std::string_view s;

  bool take(std::string_view lit) {
    if (s.substr(0, lit.size()) != lit) return false;
    s.remove_prefix(lit.size());
    return true;
  }
  bool take_number(size_t min_digits, size_t max_digits, int64_t &out) {
    size_t n = 0;
    int64_t v = 0;
    while (n < s.size() && n < max_digits && s[n] >= '0' && s[n] <= '9')
      v = v * 10 + (s[n++] - '0');
    if (n < min_digits) return false;
    s.remove_prefix(n);
    out = v;
    return true;
  }
  bool take_month(int &month) {
    for (size_t i = 0; i < kMonths.size(); ++i)
      if (take(kMonths[i])) {
        month = static_cast<int>(i) + 1;
        return true;
      }
    return false;
  }
  template <size_t N>
  bool take_word(const std::array<std::string_view, N> &words) {
    for (std::string_view w : words)
      if (take(w)) return true;
    return false;
  }
  // "HH:MM:SS"
  bool take_time(int64_t &h, int64_t &m, int64_t &sec) {
    return take_number(2, 2, h) && take(":") && take_number(2, 2, m) && take(":") &&
           take_number(2, 2, sec);
  }
};

std::optional<int64_t> to_epoch(int64_t y, int mon, int64_t d, int64_t h, int64_t mi, int64_t s) {
  if (d < 1 || d > days_in_month(y, mon) || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return days_from_civil(y, mon, static_cast<int>(d)) * 86400 + h * 3600 + mi * 60 + s;
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<int64_t> imf_fixdate(Cursor c) {
  int64_t d, y, h, mi, s;
  int mon;
  if (c.take_word(kDays) && c.take(", ") && c.take_number(2, 2, d) && c.take(" ") &&
      c.take_month(mon) && c.take(" ") && c.take_number(4, 4, y) && c.take(" ") &&
      c.take_time(h, mi, s) && c.take(" GMT") && c.s.empty())
    return to_epoch(y, mon, d, h, mi, s);
  return std::nullopt;
}

// "Sunday, 06-Nov-94 08:49:37 GMT": two-digit years before 70 are taken as 20xx.
std::optional<int64_t> rfc850_date(Cursor c) {
  int64_t d, y, h, mi, s;
  int mon;
  if (c.take_word(kLongDays) && c.take(", ") && c.take_number(2, 2, d) && c.take("-") &&
      c.take_month(mon) && c.take("-") && c.take_number(2, 2, y) && c.take(" ") &&
      c.take_time(h, mi, s) && c.take(" GMT") && c.s.empty())
    return to_epoch(y < 70 ? 2000 + y : 1900 + y, mon, d, h, mi, s);
  return std::nullopt;
}

// "Sun Nov  6 08:49:37 1994": the day is space-padded.
std::optional<int64_t> asctime_date(Cursor c) {
  int64_t d, y, h, mi, s;
  int mon;
  if (c.take_word(kDays) && c.take(" ") && c.take_month(mon) && c.take(" ") &&
      (c.take(" ") ? c.take_number(1, 1, d) : c.take_number(2, 2, d)) && c.take(" ") &&
      c.take_time(h, mi, s) && c.take(" ") && c.take_number(4, 4, y) && c.s.empty())
    return to_epoch(y, mon, d, h, mi, s);
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> parse_http_date(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  if (auto t = imf_fixdate(Cursor{text})) return t;
  if (auto t = rfc850_date(Cursor{text})) return t;
  return asctime_date(Cursor{text});
}

std::string format_http_date(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  int64_t secs = t - days * 86400;
  // Inverse of days_from_civil.
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = yoe + era * 400 + (m <= 2);
  int64_t weekday = ((days % 7) + 11) % 7;  // 1970-01-01 was a Thursday
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02lld %s %04lld %02lld:%02lld:%02lld GMT",
                kDays[weekday].data(), static_cast<long long>(d), kMonths[m - 1].data(),
                static_cast<long long>(y), static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

}  // namespace evm
