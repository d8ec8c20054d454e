// An easy handle's CURLOPT_MIMEPOST: a pointer to the application's tree, as libcurl keeps. The
// tree knows its slot, so curl_mime_free empties the slot instead of leaving it dangling, and a
// tree is posted by one handle at a time. A copied slot (curl_easy_duphandle) owns a deep copy.
#pragma once

#include <memory>

namespace evm::mime {

class Mime;

class PostSlot {
 public:
  PostSlot();
  ~PostSlot();
  PostSlot(const PostSlot &other);
  PostSlot &operator=(const PostSlot &other);
  PostSlot(PostSlot &&other) noexcept;
  PostSlot &operator=(PostSlot &&other) noexcept;

  // Points at `m` (null empties the slot). False when `m` is already another handle's post or
  // some part's subparts.
  bool set(Mime *m);
  void clear();
  Mime *get() const { return mime_; }
  void forget(const Mime &m) {
    if (mime_ == &m) mime_ = nullptr;
  }

 private:
  void take(PostSlot &other) noexcept;

  Mime *mime_ = nullptr;
  std::unique_ptr<Mime> owned_;  // set when this slot holds a copy of its own
};

}  // namespace evm::mime
