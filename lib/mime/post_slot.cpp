#include "mime/post_slot.h"

#include "mime/mime_tree.h"

namespace evm::mime {

PostSlot::PostSlot(const PostSlot &other) {
  if (other.mime_) {
    owned_ = other.mime_->clone();
    mime_ = owned_.get();
    mime_->slot = this;
  }
}

PostSlot::PostSlot() = default;

PostSlot::~PostSlot() {
  clear();
}

PostSlot::PostSlot(PostSlot &&other) noexcept {
  take(other);
}

PostSlot &PostSlot::operator=(PostSlot &&other) noexcept {
  if (this != &other) {
    clear();
    take(other);
  }
  return *this;
}

PostSlot &PostSlot::operator=(const PostSlot &other) {
  if (this != &other) {
    PostSlot copy(other);
    clear();
    take(copy);
  }
  return *this;
}

bool PostSlot::set(Mime *m) {
  if (m == mime_) return true;
  if (m && (m->parent || m->slot)) return false;
  clear();
  mime_ = m;
  if (m) m->slot = this;
  return true;
}

void PostSlot::clear() {
  if (mime_) mime_->slot = nullptr;
  mime_ = nullptr;
  owned_.reset();
}

void PostSlot::take(PostSlot &other) noexcept {
  mime_ = other.mime_;
  owned_ = std::move(other.owned_);
  other.mime_ = nullptr;
  if (mime_) mime_->slot = this;
}

}  // namespace evm::mime
