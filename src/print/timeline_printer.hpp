// Renders a request timeline as text: a header, then every entry in time
// order with its offset, the gap before it, level, source and message, the
// largest gap pointed out, errors highlighted in colour.
#pragma once

#include "print/output.hpp"
#include "print/printers.hpp"
#include "timeline/timeline.hpp"

namespace tracegrep {

void print_request_timeline(const timeline::Request& r, Output& out, const TextStyle& style);

}  // namespace tracegrep
