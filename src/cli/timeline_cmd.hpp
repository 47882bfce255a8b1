// `tracegrep timeline`: one request's entries, from files or the index, as
// a timeline (timeline/ orders them, print/ renders them).
#pragma once

#include "cli/args.hpp"

namespace tracegrep {

int timeline_command(const TimelineArgs& args);
int requests_command(const RequestsArgs& args);
int sessions_command(const SessionsArgs& args);

}  // namespace tracegrep
