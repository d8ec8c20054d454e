// The option table against the setters: an option the table marks as not built is taken by no
// setter (else setopt would hide a working setter), and one marked implemented has a setter.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "api/option_table.h"
#include "api/setopt.h"

namespace {

// Every setter of setopt.h; a new one goes here as well.
constexpr evm::OptionSetter kAllSetters[] = {
    evm::set_core_option,     evm::set_redirect_option, evm::set_auth_option,
    evm::set_upload_option,   evm::set_form_option,     evm::set_cookie_option,
    evm::set_response_option, evm::set_control_option,  evm::set_connection_option,
    evm::set_share_option,    evm::set_curlu_option,    evm::set_session_option,
};

// Whether any setter takes the option (with a zero argument, on fresh options).
bool taken(CURLoption id) {
  for (evm::OptionSetter set : kAllSetters) {
    evm::EasyOptions o;
    evm::OptionArg zero;
    if (set(o, id, zero) != CURLE_UNKNOWN_OPTION) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("option table: not-built options have no setter, implemented ones have one") {
  int implemented = 0;
  for (const evm::OptionInfo &o : evm::option_table()) {
    if (o.pub.flags & CURLOT_FLAG_ALIAS) continue;
    std::string name = o.pub.name;
    CAPTURE(name);
    if (o.implemented()) {
      ++implemented;
      CHECK(taken(o.pub.id));
    } else {
      CHECK_FALSE(taken(o.pub.id));
      CHECK((o.not_built == CURLE_UNKNOWN_OPTION || o.not_built == CURLE_NOT_BUILT_IN ||
             o.not_built == CURLE_OK));
    }
  }
  CHECK(implemented == 133);
}
