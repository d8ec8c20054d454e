#include "transfer/progress.h"

namespace evm {

void Progress::begin(TimePoint t) {
  started_ = last_ = t;
  over_ = false;
  meter_ = ProgressMeter{};
}

bool Progress::report(const EasyOptions &opt, TransferHost &host, const ProgressCounts &c,
                      TimePoint now, bool last) {
  if (opt.no_progress || over_) return true;
  last_ = now;
  int rc = 0;
  bool meter = true;
  if (opt.xferinfo_fn || opt.progress_fn) {
    CallbackGuard in_cb(host);
    if (opt.xferinfo_fn)
      rc = opt.xferinfo_fn(opt.progress_data, c.dl_total, c.dl_now, c.ul_total, c.ul_now);
    else
      rc = opt.progress_fn(opt.progress_data, static_cast<double>(c.dl_total),
                           static_cast<double>(c.dl_now), static_cast<double>(c.ul_total),
                           static_cast<double>(c.ul_now));
    meter = rc == CURL_PROGRESSFUNC_CONTINUE;
  }
  FILE *out = opt.err ? opt.err : stderr;
  if (meter) {
    meter_.update(out, c, started_, now, last);
    rc = 0;
  }
  if (last) meter_.finish(out);
  over_ = last || rc != 0;
  return rc == 0;
}

TimePoint Progress::next_report(const EasyOptions &opt) const {
  if (opt.no_progress) return TimePoint::max();
  return last_ + kIdleInterval;
}

}  // namespace evm
