// Every fuzz target's seed corpus and saved regressions, replayed in the normal build: an input
// that once broke the engine stays a test, under gcc and in the sanitizer CI run alike. A target
// aborts on a broken invariant, so a failing input fails this binary.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#define EVM_FUZZ_DECLARE(name) int evm_fuzz_##name(const uint8_t *data, size_t size);
EVM_FUZZ_DECLARE(h1_response)
EVM_FUZZ_DECLARE(url)
EVM_FUZZ_DECLARE(headers)
EVM_FUZZ_DECLARE(cookie)
EVM_FUZZ_DECLARE(auth_challenge)
EVM_FUZZ_DECLARE(decode)
EVM_FUZZ_DECLARE(mime)
EVM_FUZZ_DECLARE(h2_frames)

namespace {

namespace fs = std::filesystem;

// Runs every file of corpus/<target> and regressions/<target>; returns how many there were.
size_t replay(const char *target, int (*entry)(const uint8_t *, size_t)) {
  const char *root = std::getenv("EVM_FUZZ_DIR");
  if (!root) root = EVM_FUZZ_DIR_DEFAULT;
  REQUIRE_MESSAGE(fs::is_directory(fs::path(root) / "corpus"), "no corpus under ", root);
  size_t files = 0;
  for (const char *kind : {"corpus", "regressions"}) {
    fs::path dir = fs::path(root) / kind / target;
    if (!fs::is_directory(dir)) continue;
    std::vector<fs::path> paths;
    for (const fs::directory_entry &e : fs::directory_iterator(dir))
      if (e.is_regular_file()) paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const fs::path &p : paths) {
      INFO("input: ", p.string());
      std::ifstream f(p, std::ios::binary);
      std::vector<char> bytes((std::istreambuf_iterator<char>(f)),
                              std::istreambuf_iterator<char>());
      CHECK(entry(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()) == 0);
      ++files;
    }
  }
  // The empty input too: every target must take it.
  CHECK(entry(nullptr, 0) == 0);
  return files;
}

}  // namespace

TEST_CASE("fuzz replay: HTTP/1.1 response parser") {
  CHECK(replay("h1_response", evm_fuzz_h1_response) >= 10);
}
TEST_CASE("fuzz replay: URL parser and curl_url API") {
  CHECK(replay("url", evm_fuzz_url) >= 10);
}
TEST_CASE("fuzz replay: response header lines") {
  CHECK(replay("headers", evm_fuzz_headers) >= 5);
}
TEST_CASE("fuzz replay: cookie lines") {
  CHECK(replay("cookie", evm_fuzz_cookie) >= 5);
}
TEST_CASE("fuzz replay: auth challenges") {
  CHECK(replay("auth_challenge", evm_fuzz_auth_challenge) >= 5);
}
TEST_CASE("fuzz replay: content decoding") {
  CHECK(replay("decode", evm_fuzz_decode) >= 5);
}
TEST_CASE("fuzz replay: MIME encoding") {
  CHECK(replay("mime", evm_fuzz_mime) >= 5);
}
TEST_CASE("fuzz replay: HTTP/2 server frames") {
  CHECK(replay("h2_frames", evm_fuzz_h2_frames) >= 5);
}
