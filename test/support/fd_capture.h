// Capturing what the library writes to stdout or stderr (VERBOSE's destination).
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace evm::test {

// All of `f`, from its start.
inline std::string read_all(FILE *f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  return out;
}

// Points file descriptor `fd` (stdout or stderr) at a temporary file until finish().
class FdCapture {
 public:
  explicit FdCapture(int fd) : fd_(fd) {
    std::fflush(stdout);
    std::fflush(stderr);
    tmp_ = std::tmpfile();
    REQUIRE(tmp_ != nullptr);
    saved_ = dup(fd_);
    REQUIRE(saved_ >= 0);
    REQUIRE(dup2(fileno(tmp_), fd_) >= 0);
  }
  ~FdCapture() {
    restore();
    if (tmp_) std::fclose(tmp_);
  }
  FdCapture(const FdCapture &) = delete;
  FdCapture &operator=(const FdCapture &) = delete;

  std::string finish() {
    restore();
    return read_all(tmp_);
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stdout);
    std::fflush(stderr);
    dup2(saved_, fd_);
    close(saved_);
    saved_ = -1;
  }
  int fd_;
  int saved_ = -1;
  FILE *tmp_ = nullptr;
};

}  // namespace evm::test
