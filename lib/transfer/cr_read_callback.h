// A request body from READFUNCTION (fread from READDATA, stdin by default, when none is set):
// UPLOAD and POST without POSTFIELDS. Knows its length (INFILESIZE, POSTFIELDSIZE) or not
// (-1: the exchange frames it chunked), and rewinds through SEEKFUNCTION.
#pragma once

#include <curl/curl.h>

#include <cstdio>
#include <string>

#include "transfer/client_reader.h"
#include "transfer/easy_options.h"
#include "transfer/transfer_host.h"

namespace evm {

class ReadCallbackReader final : public ClientReader {
 public:
  // `stop` and `error` receive why the reader ended the transfer (abort, funny value, rewind).
  ReadCallbackReader(const EasyOptions &opt, TransferHost &host, int64_t length, CURLcode &stop,
                     std::string &error)
      : opt_(opt), host_(host), length_(length), stop_(stop), error_(error) {}

  BodyRead read(std::span<char> buf) override {
    if (length_ >= 0) {
      // Never more than announced: the callback is not asked once the size is reached.
      uint64_t left = static_cast<uint64_t>(length_ - pos_);
      if (left == 0) return BodyRead{BodyRead::Data, 0, true};
      if (left < buf.size()) buf = buf.first(static_cast<size_t>(left));
    }
    size_t n = call(buf);
    if (n == CURL_READFUNC_ABORT)
      return abort(CURLE_ABORTED_BY_CALLBACK, "operation aborted by callback");
    if (n == CURL_READFUNC_PAUSE) return BodyRead{BodyRead::Paused, 0, false};
    if (n > buf.size()) return abort(CURLE_READ_ERROR, "read function returned funny value");
    touched_ = true;
    pos_ += static_cast<int64_t>(n);
    // libcurl 7.88 takes 0 as the end, even before the announced size: the request stays short.
    return BodyRead{BodyRead::Data, n, n == 0 || pos_ == length_};
  }

  int64_t length() const override { return length_; }

  bool rewind() override {
    if (!touched_) return true;  // nothing was read: nothing to go back over
    if (opt_.seek_fn) {
      int rc;
      {
        CallbackGuard in_cb(host_);
        rc = opt_.seek_fn(opt_.seek_data, 0, SEEK_SET);
      }
      if (rc == CURL_SEEKFUNC_OK) return restart();
      return fail_rewind("seek callback returned error " + std::to_string(rc));
    }
    // The default reader is fread on a FILE *: libcurl rewinds that one itself.
    if (!opt_.read_fn && opt_.read_data &&
        std::fseek(static_cast<FILE *>(opt_.read_data), 0, SEEK_SET) == 0)
      return restart();
    return fail_rewind("necessary data rewind wasn't possible");
  }

 private:
  size_t call(std::span<char> buf) {
    CallbackGuard in_cb(host_);
    if (opt_.read_fn) return opt_.read_fn(buf.data(), 1, buf.size(), opt_.read_data);
    if (!opt_.read_data) return CURL_READFUNC_ABORT;
    return std::fread(buf.data(), 1, buf.size(), static_cast<FILE *>(opt_.read_data));
  }
  BodyRead abort(CURLcode rc, const char *text) {
    stop_ = rc;
    error_ = text;
    return BodyRead{BodyRead::Abort, 0, false};
  }
  bool restart() {
    pos_ = 0;
    touched_ = false;
    return true;
  }
  bool fail_rewind(std::string text) {
    stop_ = CURLE_SEND_FAIL_REWIND;
    error_ = std::move(text);
    return false;
  }

  const EasyOptions &opt_;
  TransferHost &host_;
  int64_t length_;
  int64_t pos_ = 0;
  bool touched_ = false;  // the callback handed over bytes since the last rewind
  CURLcode &stop_;
  std::string &error_;
};

}  // namespace evm
