// No exception crosses the C edge. This binary replaces the global operator new so that the Nth
// allocation from a chosen moment throws std::bad_alloc; the library's allocations go through it
// too. The entry points are called from a noexcept function, as a C program would call them:
// an exception escaping any of them ends the process instead of passing unnoticed.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>

namespace {

// 0: allocations never fail; n > 0: the nth allocation from now throws, the others succeed.
// The library starts no threads, so a plain counter is enough.
long fail_countdown = 0;

}  // namespace

void *operator new(std::size_t size) {
  if (fail_countdown > 0 && --fail_countdown == 0) throw std::bad_alloc();
  if (void *p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void *operator new[](std::size_t size) {
  return ::operator new(size);
}
void operator delete(void *p) noexcept {
  std::free(p);
}
void operator delete[](void *p) noexcept {
  std::free(p);
}
void operator delete(void *p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void *p, std::size_t) noexcept {
  std::free(p);
}

namespace {

// Long enough that no std::string keeps it inline: setting it must allocate.
const char *const kUrl = "http://127.0.0.1:1/a/path/long/enough/to/need/the/heap";

struct Outcome {
  bool unexpected = false;  // an entry point answered something other than success or OOM
  int out_of_memory = 0;    // answers that reported the injected failure
};

void expect(Outcome &o, CURLcode rc) {
  if (rc == CURLE_OUT_OF_MEMORY)
    ++o.out_of_memory;
  else if (rc != CURLE_OK)
    o.unexpected = true;
}

void expect(Outcome &o, CURLMcode rc) {
  if (rc == CURLM_OUT_OF_MEMORY)
    ++o.out_of_memory;
  else if (rc != CURLM_OK)
    o.unexpected = true;
}

// One pass over the entry points that allocate. Nothing here allocates itself (doctest's
// checks would), so every injected failure lands in the library.
Outcome exercise() noexcept {
  Outcome o;
  CURL *easy = curl_easy_init();
  if (!easy) {
    ++o.out_of_memory;
    return o;
  }
  expect(o, curl_easy_setopt(easy, CURLOPT_URL, kUrl));
  expect(o, curl_easy_setopt(easy, CURLOPT_USERAGENT, "evmulti-c-edge-test/1.0 (a long agent)"));
  expect(o, curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, "name=value&other=a-longer-value"));
  expect(o, curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 2000L));
  CURL *dup = curl_easy_duphandle(easy);
  if (!dup) ++o.out_of_memory;

  if (CURLM *multi = curl_multi_init()) {
    expect(o, curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 4L));
    CURLMcode added = curl_multi_add_handle(multi, easy);
    expect(o, added);
    if (CURL **handles = curl_multi_get_handles(multi))
      curl_free(handles);
    else
      ++o.out_of_memory;
    int running = 0;
    // Any answer will do here: what the engine makes of a failure inside a transfer is its own
    // business; that perform returns at all is the point.
    (void)curl_multi_perform(multi, &running);
    long timeout = 0;
    expect(o, curl_multi_timeout(multi, &timeout));
    if (added == CURLM_OK) expect(o, curl_multi_remove_handle(multi, easy));
    expect(o, curl_multi_cleanup(multi));
  } else {
    ++o.out_of_memory;
  }

  const char *url = nullptr;
  expect(o, curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url));
  if (dup) {
    (void)curl_easy_perform(dup);  // refused at once: nothing listens on loopback port 1
    curl_easy_cleanup(dup);
  }
  curl_easy_reset(easy);
  curl_easy_cleanup(easy);
  return o;
}

}  // namespace

TEST_CASE("curl_easy_init and curl_multi_init answer NULL when their allocation throws") {
  fail_countdown = 1;
  CURL *easy = curl_easy_init();
  fail_countdown = 0;
  CHECK(easy == nullptr);

  fail_countdown = 1;
  CURLM *multi = curl_multi_init();
  fail_countdown = 0;
  CHECK(multi == nullptr);
}

TEST_CASE("setopt, duphandle and perform answer CURLE_OUT_OF_MEMORY or NULL when new throws") {
  CURL *easy = curl_easy_init();
  REQUIRE(easy);

  fail_countdown = 1;
  CURLcode rc = curl_easy_setopt(easy, CURLOPT_URL, kUrl);
  fail_countdown = 0;
  CHECK(rc == CURLE_OUT_OF_MEMORY);

  REQUIRE(curl_easy_setopt(easy, CURLOPT_URL, kUrl) == CURLE_OK);
  fail_countdown = 1;
  CURL *dup = curl_easy_duphandle(easy);
  fail_countdown = 0;
  CHECK(dup == nullptr);

  // Its private multi is the first allocation of curl_easy_perform.
  fail_countdown = 1;
  rc = curl_easy_perform(easy);
  fail_countdown = 0;
  CHECK(rc == CURLE_OUT_OF_MEMORY);

  // Wherever perform fails, the handle must not stay attached to its private multi, or every
  // later perform would answer CURLE_FAILED_INIT.
  for (long n = 1;; ++n) {
    fail_countdown = n;
    (void)curl_easy_perform(easy);
    bool injected = fail_countdown == 0;
    fail_countdown = 0;
    CAPTURE(n);
    REQUIRE(curl_easy_perform(easy) == CURLE_COULDNT_CONNECT);
    if (!injected) break;
  }

  curl_easy_cleanup(easy);
}

TEST_CASE("a failure at every allocation of a pass over the entry points never escapes") {
  int passes = 0;
  int reported = 0;
  bool unexpected = false;
  for (long n = 1;; ++n) {
    fail_countdown = n;
    Outcome o = exercise();
    bool injected = fail_countdown == 0;
    fail_countdown = 0;
    unexpected |= o.unexpected;
    reported += o.out_of_memory;
    ++passes;
    if (!injected) break;  // the pass made fewer than n allocations: every one has failed once
    REQUIRE(n < 100000);
  }
  MESSAGE(passes << " passes, " << reported << " failures reported as out of memory");
  CHECK_FALSE(unexpected);
  CHECK(passes > 10);
  CHECK(reported > 0);
}

TEST_CASE("COPYPOSTFIELDS with a size no string can hold answers CURLE_OUT_OF_MEMORY, as libcurl") {
  // The copy throws std::length_error before any allocation: the guard catches more than
  // std::bad_alloc. libcurl 7.88 answers CURLE_OUT_OF_MEMORY here too (its malloc fails).
  CURL *easy = curl_easy_init();
  REQUIRE(easy);
  CHECK(curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(INT64_MAX)) ==
        CURLE_OK);
  CHECK(curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, "abc") == CURLE_OUT_OF_MEMORY);
  curl_easy_cleanup(easy);
}
