#include "util/http_date.h"

#include <array>
#include <cstdio>

#include "util/ascii.h"

namespace evm {

namespace {

constexpr std::array<std::string_view, 7> kDayNames = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> kLongDays = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int month_of(std::string_view word) {
  static constexpr std::array<std::string_view, 12> kLong = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  for (size_t i = 0; i < kMonths.size(); ++i)
    if (ascii::iequals(word, kMonths[i]) || ascii::iequals(word, kLong[i]))
      return static_cast<int>(i);
  return -1;
}

bool is_weekday(std::string_view word) {
  for (auto d : kDays)
    if (ascii::iequals(word, d)) return true;
  for (auto d : kLongDays)
    if (ascii::iequals(word, d)) return true;
  return false;
}

// Offsets of the zone names libcurl knows that cookie dates use, in minutes east of UTC.
std::optional<int> zone_of(std::string_view word) {
  struct Zone {
    std::string_view name;
    int minutes;
  };
  static constexpr Zone kZones[] = {
      {"gmt", 0},    {"utc", 0},    {"ut", 0},     {"z", 0},      {"wet", 0},    {"bst", 60},
      {"cet", 60},   {"met", 60},   {"eet", 120},  {"est", -300}, {"edt", -240}, {"cst", -360},
      {"cdt", -300}, {"mst", -420}, {"mdt", -360}, {"pst", -480}, {"pdt", -420}, {"jst", 540}};
  for (const Zone &z : kZones)
    if (ascii::iequals(word, z.name)) return z.minutes;
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> parse_http_date(std::string_view s) {
  int day = -1, month = -1, hour = -1, minute = -1, second = -1;
  int64_t year = -1;
  int zone_minutes = 0;
  bool zone_seen = false;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (is_alpha(c)) {
      size_t start = i;
      while (i < s.size() && is_alpha(s[i])) ++i;
      std::string_view word = s.substr(start, i - start);
      if (int m = month_of(word); m >= 0 && month < 0) {
        month = m;
      } else if (is_weekday(word)) {
      } else if (auto z = zone_of(word); z && !zone_seen) {
        zone_minutes = *z;
        zone_seen = true;
      } else {
        return std::nullopt;  // a word no date has
      }
      continue;
    }
    if ((c == '+' || c == '-') && hour >= 0 && !zone_seen && i + 1 < s.size() &&
        is_digit(s[i + 1])) {
      size_t start = i + 1, end = start;
      while (end < s.size() && is_digit(s[end])) ++end;
      if (end - start == 4) {
        int v = (s[start] - '0') * 1000 + (s[start + 1] - '0') * 100 + (s[start + 2] - '0') * 10 +
                (s[start + 3] - '0');
        int minutes = (v / 100) * 60 + v % 100;
        zone_minutes = c == '+' ? minutes : -minutes;
        zone_seen = true;
        i = end;
        continue;
      }
    }
    if (is_digit(c)) {
      size_t start = i;
      int64_t v = 0;
      while (i < s.size() && is_digit(s[i])) {
        if (v < 100000000) v = v * 10 + (s[i] - '0');
        ++i;
      }
      size_t len = i - start;
      if (i < s.size() && s[i] == ':' && hour < 0) {
        // hh:mm[:ss]
        auto number = [&](int &out) {
          if (i >= s.size() || s[i] != ':') return false;
          ++i;
          size_t b = i;
          int n = 0;
          while (i < s.size() && is_digit(s[i]) && i - b < 2) n = n * 10 + (s[i++] - '0');
          if (i == b) return false;
          out = n;
          return true;
        };
        hour = static_cast<int>(v);
        if (len > 2 || !number(minute)) return std::nullopt;
        if (i < s.size() && s[i] == ':' && !number(second)) return std::nullopt;
        if (second < 0) second = 0;
        continue;
      }
      if (len == 8 && year < 0 && month < 0 && day < 0) {  // yyyymmdd
        year = v / 10000;
        month = static_cast<int>(v / 100 % 100) - 1;
        day = static_cast<int>(v % 100);
      } else if (len <= 2 && day < 0 && v >= 1 && v <= 31) {
        day = static_cast<int>(v);
      } else if (year < 0 && (len == 4 || len == 2 || len == 3)) {
        year = len == 2 ? (v >= 70 ? 1900 + v : 2000 + v) : v;
      } else {
        return std::nullopt;
      }
      continue;
    }
    ++i;  // separators: space, comma, dash, slash
  }
  if (day < 1 || month < 0 || month > 11 || year < 0) return std::nullopt;
  if (hour < 0) hour = minute = second = 0;
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  int64_t days =
      days_from_civil(year, static_cast<unsigned>(month + 1), static_cast<unsigned>(day));
  return days * 86400 + hour * 3600 + minute * 60 + second -
         static_cast<int64_t>(zone_minutes) * 60;
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
                kDayNames[weekday].data(), static_cast<long long>(d), kMonthNames[m - 1].data(),
                static_cast<long long>(y), static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

}  // namespace evm
