// One fuzz target's entry point under two builds: libFuzzer's LLVMFuzzerTestOneInput when the
// target is its own executable (-Dfuzzing=true), a named function when fuzz_replay_tests links
// every target into one doctest binary to replay the corpus and the regressions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#ifdef EVM_FUZZ_REPLAY
#define EVM_FUZZ_TARGET(name) int evm_fuzz_##name(const uint8_t *data, size_t size)
#else
#define EVM_FUZZ_TARGET(name) \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
#endif

// An invariant the code under test must keep: a violated one is a finding, so it aborts (the
// fuzzer saves the input; the replay test fails) instead of being counted.
#define FUZZ_CHECK(cond)                                                                     \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)
