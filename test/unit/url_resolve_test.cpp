// Reference resolution against RFC 3986 section 5.4's examples, each then parsed as a URL (the
// parser removes the dot segments), plus what libcurl does beyond the RFC.
#include "http/url_resolve.h"

#include <doctest/doctest.h>

#include "http/url.h"

using evm::http::parse_url;
using evm::http::resolve_reference;
using evm::http::Url;

namespace {

std::string resolved(std::string_view ref, std::string_view base = "http://a/b/c/d;p?q") {
  Url u;
  std::string text = resolve_reference(base, ref);
  auto r = parse_url(text, u);
  if (!r.ok()) return "error: " + text;
  return u.to_string();
}

}  // namespace

TEST_CASE("RFC 3986 normal examples") {
  CHECK(resolved("g") == "http://a/b/c/g");
  CHECK(resolved("./g") == "http://a/b/c/g");
  CHECK(resolved("g/") == "http://a/b/c/g/");
  CHECK(resolved("/g") == "http://a/g");
  CHECK(resolved("//g") == "http://g/");
  CHECK(resolved("?y") == "http://a/b/c/d;p?y");
  CHECK(resolved("g?y") == "http://a/b/c/g?y");
  CHECK(resolved(";x") == "http://a/b/c/;x");
  CHECK(resolved("g;x") == "http://a/b/c/g;x");
  CHECK(resolved("") == "http://a/b/c/d;p?q");
  CHECK(resolved(".") == "http://a/b/c/");
  CHECK(resolved("./") == "http://a/b/c/");
  CHECK(resolved("..") == "http://a/b/");
  CHECK(resolved("../") == "http://a/b/");
  CHECK(resolved("../g") == "http://a/b/g");
  CHECK(resolved("../..") == "http://a/");
  CHECK(resolved("../../g") == "http://a/g");
}

TEST_CASE("RFC 3986 abnormal examples") {
  CHECK(resolved("../../../g") == "http://a/g");
  CHECK(resolved("../../../../g") == "http://a/g");
  CHECK(resolved("/./g") == "http://a/g");
  CHECK(resolved("/../g") == "http://a/g");
  CHECK(resolved("g.") == "http://a/b/c/g.");
  CHECK(resolved(".g") == "http://a/b/c/.g");
  CHECK(resolved("g..") == "http://a/b/c/g..");
  CHECK(resolved("./../g") == "http://a/b/g");
  CHECK(resolved("g/./h") == "http://a/b/c/g/h");
  CHECK(resolved("g/../h") == "http://a/b/c/h");
  CHECK(resolved("g;x=1/./y") == "http://a/b/c/g;x=1/y");
  CHECK(resolved("g;x=1/../y") == "http://a/b/c/y");
}

TEST_CASE("absolute references, fragments and spaces") {
  CHECK(resolve_reference("http://a/b", "https://h:8443/x?y") == "https://h:8443/x?y");
  CHECK(resolve_reference("http://a/b", "ftp://h/x") == "ftp://h/x");
  CHECK(resolve_reference("https://a:444/b", "//h/x") == "https://h/x");
  // Fragments are never sent, so neither the reference's nor the base's survives.
  CHECK(resolved("#s") == "http://a/b/c/d;p?q");
  CHECK(resolved("g#s") == "http://a/b/c/g");
  CHECK(resolve_reference("http://a/b#f", "c") == "http://a/c");
  // libcurl encodes the spaces of a Location it follows.
  CHECK(resolved("a b") == "http://a/b/c/a%20b");
  // Userinfo and port of the base carry over to a relative reference.
  CHECK(resolve_reference("http://u:p@a:81/b/c", "d") == "http://u:p@a:81/b/d");
  CHECK(resolve_reference("http://a:81", "d") == "http://a:81/d");
}
