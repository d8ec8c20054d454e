#include "mime/mime_tree.h"

#include <cstring>
#include <random>

#include "mime/post_slot.h"

namespace evm::mime {

std::string make_boundary() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string b(24, '-');
  uint64_t r = rng();
  for (int i = 0; i < 16; ++i, r >>= 4) b += kHex[r & 15];
  return b;
}

Part::~Part() {
  clear_content();
  if (headers_owned_) curl_slist_free_all(headers_);
}

void Part::clear_content() {
  if (kind_ == Kind::Callback && cb_.free) cb_.free(cb_.arg);
  if (sub_) sub_->parent = nullptr;
  sub_.reset();
  cb_ = ReadCallbacks{};
  data_.clear();
  cb_size_ = -1;
  kind_ = Kind::None;
}

void Part::set_data(const char *data, size_t size) {
  clear_content();
  if (!data) return;
  data_.assign(data, size);
  kind_ = Kind::Data;
}

void Part::set_file(const char *path) {
  clear_content();
  if (!path) return;
  data_ = path;
  kind_ = Kind::File;
}

void Part::set_callback(int64_t size, const ReadCallbacks &cb) {
  clear_content();
  if (!cb.read) return;
  cb_ = cb;
  cb_size_ = size;
  kind_ = Kind::Callback;
}

void Part::set_subparts(Mime *sub) {
  sub_.reset(sub);
  sub->parent = this;
  kind_ = Kind::Multipart;
}

void Part::detach_subparts() {
  if (sub_) sub_->parent = nullptr;
  (void)sub_.release();
  kind_ = Kind::None;
}

void Part::set_headers(curl_slist *headers, bool take_ownership) {
  if (headers_owned_ && headers_ != headers) curl_slist_free_all(headers_);
  headers_ = headers;
  headers_owned_ = headers && take_ownership;
}

void Part::copy_to(Part &into) const {
  into.name = name;
  into.filename = filename;
  into.type = type;
  into.encoding = encoding;
  switch (kind_) {
    case Kind::None:
      break;
    case Kind::Data:
      into.set_data(data_.data(), data_.size());
      break;
    case Kind::File:
      into.set_file(data_.c_str());
      break;
    case Kind::Callback: {
      ReadCallbacks cb = cb_;
      cb.free = nullptr;
      into.set_callback(cb_size_, cb);
      break;
    }
    case Kind::Multipart:
      into.set_subparts(sub_->clone().release());
      break;
  }
  curl_slist *copy = nullptr;
  for (const curl_slist *h = headers_; h; h = h->next) {
    curl_slist *next = curl_slist_append(copy, h->data);
    if (!next) {
      curl_slist_free_all(copy);
      throw std::bad_alloc();
    }
    copy = next;
  }
  into.set_headers(copy, true);
}

Mime::Mime() : boundary_(make_boundary()) {}

Mime::~Mime() {
  if (slot) slot->forget(*this);
}

Part &Mime::add_part() {
  parts_.push_back(std::make_unique<Part>(*this));
  return *parts_.back();
}

const Mime &Mime::root() const {
  const Mime *m = this;
  while (m->parent) m = &m->parent->owner();
  return *m;
}

std::unique_ptr<Mime> Mime::clone() const {
  auto copy = std::make_unique<Mime>();
  for (const auto &p : parts_) p->copy_to(copy->add_part());
  return copy;
}

}  // namespace evm::mime
