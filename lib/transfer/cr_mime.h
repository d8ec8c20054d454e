// The request body of MIMEPOST and HTTPPOST: the multipart serializer as a client reader. A body
// of unknown size (a callback part of size -1, quoted-printable) has length -1, so the HTTP/1.1
// exchange frames it in chunks. A read failure ends the transfer with libcurl's code and text.
#pragma once

#include <memory>
#include <string>

#include "mime/mime_tree.h"
#include "mime/source.h"
#include "transfer/client_reader.h"
#include "transfer/easy_options.h"

namespace evm {

class MimeReader final : public ClientReader {
 public:
  // `error`/`stop` are the attempt's error text and stop code, set when a read fails.
  MimeReader(std::unique_ptr<mime::Source> source, std::string &error, CURLcode &stop)
      : source_(std::move(source)), error_(error), stop_(stop) {}

  BodyRead read(std::span<char> buf) override;
  int64_t length() const override { return source_->size(); }
  bool rewind() override;

 private:
  BodyRead fail(CURLcode rc, const char *text);

  std::unique_ptr<mime::Source> source_;
  std::string &error_;
  CURLcode &stop_;
  bool ended_ = false;
};

// What a form post sends: built from the options at request time.
struct FormBody {
  std::unique_ptr<mime::Mime> converted;  // HTTPPOST's list as a tree (MIMEPOST: the app's)
  std::unique_ptr<ClientReader> reader;
  std::string content_type;  // empty: none
  int64_t size = 0;          // -1: unknown (chunked)
};

bool is_form_post(const EasyOptions &opt);
FormBody make_form_body(const EasyOptions &opt, std::string &error, CURLcode &stop);

}  // namespace evm
