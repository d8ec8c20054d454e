// The older form API: curl_formadd builds libcurl's curl_httppost list (malloc'ed, as curl_formfree
// and applications expect), curl_formget serializes it through the MIME code, curl_formfree
// releases it. Option rules and error codes are libcurl 7.88's.
#include <curl/curl.h>

#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "api/c_edge.h"
#include "mime/form_to_mime.h"
#include "mime/multipart_source.h"
#include "mime/part_headers.h"

namespace {

// Flags the list uses internally besides curl.h's public ones (same values as libcurl's).
constexpr long kFileName = CURL_HTTPPOST_FILENAME, kReadFile = CURL_HTTPPOST_READFILE,
               kPtrName = CURL_HTTPPOST_PTRNAME, kPtrContents = CURL_HTTPPOST_PTRCONTENTS,
               kBuffer = CURL_HTTPPOST_BUFFER, kPtrBuffer = CURL_HTTPPOST_PTRBUFFER,
               kCallback = CURL_HTTPPOST_CALLBACK, kLarge = CURL_HTTPPOST_LARGE;

// One entry being collected (a CURLFORM_FILE after the first adds another to the same group).
struct Entry {
  const char *name = nullptr;
  size_t name_length = 0;
  const char *value = nullptr;
  std::unique_ptr<char, decltype(&std::free)> value_copy{nullptr, std::free};  // FILE paths
  curl_off_t contents_length = 0;
  const char *buffer = nullptr;
  size_t buffer_length = 0;
  std::unique_ptr<char, decltype(&std::free)> type{nullptr, std::free};
  curl_slist *content_header = nullptr;
  std::unique_ptr<char, decltype(&std::free)> show_filename{nullptr, std::free};
  void *userp = nullptr;
  long flags = 0;
};

char *dup_bytes(const char *src, size_t n, bool terminate) {
  char *p = static_cast<char *>(std::malloc(n + (terminate ? 1 : 0)));
  if (!p) throw std::bad_alloc();
  std::memcpy(p, src, n);
  if (terminate) p[n] = '\0';
  return p;
}

char *dup_string(const char *s) {
  return dup_bytes(s, std::strlen(s), true);
}

// Reads the options; CURL_FORMADD_OK with `entries` filled, or the first error.
CURLFORMcode collect(va_list params, std::vector<std::unique_ptr<Entry>> &entries) {
  entries.push_back(std::make_unique<Entry>());
  Entry *cur = entries.back().get();
  const curl_forms *array = nullptr;
  for (;;) {
    // An int, as C gave it: an unknown value is an answer, not an out-of-range enum.
    int option;
    const char *array_value = nullptr;
    if (array) {
      option = evm::api::code_value(array->option);
      array_value = array->value;
      ++array;
      if (option == CURLFORM_END) {
        array = nullptr;
        continue;
      }
    } else {
      // Read as int: an enum passed through "..." is promoted to int.
      option = va_arg(params, int);
      if (option == CURLFORM_END) return CURL_FORMADD_OK;
    }
    auto pointer = [&]() -> const char * { return array ? array_value : va_arg(params, char *); };
    auto number = [&]() -> long {
      return array ? static_cast<long>(reinterpret_cast<intptr_t>(array_value))
                   : va_arg(params, long);
    };
    switch (option) {
      case CURLFORM_ARRAY: {
        if (array) return CURL_FORMADD_ILLEGAL_ARRAY;
        array = va_arg(params, const curl_forms *);
        if (!array) return CURL_FORMADD_NULL;
        break;
      }
      case CURLFORM_PTRNAME:
      case CURLFORM_COPYNAME: {
        if (option == CURLFORM_PTRNAME) cur->flags |= kPtrName;
        if (cur->name) return CURL_FORMADD_OPTION_TWICE;
        const char *name = pointer();
        if (!name) return CURL_FORMADD_NULL;
        cur->name = name;
        break;
      }
      case CURLFORM_NAMELENGTH:
        if (cur->name_length) return CURL_FORMADD_OPTION_TWICE;
        cur->name_length = static_cast<size_t>(number());
        break;
      case CURLFORM_PTRCONTENTS:
      case CURLFORM_COPYCONTENTS: {
        if (option == CURLFORM_PTRCONTENTS) cur->flags |= kPtrContents;
        if (cur->value) return CURL_FORMADD_OPTION_TWICE;
        const char *value = pointer();
        if (!value) return CURL_FORMADD_NULL;
        cur->value = value;
        break;
      }
      case CURLFORM_CONTENTSLENGTH:
        cur->contents_length = static_cast<curl_off_t>(static_cast<size_t>(number()));
        break;
      case CURLFORM_CONTENTLEN:
        cur->flags |= kLarge;
        cur->contents_length =
            array ? static_cast<curl_off_t>(reinterpret_cast<intptr_t>(array_value))
                  : va_arg(params, curl_off_t);
        break;
      case CURLFORM_FILECONTENT: {
        if (cur->flags & (kPtrContents | kReadFile)) return CURL_FORMADD_OPTION_TWICE;
        const char *file = pointer();
        if (!file) return CURL_FORMADD_NULL;
        cur->value_copy.reset(dup_string(file));
        cur->value = cur->value_copy.get();
        cur->flags |= kReadFile;
        break;
      }
      case CURLFORM_FILE: {
        const char *file = pointer();
        if (!file) return CURL_FORMADD_NULL;
        if (cur->value) {
          if (!(cur->flags & kFileName)) return CURL_FORMADD_OPTION_TWICE;
          entries.push_back(std::make_unique<Entry>());  // another file of the same field
          cur = entries.back().get();
          cur->flags = kFileName;
        }
        cur->value_copy.reset(dup_string(file));
        cur->value = cur->value_copy.get();
        cur->flags |= kFileName;
        break;
      }
      case CURLFORM_BUFFERPTR: {
        cur->flags |= kPtrBuffer | kBuffer;
        if (cur->buffer) return CURL_FORMADD_OPTION_TWICE;
        const char *buffer = pointer();
        if (!buffer) return CURL_FORMADD_NULL;
        cur->buffer = buffer;
        cur->value = buffer;  // counts as the entry's contents
        break;
      }
      case CURLFORM_BUFFERLENGTH:
        if (cur->buffer_length) return CURL_FORMADD_OPTION_TWICE;
        cur->buffer_length = static_cast<size_t>(number());
        break;
      case CURLFORM_STREAM: {
        cur->flags |= kCallback;
        if (cur->userp) return CURL_FORMADD_OPTION_TWICE;
        const char *userp = pointer();
        if (!userp) return CURL_FORMADD_NULL;
        cur->userp = const_cast<char *>(userp);
        cur->value = userp;
        break;
      }
      case CURLFORM_CONTENTTYPE: {
        const char *type = pointer();
        if (!type) return CURL_FORMADD_NULL;
        if (cur->type) {
          if (!(cur->flags & kFileName)) return CURL_FORMADD_OPTION_TWICE;
          entries.push_back(std::make_unique<Entry>());  // the type of the next file
          cur = entries.back().get();
          cur->flags = kFileName;
        }
        cur->type.reset(dup_string(type));
        break;
      }
      case CURLFORM_CONTENTHEADER: {
        auto *list = array ? reinterpret_cast<curl_slist *>(const_cast<char *>(array_value))
                           : va_arg(params, curl_slist *);
        if (cur->content_header) return CURL_FORMADD_OPTION_TWICE;
        cur->content_header = list;
        break;
      }
      case CURLFORM_FILENAME:
      case CURLFORM_BUFFER: {
        const char *name = pointer();
        if (cur->show_filename) return CURL_FORMADD_OPTION_TWICE;
        if (!name) return CURL_FORMADD_NULL;
        cur->show_filename.reset(dup_string(name));
        break;
      }
      default:
        return CURL_FORMADD_UNKNOWN_OPTION;
    }
  }
}

void free_post(curl_httppost *p) {
  if (!(p->flags & kPtrName)) std::free(p->name);
  if (!(p->flags & (kPtrContents | kBuffer | kCallback))) std::free(p->contents);
  std::free(p->contenttype);
  std::free(p->showfilename);
  std::free(p);
}

// Checks the collected entries and links them into the list.
CURLFORMcode append(std::vector<std::unique_ptr<Entry>> &entries, curl_httppost **first,
                    curl_httppost **last) {
  const char *prev_type = nullptr;
  std::vector<curl_httppost *> made;
  auto undo = [&](CURLFORMcode rc) {
    for (curl_httppost *p : made) free_post(p);
    return rc;
  };
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry &e = *entries[i];
    bool file = e.flags & kFileName;
    if ((i == 0 && (!e.name || !e.value)) || (e.contents_length && file) ||
        (file && (e.flags & kPtrContents)) ||
        (!e.buffer && (e.flags & kBuffer) && (e.flags & kPtrBuffer)) ||
        ((e.flags & kReadFile) && (e.flags & kPtrContents)))
      return undo(CURL_FORMADD_INCOMPLETE);
    if ((file || (e.flags & kBuffer)) && !e.type) {
      const char *shown = (e.flags & kBuffer) ? e.show_filename.get() : e.value;
      const char *type = evm::mime::type_for_filename(shown);
      if (!type) type = prev_type;
      if (!type) type = "application/octet-stream";
      e.type.reset(dup_string(type));
    }
    if (e.name && e.name_length)
      for (size_t k = 0; k < e.name_length; ++k)
        if (!e.name[k]) return undo(CURL_FORMADD_NULL);

    auto *p = static_cast<curl_httppost *>(std::calloc(1, sizeof(curl_httppost)));
    if (!p) return undo(CURL_FORMADD_MEMORY);
    made.push_back(p);
    p->flags = e.flags | kLarge;
    if (i == 0) {
      size_t n = e.name_length ? e.name_length : std::strlen(e.name);
      p->name = (e.flags & kPtrName) ? const_cast<char *>(e.name) : dup_bytes(e.name, n, true);
      p->namelength = static_cast<long>(n);
    }
    if (e.value_copy) {
      p->contents = e.value_copy.release();
    } else if (!(e.flags & (kFileName | kReadFile | kPtrContents | kPtrBuffer | kCallback)) &&
               e.value) {
      // Copied contents may hold NUL bytes: the given length, or the string and its NUL.
      size_t n =
          e.contents_length ? static_cast<size_t>(e.contents_length) : std::strlen(e.value) + 1;
      p->contents = dup_bytes(e.value, n, false);
    } else {
      p->contents = const_cast<char *>(e.value);
    }
    p->contentlen = e.contents_length;
    p->buffer = const_cast<char *>(e.buffer);
    p->bufferlength = static_cast<long>(e.buffer_length);
    p->contenttype = e.type.release();
    p->contentheader = e.content_header;
    p->showfilename = e.show_filename.release();
    p->userp = e.userp;
    if (p->contenttype) prev_type = p->contenttype;
  }
  // Link only once every entry is whole: the group's first goes on the list, the others hang
  // off its `more` in order.
  for (size_t i = 1; i < made.size(); ++i) made[i - 1]->more = made[i];
  if (*last)
    (*last)->next = made.front();
  else
    *first = made.front();
  *last = made.front();
  return CURL_FORMADD_OK;
}

}  // namespace

