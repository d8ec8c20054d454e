// What /upload/sink answers for a body (routes_upload.cpp), for tests to compare against.
#pragma once

#include <string>
#include <string_view>

namespace evm::test {

std::string upload_summary(std::string_view method, std::string_view body, bool chunked,
                           bool expect);

}  // namespace evm::test
