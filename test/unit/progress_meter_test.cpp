// Unit tests for the stderr progress meter's lines (libcurl's columns and scaling) and for the
// low-speed window.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "transfer/low_speed.h"
#include "transfer/progress_meter.h"

namespace {

using evm::LowSpeedCheck;
using evm::ProgressCounts;
using evm::ProgressMeter;
using evm::TimePoint;
using std::chrono::milliseconds;

std::string contents(FILE *f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[1024];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  return out;
}

const std::string kHeader =
    "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
    "                                 Dload  Upload   Total   Spent    Left  Speed\n";

}  // namespace

TEST_CASE("the meter scales sizes and estimates times as libcurl's does") {
  FILE *f = std::tmpfile();
  REQUIRE(f);
  ProgressMeter m;
  TimePoint t0{};
  ProgressCounts c;
  c.dl_total = 10 * 1024 * 1024;
  c.dl_now = 5 * 1024 * 1024;
  m.update(f, c, t0, t0 + milliseconds(2000), false);
  // Half of 10 MiB in 2 s: 2560 KiB/s, 4 s in all, 2 s left.
  CHECK(contents(f) ==
        kHeader +
            "\r 50 10.0M   50 5120k    0     0  2560k      0  0:00:04  0:00:02  0:00:02 2560k");
  std::fclose(f);
}

TEST_CASE("the meter writes at most one line a second, then a last one and a newline") {
  FILE *f = std::tmpfile();
  REQUIRE(f);
  ProgressMeter m;
  TimePoint t0{};
  ProgressCounts c;
  m.update(f, c, t0, t0, false);
  c.dl_now = 10;
  m.update(f, c, t0, t0 + milliseconds(300), false);  // same second: nothing
  m.update(f, c, t0, t0 + milliseconds(600), false);
  c.dl_now = 150000;  // unknown total: the total column follows what arrived
  m.update(f, c, t0, t0 + milliseconds(1000), true);
  m.finish(f);
  std::string text = contents(f);
  CHECK(text == kHeader +
                    "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--"
                    "     0"
                    "\r100  146k    0  146k    0     0   146k      0 --:--:--  0:00:01 --:--:--"
                    "  146k\n");
  std::fclose(f);
}

TEST_CASE("the low-speed window fails only when a whole window stayed under the limit") {
  evm::EasyOptions opt;
  opt.low_speed_limit = 100;
  opt.low_speed_time = 2;
  LowSpeedCheck check;
  std::string error;
  TimePoint t0{};
  CHECK_FALSE(check.too_slow(opt, 0, t0, error));  // opens the window
  CHECK(check.deadline(opt) == t0 + milliseconds(2000));
  CHECK_FALSE(check.too_slow(opt, 50, t0 + milliseconds(1000), error));  // not over yet
  // 250 bytes in 2 s is fast enough: a new window starts.
  CHECK_FALSE(check.too_slow(opt, 250, t0 + milliseconds(2000), error));
  CHECK(check.deadline(opt) == t0 + milliseconds(4000));
  CHECK(check.too_slow(opt, 300, t0 + milliseconds(4000), error));
  CHECK(error == "Operation too slow. Less than 100 bytes/sec transferred the last 2 seconds");
  opt.low_speed_time = 0;  // either value at 0: no check
  CHECK(check.deadline(opt) == TimePoint::max());
}