extern "C" CURLFORMcode curl_formadd(struct curl_httppost **httppost,
                                     struct curl_httppost **last_post, ...) {
  va_list ap;
  va_start(ap, last_post);
  CURLFORMcode rc = evm::api::guarded(CURL_FORMADD_MEMORY, [&] {
    std::vector<std::unique_ptr<Entry>> entries;
    CURLFORMcode r = collect(ap, entries);
    return r == CURL_FORMADD_OK ? append(entries, httppost, last_post) : r;
  });
  va_end(ap);
  return rc;
}

extern "C" void curl_formfree(struct curl_httppost *form) {
  evm::api::guarded([form] {
    for (curl_httppost *p = form, *next; p; p = next) {
      next = p->next;
      curl_formfree(p->more);
      free_post(p);
    }
  });
}

extern "C" int curl_formget(struct curl_httppost *form, void *arg,
                            curl_formget_callback append_fn) {
  return evm::api::guarded(static_cast<int>(CURLE_OUT_OF_MEMORY), [&]() -> int {
    std::unique_ptr<evm::mime::Mime> tree;
    if (CURLcode rc = evm::mime::mime_from_form(form, nullptr, tree)) return rc;
    std::string type;
    auto body = evm::mime::form_body(tree.get(), "multipart/form-data", {}, type);
    // The top part's header block comes first, as libcurl's curl_formget writes it.
    std::string head =
        "Content-Type: " + (type.empty() ? "multipart/form-data" : type) + "\r\n\r\n";
    if (append_fn(arg, head.data(), head.size()) != head.size()) return CURLE_READ_ERROR;
    char buf[8192];
    for (;;) {
      evm::mime::Chunk c = body->read(buf, sizeof buf);
      if (c.status == evm::mime::Chunk::End) return CURLE_OK;
      if (c.status == evm::mime::Chunk::Abort) return CURLE_ABORTED_BY_CALLBACK;
      if (c.status != evm::mime::Chunk::Data) return CURLE_READ_ERROR;
      if (append_fn(arg, buf, c.n) != c.n) return CURLE_READ_ERROR;
    }
  });
}
