#include "mime/form_to_mime.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace evm::mime {
namespace {

int seek_stdin(void *stream, curl_off_t offset, int origin) {
  return fseeko(static_cast<FILE *>(stream), offset, origin) ? CURL_SEEKFUNC_CANTSEEK
                                                             : CURL_SEEKFUNC_OK;
}

size_t read_stdin(char *buf, size_t size, size_t n, void *stream) {
  return std::fread(buf, size, n, static_cast<FILE *>(stream));
}

void set_name(Part &part, const char *name, long length) {
  if (!name)
    part.name.reset();
  else if (length > 0)
    part.name.emplace(name, static_cast<size_t>(length));
  else
    part.name.emplace(name);
}

std::string base_name(const char *path) {
  const char *slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}

// Fills `part` from one entry; `post` is the first entry of its group (flags, lengths and the
// fake file name are read there, as libcurl does).
CURLcode fill_part(Part &part, const curl_httppost *post, const curl_httppost *file,
                   curl_read_callback read_fn) {
  part.set_headers(file->contentheader, false);
  if (file->contenttype) part.type.emplace(file->contenttype);
  if (!post->more) set_name(part, post->name, post->namelength);
  curl_off_t clen = (post->flags & CURL_HTTPPOST_LARGE) ? post->contentlen : post->contentslength;
  if (post->flags & (CURL_HTTPPOST_FILENAME | CURL_HTTPPOST_READFILE)) {
    if (!std::strcmp(file->contents, "-")) {
      part.set_callback(-1, ReadCallbacks{read_stdin, seek_stdin, nullptr, stdin});
    } else {
      if (!readable_file(file->contents)) return CURLE_READ_ERROR;
      part.set_file(file->contents);
      part.filename.emplace(base_name(file->contents));
    }
    if (post->flags & CURL_HTTPPOST_READFILE) part.filename.reset();
  } else if (post->flags & CURL_HTTPPOST_BUFFER) {
    size_t len =
        post->bufferlength ? static_cast<size_t>(post->bufferlength) : std::strlen(post->buffer);
    part.set_data(post->buffer, len);
  } else if (post->flags & CURL_HTTPPOST_CALLBACK) {
    if (read_fn)
      part.set_callback(clen ? clen : -1, ReadCallbacks{read_fn, nullptr, nullptr, post->userp});
  } else {
    size_t len = clen ? static_cast<size_t>(clen) : std::strlen(post->contents);
    part.set_data(post->contents, len);
  }
  if (post->showfilename &&
      (post->more ||
       (post->flags & (CURL_HTTPPOST_FILENAME | CURL_HTTPPOST_BUFFER | CURL_HTTPPOST_CALLBACK))))
    part.filename.emplace(post->showfilename);
  return CURLE_OK;
}

}  // namespace

bool readable_file(const char *path) {
  struct stat st;
  return ::stat(path, &st) == 0 && ::access(path, R_OK) == 0;
}

CURLcode mime_from_form(const curl_httppost *post, curl_read_callback read_fn,
                        std::unique_ptr<Mime> &out) {
  out.reset();
  if (!post) return CURLE_OK;
  auto form = std::make_unique<Mime>();
  for (; post; post = post->next) {
    Mime *group = form.get();
    if (post->more) {
      Part &holder = form->add_part();
      set_name(holder, post->name, post->namelength);
      holder.set_subparts(new Mime());
      group = holder.subparts();
    }
    for (const curl_httppost *file = post; file; file = file->more)
      if (CURLcode rc = fill_part(group->add_part(), post, file, read_fn)) return rc;
  }
  out = std::move(form);
  return CURLE_OK;
}

}  // namespace evm::mime
