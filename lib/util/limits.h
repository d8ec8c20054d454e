// Every bound that protects the application from what a server sends: one name per limit, what
// it bounds, the code a transfer ends with past it, and why the value. SECURITY.md lists them
// with the test that holds each at its boundary (test/integration/limits_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace evm::limits {

// -- HTTP/1.1 and HTTP/2 responses

// All heads of one response together, 1xx heads included (libcurl's MAX_HTTP_RESP_HEADER_SIZE):
// an endless series of 1xx heads ends here. A trailer block has the same bound of its own.
// Past it: CURLE_RECV_ERROR, "Too large response headers: N > 307200".
inline constexpr size_t kResponseHeaderBytes = 300 * 1024;

// One header line (CURL_MAX_HTTP_HEADER): a line is held whole until its end arrives.
// Past it: CURLE_OUT_OF_MEMORY, as libcurl 7.88 answers.
inline constexpr size_t kHeaderLineBytes = 100 * 1024;

// Header lines of one response, all heads and trailers together (libcurl 8's
// MAX_HTTP_RESP_HEADER_COUNT): each is stored for curl_easy_header, so short lines under the byte
// limit would still cost a list entry apiece. Past it: CURLE_TOO_LARGE,
// "Too many response headers, 5000 is max".
inline constexpr size_t kResponseHeaderCount = 5000;

// Hex digits in a chunk-size line, leading zeros counted (libcurl's CHUNK_MAXNUM_LEN: two per
// byte of curl_off_t). Past it: CURLE_RECV_ERROR, "Too long hexadecimal number".
inline constexpr size_t kChunkSizeDigits = 16;

// A chunk-size line's extensions are skipped, never stored, yet an endless one would hold the
// transfer forever: they are bounded like a head. Past it: CURLE_RECV_ERROR,
// "Too long chunk extension in chunked-encoding".
inline constexpr size_t kChunkExtensionBytes = kResponseHeaderBytes;

// -- Following

// CURLOPT_MAXREDIRS when the application sets none. libcurl 7.88 has -1 (no limit), so a
// redirect loop never ends; libcurl 8.3 made it 30, which we follow (a deliberate deviation from
// 7.88). Past it: CURLE_TOO_MANY_REDIRECTS, "Maximum (30) redirects followed".
inline constexpr long kDefaultMaxRedirs = 30;

// -- Decoding and delivering the body

// Decoded bytes one transfer hands on per turn: one turn reads at most 1 MiB, and what that
// decodes to stops here too; the undecoded rest waits for the next turn (a 0 ms timer), so a
// decompression bomb never holds the loop. Equal to the exchanges' read budget.
inline constexpr size_t kDecodeTurnBytes = 1024 * 1024;

// Bytes held for a paused transfer (libcurl 8's DYN_PAUSE_BUFFER): the exchange stops reading
// and decoding stops with the pause, so what is held is what one read brought (BUFFERSIZE, at
// most 10 MiB) or one turn decoded; the cap is a backstop. Past it: CURLE_TOO_LARGE,
// "Paused transfer: more than 67108864 bytes to hold".
inline constexpr size_t kPauseBufferBytes = 64 * 1024 * 1024;

// Content codings stacked on one response (libcurl's MAX_ENCODE_STACK). Past it:
// CURLE_BAD_CONTENT_ENCODING, "Reject response due to more than 5 content encodings".
inline constexpr size_t kStackedEncodings = 5;

// Decoded bytes per byte received, for the whole stack of codings (our addition: libcurl has
// none). One deflate layer cannot pass about 1032:1 (258 bytes from one bit-cheap match), so
// 1100 lets any single gzip or deflate body through, however repetitive; only stacked codings
// (gzip of gzip, a million to one) reach it. It is checked once the decoded amount passes the
// grace below, so short bodies are never judged by a ratio of small numbers. Past it:
// CURLE_BAD_CONTENT_ENCODING, "Decompression ratio over 1100:1".
inline constexpr uint64_t kDecodeRatio = 1100;
inline constexpr uint64_t kDecodeRatioGrace = 1024 * 1024;

// -- HTTP/2 (the connection fails: CURLE_HTTP2; one stream over its header bytes: its own code)

// One header block, HEADERS or PUSH_PROMISE with its CONTINUATION frames: no other stream can
// move while a block is open (CVE-2024-27316). Past it: "HTTP/2 header block over N bytes".
// nghttp2 builds with the CVE's fix (Debian 12's 1.52.0-1+deb12u3) stop a block after 8
// CONTINUATIONs of at most 16 KiB (our SETTINGS keep MAX_FRAME_SIZE at that default), 144 KiB
// in all, before this is reached; it stands for builds without that cap.
inline constexpr size_t kH2HeaderBlockBytes = 1024 * 1024;

// Empty DATA frames in a row that end no stream: a flood (CVE-2019-9518), not a response.
// Past it: "HTTP/2 flood of empty DATA frames".
inline constexpr uint32_t kH2EmptyDataFrames = 1000;

// Acknowledgements (PING, SETTINGS) nghttp2 may queue unsent before calling it a flood
// (CVE-2019-9512, 9515); nghttp2's own default, set explicitly so it is ours to see.
inline constexpr size_t kH2OutboundAcks = 1000;

// Entries in one SETTINGS frame (nghttp2's max_settings; libcurl leaves nghttp2's default 32).
inline constexpr size_t kH2SettingsEntries = 32;

}  // namespace evm::limits
