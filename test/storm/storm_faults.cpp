// Each row: the fault, its weight, the code evmulti gives and why libcurl 7.88.1 gives the same
// (probed with a small program against the same server paths, /tmp/storm/probe.c).
#include "storm_faults.h"

#include <cstring>

namespace evm::test::storm {

const FaultSpec kFaults[kFaultCount] = {
    // Plain keep-alive responses: OK, bodies byte-exact, connections reused.
    {Fault::kNormalH1KeepAlive, "normal-h1", 20, CURLE_OK, 200, true},
    // Chunked bodies of any size (1000-byte chunks): OK, byte-exact.
    {Fault::kNormalH1Chunked, "normal-h1-chunked", 10, CURLE_OK, 200, true},
    // h2c streams sharing connections: OK, byte-exact.
    {Fault::kNormalH2, "normal-h2", 15, CURLE_OK, 200, true},
    // One byte every 50 ms is slow, not broken: OK, byte-exact.
    {Fault::kSlowDrip, "slow-drip", 3, CURLE_OK, 200, true},
    // ECONNRESET before a byte: "Recv failure: Connection reset by peer" (7.88: 56).
    {Fault::kResetBeforeHeaders, "reset-before-headers", 4, CURLE_RECV_ERROR, 0, false},
    // ECONNRESET after 1000 of 1000000 bytes: 56 with the head seen (7.88: 56, code 200).
    {Fault::kResetMidBody, "reset-mid-body", 4, CURLE_RECV_ERROR, 200, false},
    // FIN inside a chunk: "transfer closed with outstanding read data remaining" (7.88: 18).
    {Fault::kTruncatedChunked, "truncated-chunked", 4, CURLE_PARTIAL_FILE, 200, false},
    // "HTTP/1.1 2x0 OK": "Unsupported response code in HTTP response" (7.88: 1).
    {Fault::kGarbageStatus, "garbage-status", 4, CURLE_UNSUPPORTED_PROTOCOL, 0, false},
    // No answer within CURLOPT_TIMEOUT_MS: "Operation timed out ..." (7.88: 28).
    {Fault::kStallTimeout, "stall-timeout", 3, CURLE_OPERATION_TIMEDOUT, 0, false},
    // Content-Length 100, FIN after the head: "transfer closed with 100 bytes remaining"
    // (7.88: 18).
    {Fault::kCloseAfterHeaders, "close-after-headers", 4, CURLE_PARTIAL_FILE, 200, false},
    // One 200000-byte header line, over CURL_MAX_HTTP_HEADER (100 KiB): 7.88 gives 27
    // CURLE_OUT_OF_MEMORY (with an empty error buffer; evmulti says why).
    {Fault::kHugeHeaders, "huge-headers", 3, CURLE_OUT_OF_MEMORY, 200, false},
    // "100 Continue" heads forever: "Too large response headers: 307223 > 307200" at the
    // 300 KiB limit over all heads (7.88: 56).
    {Fault::kEndless1xx, "endless-1xx", 3, CURLE_RECV_ERROR, 100, false},
    // 1 GiB of zeros gzipped, ACCEPT_ENCODING "": nothing stops the inflation in 7.88 (not
    // even MAXFILESIZE, which only checks Content-Length), so the application's WRITEFUNCTION
    // gives up at kBombWriteLimit: 23. A decompression-ratio limit would change this row.
    {Fault::kGzipBomb, "gzip-bomb", 2, CURLE_WRITE_ERROR, 200, false},
    // 302 to itself with FOLLOWLOCATION and MAXREDIRS 3: "Maximum (3) redirects followed"
    // (7.88: 47, response code 302).
    {Fault::kRedirectLoop, "redirect-loop", 4, CURLE_TOO_MANY_REDIRECTS, 302, false},
    // 401 whatever the credentials, HTTPAUTH ANY: libcurl answers the challenge once, then
    // hands the second 401 over as a successful transfer (7.88: 0, response code 401).
    {Fault::kAuthLoop, "auth-loop", 4, CURLE_OK, 401, false},
    // RST_STREAM INTERNAL_ERROR instead of a response: "HTTP/2 stream N was not closed
    // cleanly: INTERNAL_ERROR (err 2)" (7.88: 92).
    {Fault::kH2RstStream, "h2-rst-stream", 4, CURLE_HTTP2_STREAM, 0, false},
    // RST_STREAM REFUSED_STREAM to every attempt: retried 5 times, then "Connection died,
    // tried 5 times before giving up" (7.88: 56, h2_facts section 3).
    {Fault::kH2RefusedStream, "h2-refused-stream", 2, CURLE_RECV_ERROR, 0, false},
    // A server that sends GOAWAY after its 16th stream: streams above last-stream-id were never
    // processed, so they are retried on a new connection and end OK (7.88 does the same, see
    // h2_facts 3b, except its bug of failing one of them with 16).
    {Fault::kH2Goaway, "h2-goaway", 4, CURLE_OK, 200, true},
    // /push?n=2 with PUSHFUNCTION answering CURL_PUSH_DENY: the promised streams are reset,
    // the request itself ends OK with "main\n".
    {Fault::kH2RefusedPush, "h2-refused-push", 4, CURLE_OK, 200, true},
};

const FaultSpec &spec(Fault f) {
  return kFaults[static_cast<size_t>(f)];
}

Fault fault_named(const char *name) {
  for (const FaultSpec &s : kFaults)
    if (std::strcmp(s.name, name) == 0) return s.fault;
  return Fault::kCount;
}

}  // namespace evm::test::storm
