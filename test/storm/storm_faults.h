// The fault storm's table: what a transfer may meet, how often, and the CURLcode it must end
// with. Codes were read from evmulti and checked against libcurl 7.88.1 (see storm_faults.cpp
// for the one-line reason per row); change a row here when an engine limit changes a code.
#pragma once

#include <curl/curl.h>

#include <cstddef>

namespace evm::test::storm {

enum class Fault {
  kNormalH1KeepAlive,  // raw listener /ok/N, pooled connections reused
  kNormalH1Chunked,    // evhttp /chunked/N
  kNormalH2,           // h2c /bytes/N, multiplexed
  kSlowDrip,
  kResetBeforeHeaders,
  kResetMidBody,
  kTruncatedChunked,
  kGarbageStatus,
  kStallTimeout,
  kCloseAfterHeaders,
  kHugeHeaders,
  kEndless1xx,
  kGzipBomb,
  kRedirectLoop,
  kAuthLoop,
  kH2RstStream,
  kH2RefusedStream,
  kH2Goaway,
  kH2RefusedPush,
  kCount
};

struct FaultSpec {
  Fault fault;
  const char *name;
  int weight;          // relative share of the storm's transfers
  CURLcode expected;   // the CURLMSG_DONE result
  long response_code;  // CURLINFO_RESPONSE_CODE it must report; -1: not checked
  bool body_exact;     // the body must arrive byte-exact
};

inline constexpr size_t kFaultCount = static_cast<size_t>(Fault::kCount);
extern const FaultSpec kFaults[kFaultCount];

const FaultSpec &spec(Fault f);
// The fault called `name`, or Fault::kCount.
Fault fault_named(const char *name);

// What the gzip bomb's WRITEFUNCTION accepts before it gives up (CURLE_WRITE_ERROR): twice the
// engine's per-turn read budget, so the per-call work bound still holds for it.
inline constexpr size_t kBombWriteLimit = 2 * 1024 * 1024;

}  // namespace evm::test::storm
