// The progress meter libcurl writes on stderr when NOPROGRESS is 0 and no callback replaces it
// (or XFERINFOFUNCTION answers CURL_PROGRESSFUNC_CONTINUE): a two-line header, then a line
// started with "\r" at most once per second and a last one when the transfer ends.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>

#include "util/clock.h"

namespace evm {

// What a transfer has moved so far; a total of 0 means unknown.
struct ProgressCounts {
  int64_t dl_total = 0, dl_now = 0, ul_total = 0, ul_now = 0;
};

class ProgressMeter {
 public:
  // Writes a line when a new second of the transfer began since the last one, or when `last`.
  void update(FILE *out, const ProgressCounts &c, TimePoint start, TimePoint now, bool last);
  // Ends the meter's line once the transfer is over (nothing when no line was written).
  void finish(FILE *out);

 private:
  // The speed of the last few seconds, from one sample taken per second.
  void sample(int64_t bytes, TimePoint now);

  bool header_out_ = false;
  bool line_open_ = false;
  int64_t shown_second_ = -1;
  struct Sample {
    TimePoint at{};
    int64_t bytes = 0;
  };
  static constexpr size_t kSamples = 6;  // about five seconds of history
  std::array<Sample, kSamples> samples_{};
  size_t taken_ = 0;
  int64_t current_speed_ = 0;
};

}  // namespace evm
