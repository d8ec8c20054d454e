#include "mime/part_sources.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>

namespace evm::mime {

Chunk MemorySource::read(char *buf, size_t len) {
  size_t n = std::min(len, bytes_.size() - pos_);
  if (!n) return Chunk{Chunk::End, 0};
  std::memcpy(buf, bytes_.data() + pos_, n);
  pos_ += n;
  return Chunk{Chunk::Data, n};
}

FileSource::FileSource(std::string path) : path_(std::move(path)) {
  struct stat st;
  if (::stat(path_.c_str(), &st) == 0 && S_ISREG(st.st_mode)) size_ = st.st_size;
}

FileSource::~FileSource() {
  if (fp_) std::fclose(fp_);
}

Chunk FileSource::read(char *buf, size_t len) {
  if (!fp_) {
    fp_ = std::fopen(path_.c_str(), "rb");
    if (!fp_) return Chunk{Chunk::Error, 0};
  }
  // A file that grew since its size was taken is cut at that size; one that shrank is an error,
  // since the announced length can no longer be met.
  if (size_ >= 0)
    len = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(len), size_ - read_));
  if (!len) return Chunk{Chunk::End, 0};
  size_t n = std::fread(buf, 1, len, fp_);
  if (n == 0) {
    if (std::ferror(fp_) || size_ >= 0) return Chunk{Chunk::Error, 0};
    return Chunk{Chunk::End, 0};
  }
  read_ += static_cast<int64_t>(n);
  return Chunk{Chunk::Data, n};
}

bool FileSource::rewind() {
  if (fp_) std::fclose(fp_);
  fp_ = nullptr;
  read_ = 0;
  return true;
}

Chunk CallbackSource::read(char *buf, size_t len) {
  if (size_ >= 0)
    len = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(len), size_ - read_));
  if (!len) return Chunk{Chunk::End, 0};
  touched_ = true;
  size_t n = cb_.read(buf, 1, len, cb_.arg);
  if (n == CURL_READFUNC_ABORT) return Chunk{Chunk::Abort, 0};
  if (n == CURL_READFUNC_PAUSE) return Chunk{Chunk::Pause, 0};
  if (n > len) return Chunk{Chunk::Error, 0};
  // Ending before the declared size would leave the announced length unmet.
  if (n == 0) return Chunk{size_ >= 0 ? Chunk::Error : Chunk::End, 0};
  read_ += static_cast<int64_t>(n);
  return Chunk{Chunk::Data, n};
}

bool CallbackSource::rewind() {
  if (!touched_) return true;
  if (!cb_.seek || cb_.seek(cb_.arg, 0, SEEK_SET) != CURL_SEEKFUNC_OK) return false;
  read_ = 0;
  touched_ = false;
  return true;
}

}  // namespace evm::mime
