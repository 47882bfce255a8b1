// Regular files are mapped in windows rather than read: copying a 1 GB log
// out of the page cache costs more than searching it. Windows keep the
// address space bounded; a SIGBUS guard turns a file truncated under us
// (copytruncate) into an error instead of a crash. What to do with the
// lines (and whether to read two halves at once) is the search stage's.
#pragma once

#include <sys/types.h>

#include "parse/line_sink.hpp"
#include "source/feeder.hpp"

namespace tracegrep {

/// Before reading a file through mappings: the SIGBUS guard is in place and
/// no truncation is noted.
void begin_mapped_scan();

/// Feeds the whole lines of [start, stop) of the regular file `fd` (`start`
/// a line start) to `lines`, window by window; a line longer than
/// `max_entry` is cut there. Does not flush: the caller knows whether the
/// entry open at `stop` is complete. Sets `mapped` false (and feeds nothing)
/// when the file cannot be mapped at all.
FeedOutcome scan_range(int fd, off_t start, off_t stop, LineSink& lines, std::size_t max_entry, bool& mapped);

/// True once a mapped file was found shorter than when its reading began:
/// the bytes past that point read as zeros, so entries still being
/// assembled must be dropped.
bool mapped_file_shrank();

/// Where to cut a file in two: the first entry start after its middle, or -1.
off_t split_point(int fd, off_t size);

}  // namespace tracegrep
