// What a CURL* or CURLM* points at: a small tag inside the object, the same layout for both kinds
// of handle, so a handle of the wrong kind (or garbage of at least that size) is told apart by
// its magic number without reading past the tag.
#pragma once

#include <cstdint>

namespace evm {

template <class Owner>
struct HandleTag {
  uint32_t magic;
  Owner *owner;

  static Owner *resolve(const void *handle, uint32_t expected) {
    auto *tag = static_cast<const HandleTag *>(handle);
    return tag && tag->magic == expected ? tag->owner : nullptr;
  }
};

}  // namespace evm
