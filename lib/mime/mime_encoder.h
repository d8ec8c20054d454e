// Content-Transfer-Encodings of curl_mime_encoder, as libcurl 7.88 writes them: binary and 8bit
// pass bytes through, 7bit refuses a byte above 127 when sending, base64 writes 76-column
// lines, quoted-printable follows RFC 2045 with soft breaks at 76 columns.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "mime/source.h"

namespace evm::mime {

enum class Encoding { None, Binary, EightBit, SevenBit, Base64, QuotedPrintable };

// The encoding a name selects (ASCII case-insensitive), or false when there is none.
bool parse_encoding(std::string_view name, Encoding &out);
const char *encoding_name(Encoding e);  // null for None

// The encoded size of `raw` bytes, -1 when it cannot be known without encoding.
int64_t encoded_size(Encoding e, int64_t raw);

// A source reading `inner` through encoding `e` (None: `inner` itself).
std::unique_ptr<Source> make_encoder(Encoding e, std::unique_ptr<Source> inner);

}  // namespace evm::mime
