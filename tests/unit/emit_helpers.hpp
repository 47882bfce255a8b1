// What the emitter's unit tests share.
#pragma once

#include <string>

#include "tracegrep/context.hpp"

namespace tracegrep::test {

inline RequestMetadata md(std::string session, std::string request) {
  RequestMetadata m;
  m.session_id = std::move(session);
  m.request_id = std::move(request);
  return m;
}

inline std::string current_tag() { return std::string(Context::current().tag()); }

}  // namespace tracegrep::test
