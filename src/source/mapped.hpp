// Regular files are mapped in windows rather than read: copying a 1 GB log
// out of the page cache costs more than searching it. Windows keep the
// address space bounded; a SIGBUS guard turns a file truncated under us
// (copytruncate) into an error message instead of a crash.
#pragma once

#include <sys/types.h>

#include "parse/assembler.hpp"
#include "source/feeder.hpp"

namespace tracegrep {

/// Scans the first `size` bytes of the regular file `fd` through mappings.
/// Sets `mapped` false (and scans nothing) when the file cannot be mapped.
FeedOutcome scan_mapped(int fd, off_t size, Assembler& assembler, EntrySink& sink, std::size_t max_entry,
                        bool& mapped);

}  // namespace tracegrep
