// Progress reports of one transfer: XFERINFOFUNCTION (or the older PROGRESSFUNCTION, with
// doubles) is called each time the transfer runs, as libcurl calls it on every pass of its state
// machine, and once more with the final counts when it ends; an idle transfer is still reported
// about once a second. Without a callback, NOPROGRESS 0 shows libcurl's meter on stderr.
#pragma once

#include "transfer/easy_options.h"
#include "transfer/progress_meter.h"
#include "transfer/transfer_host.h"
#include "util/clock.h"

namespace evm {

class Progress {
 public:
  static constexpr auto kIdleInterval = std::chrono::seconds(1);

  void begin(TimePoint t);
  // Reports `c` as the options say. False when the callback answered non-zero (and not
  // CURL_PROGRESSFUNC_CONTINUE): the transfer is to end with CURLE_ABORTED_BY_CALLBACK.
  bool report(const EasyOptions &opt, TransferHost &host, const ProgressCounts &c, TimePoint now,
              bool last);
  // When an idle transfer is to be reported next; TimePoint::max() when nothing is reported.
  TimePoint next_report(const EasyOptions &opt) const;
  // The callback said stop, or had its last call: it is not called again this run.
  bool over() const { return over_; }

 private:
  TimePoint started_{}, last_{};
  bool over_ = false;
  ProgressMeter meter_;
};

}  // namespace evm
