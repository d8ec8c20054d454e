#include "transfer/progress_meter.h"

#include <algorithm>

namespace evm {
namespace {

constexpr int64_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024, kTiB = kGiB * 1024;

// A size in at most five characters, scaled as libcurl's meter does ("  512", " 977k", "12.3M").
void five_chars(char (&buf)[32], int64_t v) {
  using ll = long long;
  if (v < 100000)
    std::snprintf(buf, sizeof(buf), "%5lld", static_cast<ll>(v));
  else if (v < 10000 * kKiB)
    std::snprintf(buf, sizeof(buf), "%4lldk", static_cast<ll>(v / kKiB));
  else if (v < 100 * kMiB)
    std::snprintf(buf, sizeof(buf), "%2lld.%0lldM", static_cast<ll>(v / kMiB),
                  static_cast<ll>((v % kMiB) / (kMiB / 10)));
  else if (v < 10000 * kMiB)
    std::snprintf(buf, sizeof(buf), "%4lldM", static_cast<ll>(v / kMiB));
  else if (v < 100 * kGiB)
    std::snprintf(buf, sizeof(buf), "%2lld.%0lldG", static_cast<ll>(v / kGiB),
                  static_cast<ll>((v % kGiB) / (kGiB / 10)));
  else if (v < 10000 * kGiB)
    std::snprintf(buf, sizeof(buf), "%4lldG", static_cast<ll>(v / kGiB));
  else if (v < 10000 * kTiB)
    std::snprintf(buf, sizeof(buf), "%4lldT", static_cast<ll>(v / kTiB));
  else
    std::snprintf(buf, sizeof(buf), "%4lldP", static_cast<ll>(v / (kTiB * 1024)));
}

// Seconds as "HH:MM:SS" in eight characters; zero or less is "--:--:--".
void eight_chars(char (&buf)[32], int64_t secs) {
  using ll = long long;
  if (secs <= 0) {
    std::snprintf(buf, sizeof(buf), "--:--:--");
    return;
  }
  int64_t h = secs / 3600;
  if (h <= 99)
    std::snprintf(buf, sizeof(buf), "%2lld:%02lld:%02lld", static_cast<ll>(h),
                  static_cast<ll>((secs / 60) % 60), static_cast<ll>(secs % 60));
  else if (h / 24 <= 999)
    std::snprintf(buf, sizeof(buf), "%3lldd %02lldh", static_cast<ll>(h / 24),
                  static_cast<ll>(h % 24));
  else
    std::snprintf(buf, sizeof(buf), "%7lldd", static_cast<ll>(h / 24));
}

int percent(int64_t now, int64_t total) {
  if (total <= 0) return 0;
  // Large sizes divide first so the product cannot overflow.
  int64_t p = total > 10000 ? now / (total / 100) : now * 100 / total;
  return static_cast<int>(std::min<int64_t>(p, 100));
}

int64_t per_second(int64_t bytes, int64_t micros) {
  if (micros < 1) micros = 1;
  return static_cast<int64_t>(static_cast<double>(bytes) * 1e6 / static_cast<double>(micros));
}

}  // namespace

void ProgressMeter::sample(int64_t bytes, TimePoint now) {
  size_t slot = taken_ % kSamples;
  samples_[slot] = Sample{now, bytes};
  ++taken_;
  if (taken_ < 2) return;
  // The oldest sample kept: the first one until the ring is full.
  const Sample &old = samples_[taken_ >= kSamples ? taken_ % kSamples : 0];
  int64_t ms = std::max<int64_t>(micros_between(old.at, now) / 1000, 1);
  current_speed_ = (bytes - old.bytes) * 1000 / ms;
}

void ProgressMeter::update(FILE *out, const ProgressCounts &c, TimePoint start, TimePoint now,
                           bool last) {
  int64_t spent_us = micros_between(start, now);
  int64_t second = spent_us / 1000000;
  int64_t dl_speed = per_second(c.dl_now, spent_us), ul_speed = per_second(c.ul_now, spent_us);
  if (second != shown_second_) {
    shown_second_ = second;
    if (taken_ == 0) current_speed_ = dl_speed + ul_speed;  // the first second: the average
    sample(c.dl_now + c.ul_now, now);
  } else if (!last) {
    return;
  }
  if (!header_out_) {
    header_out_ = true;
    std::fputs(
        "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
        "                                 Dload  Upload   Total   Spent    Left  Speed\n",
        out);
  }
  // The estimated total time is the longer of the two directions at their average speeds.
  int64_t dl_secs = c.dl_total > 0 && dl_speed > 0 ? c.dl_total / dl_speed : 0;
  int64_t ul_secs = c.ul_total > 0 && ul_speed > 0 ? c.ul_total / ul_speed : 0;
  int64_t total_secs = std::max(dl_secs, ul_secs);
  int64_t spent_secs = spent_us / 1000000;
  int64_t expected =
      (c.dl_total > 0 ? c.dl_total : c.dl_now) + (c.ul_total > 0 ? c.ul_total : c.ul_now);

  char total[32], received[32], sent[32], dl[32], ul[32], cur[32];
  char t_total[32], t_spent[32], t_left[32];
  five_chars(total, expected);
  five_chars(received, c.dl_now);
  five_chars(sent, c.ul_now);
  five_chars(dl, dl_speed);
  five_chars(ul, ul_speed);
  five_chars(cur, current_speed_);
  eight_chars(t_total, total_secs);
  eight_chars(t_spent, spent_secs);
  eight_chars(t_left, total_secs > spent_secs ? total_secs - spent_secs : 0);
  std::fprintf(out, "\r%3d %s  %3d %s  %3d %s  %s  %s %s %s %s %s",
               percent(c.dl_now + c.ul_now, expected), total, percent(c.dl_now, c.dl_total),
               received, percent(c.ul_now, c.ul_total), sent, dl, ul, t_total, t_spent, t_left,
               cur);
  std::fflush(out);
  line_open_ = true;
}

void ProgressMeter::finish(FILE *out) {
  if (!line_open_) return;
  line_open_ = false;
  std::fputc('\n', out);
  std::fflush(out);
}

}  // namespace evm
