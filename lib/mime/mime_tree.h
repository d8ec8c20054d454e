// The MIME part tree the application builds with curl_mime_*: a Mime is a list of parts with a
// boundary; a part holds a name, a file name, a type, its own headers and one kind of content
// (bytes, a file read at send time, a read callback or nested parts). The application owns the
// tree; easy handles only point at it (see PostSlot).
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mime/mime_encoder.h"

namespace evm::mime {

class Mime;
class PostSlot;

enum class Kind { None, Data, File, Callback, Multipart };

struct ReadCallbacks {
  curl_read_callback read = nullptr;
  curl_seek_callback seek = nullptr;
  curl_free_callback free = nullptr;
  void *arg = nullptr;
};

class Part {
 public:
  explicit Part(Mime &owner) : owner_(&owner) {}
  ~Part();
  Part(const Part &) = delete;
  Part &operator=(const Part &) = delete;

  Mime &owner() const { return *owner_; }

  // Drops the content (calling a callback part's free function, freeing owned subparts).
  void clear_content();
  void set_data(const char *data, size_t size);
  void set_file(const char *path);
  void set_callback(int64_t size, const ReadCallbacks &cb);
  // Adopts `sub` (the caller checked it is free and no ancestor).
  void set_subparts(Mime *sub);
  // Forgets the subparts without freeing them (they are being freed by the application).
  void detach_subparts();
  void set_headers(curl_slist *headers, bool take_ownership);

  std::optional<std::string> name, filename, type;
  Encoding encoding = Encoding::None;

  Kind kind() const { return kind_; }
  const std::string &data() const { return data_; }  // bytes, or the file's path
  int64_t callback_size() const { return cb_size_; }
  const ReadCallbacks &callbacks() const { return cb_; }
  Mime *subparts() const { return sub_.get(); }
  const curl_slist *headers() const { return headers_; }

  // A deep copy into `into` (curl_easy_duphandle). Callback parts share the callbacks but not
  // the free function, so the argument is freed once.
  void copy_to(Part &into) const;

 private:
  Mime *owner_;
  Kind kind_ = Kind::None;
  std::string data_;
  int64_t cb_size_ = -1;
  ReadCallbacks cb_;
  std::unique_ptr<Mime> sub_;
  curl_slist *headers_ = nullptr;
  bool headers_owned_ = false;
};

class Mime {
 public:
  Mime();
  ~Mime();
  Mime(const Mime &) = delete;
  Mime &operator=(const Mime &) = delete;

  const std::string &boundary() const { return boundary_; }
  const std::vector<std::unique_ptr<Part>> &parts() const { return parts_; }
  Part &add_part();

  // The part these are the subparts of, or null.
  Part *parent = nullptr;
  // The easy handle slot posting this tree (CURLOPT_MIMEPOST), or null.
  PostSlot *slot = nullptr;

  // The topmost Mime above this one (itself when it is no one's subparts).
  const Mime &root() const;
  std::unique_ptr<Mime> clone() const;

 private:
  std::string boundary_;
  std::vector<std::unique_ptr<Part>> parts_;
};

// libcurl's boundary: 24 dashes and 16 random hex digits.
std::string make_boundary();

}  // namespace evm::mime
