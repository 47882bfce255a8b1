// Opens one input (a path, "-" for stdin) and runs it through the assembler:
// regular files are read in large chunks, gzip is recognised by its magic
// bytes and decompressed, pipes and terminals are read live.
#pragma once

#include <functional>
#include <string>

#include "parse/assembler.hpp"
#include "source/feeder.hpp"

namespace tracegrep {

enum class FollowMode { kNo, kYes };

struct InputOptions {
  std::size_t max_entry = kDefaultMaxEntry;
  FollowMode follow = FollowMode::kNo;
  /// Receives notices about a followed file (rotated, truncated).
  std::function<void(const std::string&)> notice;
};

/// The names an input is shown by: `-` is "(standard input)" in text, "-" in JSON.
InputName input_name(const std::string& path);

/// Scans one input into the assembler. The error is the reason alone
/// ("No such file or directory"); the caller prefixes the name.
FeedOutcome scan_input(const std::string& path, Assembler& assembler, EntrySink& sink,
                       const InputOptions& options);

}  // namespace tracegrep
