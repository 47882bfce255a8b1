// source/: directories as inputs, as ripgrep walks them. A directory stands
// for the files under it, in path order: plain and gzip files, without
// hidden files and folders (--hidden takes them), binary files (a NUL byte
// in the first 4 KiB that is not gzip) or symbolic links found on the way,
// and only the names --glob lets through. An entry that cannot be read
// (a folder without permission) stays an input of its own, so that opening
// it says why, as any other input's error.
#pragma once

#include <sys/types.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace tracegrep {

struct WalkOptions {
  /// ripgrep's --glob: a file found in a directory is taken when it matches
  /// one of the globs without '!' (if any) and none with '!'; a glob with a
  /// '/' is matched against the path under the directory, else the name.
  /// '!' globs leave out folders too.
  std::vector<std::string> globs;
  bool hidden = false;  ///< --hidden: hidden files and folders too
};

/// True when `path` names a directory (following a link given by name).
bool is_directory(const std::string& path);

/// The inputs `args` stand for: each directory replaced by the files under
/// it; everything else as given. `found_dir` is set when one was a directory.
std::vector<std::string> expand_directories(const std::vector<std::string>& args, const WalkOptions& options,
                                            bool* found_dir = nullptr);

/// A bad glob (one fnmatch cannot read, or empty), else "".
std::string check_globs(const std::vector<std::string>& globs);

/// --follow DIR: the files under a directory worth following now and those
/// created later — not gzip, not binary, not a rotated copy of another
/// (app.log.1, app.log-20240115, app.log.2.gz beside app.log).
class DirectoryWatch {
 public:
  DirectoryWatch(std::string dir, WalkOptions options) : dir_(std::move(dir)), options_(std::move(options)) {}
  /// The files not returned before (by path, or by the file itself: a file
  /// renamed by rotation is not followed again under its new name).
  std::vector<std::string> poll();
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  WalkOptions options_;
  std::set<std::string> paths_;
  std::set<std::pair<dev_t, ino_t>> files_;
};

/// True when `name` is a rotated copy of `base` in the same folder: base,
/// then '.', '-' or '_', then something holding a digit (app.log.1,
/// app.log-20240115, app.log.2.gz).
bool is_rotation_of(const std::string& name, const std::string& base);

}  // namespace tracegrep
