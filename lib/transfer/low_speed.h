// LOW_SPEED_LIMIT / LOW_SPEED_TIME: a transfer whose average speed over LOW_SPEED_TIME seconds
// stays under LOW_SPEED_LIMIT bytes per second ends with CURLE_OPERATION_TIMEDOUT. The check has
// its own deadline, so a transfer whose socket stays silent still ends.
#pragma once

#include <cstdint>
#include <string>

#include "transfer/easy_options.h"
#include "util/clock.h"

namespace evm {

class LowSpeedCheck {
 public:
  void reset() { window_open_ = false; }
  // `bytes` is everything moved so far, both ways. True, with libcurl's text in `error`, when
  // the window that just closed was too slow.
  bool too_slow(const EasyOptions &opt, int64_t bytes, TimePoint now, std::string &error);
  // When the running window closes; TimePoint::max() without a check.
  TimePoint deadline(const EasyOptions &opt) const;

 private:
  static bool enabled(const EasyOptions &opt) {
    return opt.low_speed_limit > 0 && opt.low_speed_time > 0;
  }
  bool window_open_ = false;
  TimePoint window_start_{};
  int64_t window_bytes_ = 0;
};

}  // namespace evm
