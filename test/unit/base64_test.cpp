#include "util/base64.h"

#include <doctest/doctest.h>

TEST_CASE("base64 matches RFC 4648's test vectors") {
  CHECK(evm::base64_encode("") == "");
  CHECK(evm::base64_encode("f") == "Zg==");
  CHECK(evm::base64_encode("fo") == "Zm8=");
  CHECK(evm::base64_encode("foo") == "Zm9v");
  CHECK(evm::base64_encode("foob") == "Zm9vYg==");
  CHECK(evm::base64_encode("fooba") == "Zm9vYmE=");
  CHECK(evm::base64_encode("foobar") == "Zm9vYmFy");
  CHECK(evm::base64_encode("user:pass") == "dXNlcjpwYXNz");
  CHECK(evm::base64_encode(std::string("\xff\x00\x80", 3)) == "/wCA");
}
