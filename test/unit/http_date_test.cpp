#include "util/http_date.h"

#include <doctest/doctest.h>

using evm::format_http_date;
using evm::parse_http_date;

TEST_CASE("http dates: the three forms RFC 7231 names parse to the same moment") {
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
  CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777);
  CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == 784111777);
  CHECK(parse_http_date("  Sun, 06 Nov 1994 08:49:37 GMT \r") == 784111777);
  CHECK(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
  CHECK(parse_http_date("Wed, 31 Dec 1969 23:59:59 GMT") == -1);
  CHECK(parse_http_date("Tue, 29 Feb 2000 12:00:00 GMT") == 951825600);
  CHECK(parse_http_date("Saturday, 01-Jan-00 00:00:00 GMT") == 946684800);
  CHECK(parse_http_date("Fri Dec 31 23:59:59 9999") == 253402300799);
}

TEST_CASE("http dates: the looser forms libcurl's date parser also reads (values from 7.88)") {
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37") == 784111777);  // no zone: GMT
  CHECK(parse_http_date("Sun, 6 Nov 1994 08:49:37 GMT") == 784111777);
  CHECK(parse_http_date("Sun Nov 6 08:49:37 1994") == 784111777);
  CHECK(parse_http_date("Sun, 06 Nov 1994") == 784080000);  // no time: midnight
  CHECK(parse_http_date("Wed, 09 Jun 2021 12:18:14 +0200") == 1623233894);
  // Days past the month's end roll over, as libcurl's arithmetic does.
  CHECK(parse_http_date("Mon, 29 Feb 1999 08:49:37 GMT") == 920278177);
  CHECK(parse_http_date("Sun, 31 Apr 1994 08:49:37 GMT") == 767782177);
}

TEST_CASE("http dates: what is no date is refused") {
  CHECK_FALSE(parse_http_date(""));
  CHECK_FALSE(parse_http_date("garbage"));
  CHECK_FALSE(parse_http_date("yesterday"));
  CHECK_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 24:00:00 GMT"));
  CHECK_FALSE(parse_http_date("Sun, 32 Nov 1994 08:49:37 GMT"));
}

TEST_CASE("http dates: IMF-fixdate out, and back") {
  CHECK(format_http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(format_http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(format_http_date(-1) == "Wed, 31 Dec 1969 23:59:59 GMT");
  CHECK(format_http_date(951825600) == "Tue, 29 Feb 2000 12:00:00 GMT");
  for (int64_t t : {int64_t{1}, int64_t{86399}, int64_t{1700000000}, int64_t{-86401},
                    int64_t{4102444800}, int64_t{253402300799}})
    CHECK(parse_http_date(format_http_date(t)) == t);
}
