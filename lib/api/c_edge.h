// What the extern "C" entry points need at the language edge.
#pragma once

#include <cstdarg>
#include <cstring>
#include <type_traits>

namespace evm::api {

// Runs an entry point's body. Nothing C++ throws may reach a C caller (it would end the process
// or unwind through frames that cannot clean up), so anything the body throws (std::bad_alloc
// above all) ends here and `fallback` is returned: the out-of-memory code of the function's kind
// (CURLE_OUT_OF_MEMORY, CURLM_OUT_OF_MEMORY) or nullptr. The result type is the body's.
template <class Body, class R = std::invoke_result_t<Body &>>
R guarded(std::type_identity_t<R> fallback, Body &&body) noexcept {
  static_assert(std::is_nothrow_copy_constructible_v<R>, "a fallback must not throw either");
  try {
    return body();
  } catch (...) {
    return fallback;
  }
}

// A code as the C caller passed it. C may pass any int where the prototype names an enum, and
// loading an out-of-range enum in C++ is undefined, so its bytes are read as an int.
template <class E>
int code_value(const E &e) noexcept {
  static_assert(sizeof(E) == sizeof(int));
  int v;
  std::memcpy(&v, &e, sizeof v);
  return v;
}

// The same for a function that returns nothing: an exception is dropped.
template <class Body>
void guarded(Body &&body) noexcept {
  try {
    body();
  } catch (...) {
  }
}

}  // namespace evm::api

// va_start for the variadic entry points whose last named parameter is an enum (CURLoption,
// CURLMoption, CURLINFO), as libcurl's prototypes have it and must keep. C++ leaves va_start on
// a type that undergoes promotion undefined, and clang warns (-Wvarargs); but GCC's and clang's
// va_start is a builtin that needs the parameter only to locate the variable arguments (C23
// makes it optional), so the warning is silenced for this one call and nowhere else.
#if defined(__clang__)
#define EVM_VA_START_AFTER_ENUM(ap, last)                                            \
  _Pragma("clang diagnostic push") _Pragma("clang diagnostic ignored \"-Wvarargs\"") \
      va_start(ap, last) _Pragma("clang diagnostic pop")
#else
#define EVM_VA_START_AFTER_ENUM(ap, last) va_start(ap, last)
#endif
