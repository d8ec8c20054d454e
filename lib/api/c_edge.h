// What the extern "C" entry points need at the language edge.
#pragma once

#include <cstdarg>

// va_start for the variadic entry points whose last named parameter is an enum (CURLoption,
// CURLMoption, CURLINFO), as libcurl's prototypes have it. C++ calls that undefined because an
// enum undergoes promotion, and clang warns (-Wvarargs); GCC and clang implement va_start as a
// builtin that uses the parameter only to find where the variable arguments begin, which is why
// C23 dropped the parameter altogether. So the warning is silenced for this one macro only.
#if defined(__clang__)
#define EVM_VA_START_AFTER_ENUM(ap, last)                                            \
  _Pragma("clang diagnostic push") _Pragma("clang diagnostic ignored \"-Wvarargs\"") \
      va_start(ap, last) _Pragma("clang diagnostic pop")
#else
#define EVM_VA_START_AFTER_ENUM(ap, last) va_start(ap, last)
#endif
