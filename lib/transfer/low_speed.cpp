#include "transfer/low_speed.h"

namespace evm {

bool LowSpeedCheck::too_slow(const EasyOptions &opt, int64_t bytes, TimePoint now,
                             std::string &error) {
  if (!enabled(opt)) return false;
  if (!window_open_) {
    window_open_ = true;
    window_start_ = now;
    window_bytes_ = bytes;
    return false;
  }
  int64_t us = micros_between(window_start_, now);
  if (us < opt.low_speed_time * 1000000) return false;
  // Compared as bytes over the window against limit times its length: no division, no rounding.
  double moved = static_cast<double>(bytes - window_bytes_);
  if (moved * 1e6 < static_cast<double>(opt.low_speed_limit) * static_cast<double>(us)) {
    error = "Operation too slow. Less than " + std::to_string(opt.low_speed_limit) +
            " bytes/sec transferred the last " + std::to_string(opt.low_speed_time) + " seconds";
    return true;
  }
  window_start_ = now;
  window_bytes_ = bytes;
  return false;
}

TimePoint LowSpeedCheck::deadline(const EasyOptions &opt) const {
  if (!enabled(opt) || !window_open_) return TimePoint::max();
  return after_ms(window_start_, opt.low_speed_time * 1000);
}

}  // namespace evm
