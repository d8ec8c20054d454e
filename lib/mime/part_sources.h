// The sources of a part's raw content: its bytes, a file opened at the first read (its size
// taken when the body is built, so Content-Length matches what is sent), a read callback.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "mime/mime_tree.h"
#include "mime/source.h"

namespace evm::mime {

class MemorySource final : public Source {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  Chunk read(char *buf, size_t len) override;
  int64_t size() const override { return static_cast<int64_t>(bytes_.size()); }
  bool rewind() override {
    pos_ = 0;
    return true;
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

class FileSource final : public Source {
 public:
  explicit FileSource(std::string path);
  ~FileSource() override;
  Chunk read(char *buf, size_t len) override;
  int64_t size() const override { return size_; }
  bool rewind() override;

 private:
  std::string path_;
  int64_t size_ = -1;  // -1: not a regular file (a pipe, a device) or missing
  FILE *fp_ = nullptr;
  int64_t read_ = 0;
};

class CallbackSource final : public Source {
 public:
  CallbackSource(const ReadCallbacks &cb, int64_t size) : cb_(cb), size_(size) {}
  Chunk read(char *buf, size_t len) override;
  int64_t size() const override { return size_; }
  bool rewind() override;

 private:
  ReadCallbacks cb_;
  int64_t size_;
  int64_t read_ = 0;
  bool touched_ = false;
};

}  // namespace evm::mime
