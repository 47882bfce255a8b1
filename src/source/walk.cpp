#include "source/walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "source/stream.hpp"

namespace tracegrep {
namespace {

bool hidden_name(const std::string& name) { return !name.empty() && name[0] == '.'; }

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool glob_matches(const std::string& glob, const std::string& relative) {
  const std::string subject = glob.find('/') == std::string::npos ? base_name(relative) : relative;
  return ::fnmatch(glob.c_str(), subject.c_str(), FNM_PERIOD) == 0;
}

// Whether the globs take a file found at `relative` under a directory.
bool globs_take_file(const std::vector<std::string>& globs, const std::string& relative) {
  bool any_include = false, included = false;
  for (const std::string& g : globs) {
    if (!g.empty() && g[0] == '!') {
      if (glob_matches(g.substr(1), relative)) return false;
    } else {
      any_include = true;
      included = included || glob_matches(g, relative);
    }
  }
  return !any_include || included;
}

bool globs_leave_out_dir(const std::vector<std::string>& globs, const std::string& relative) {
  for (const std::string& g : globs)
    if (!g.empty() && g[0] == '!' && glob_matches(g.substr(1), relative)) return true;
  return false;
}

// The first `max` bytes of a file (fewer when it is shorter or unreadable).
std::string head_of(const std::string& path, std::size_t max) {
  std::string out(max, '\0');
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  const ssize_t n = fd < 0 ? 0 : ::pread(fd, out.data(), max, 0);
  if (fd >= 0) ::close(fd);
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

// A NUL byte in the first 4 KiB, not gzip: ripgrep's binary file, left out
// of a directory's files. Unreadable files are kept (their error is said).
bool binary_file(const std::string& path) {
  const std::string head = head_of(path, 4096);
  return !is_gzip_magic(head.data(), head.size()) && head.find('\0') != std::string::npos;
}

bool gzip_file(const std::string& path) {
  const std::string head = head_of(path, 2);
  return is_gzip_magic(head.data(), head.size());
}

// Appends the files under `dir` (`relative` is its path under the
// directory given) in path order; those in `known` without a look inside.
void walk(const std::string& dir, const std::string& relative, const WalkOptions& options,
          std::vector<std::string>& out, const std::set<std::string>* known = nullptr) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    out.push_back(dir);  // opening it says why (Permission denied)
    return;
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (hidden_name(name) && !options.hidden) continue;
    names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string path = dir == "/" ? "/" + name : dir + "/" + name;
    const std::string rel = relative.empty() ? name : relative + "/" + name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;  // gone meanwhile
    if (S_ISLNK(st.st_mode)) continue;              // as ripgrep: links are not followed
    if (S_ISDIR(st.st_mode)) {
      if (!globs_leave_out_dir(options.globs, rel)) walk(path, rel, options, out, known);
      continue;
    }
    if (!S_ISREG(st.st_mode)) continue;  // sockets, FIFOs: nothing to search
    if (!globs_take_file(options.globs, rel)) continue;
    if (!(known && known->count(path)) && binary_file(path)) continue;
    out.push_back(path);
  }
}

std::string without_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

bool is_directory(const std::string& path) {
  struct stat st {};
  return path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> expand_directories(const std::vector<std::string>& args, const WalkOptions& options,
                                            bool* found_dir) {
  std::vector<std::string> out;
  for (const std::string& a : args) {
    if (!is_directory(a)) {
      out.push_back(a);
      continue;
    }
    if (found_dir) *found_dir = true;
    walk(without_trailing_slashes(a), "", options, out);
  }
  return out;
}

std::string check_globs(const std::vector<std::string>& globs) {
  for (const std::string& g : globs) {
    const std::string body = !g.empty() && g[0] == '!' ? g.substr(1) : g;
    if (body.empty()) return "--glob '" + g + "': an empty glob matches nothing";
    // fnmatch has no error for a bad pattern; an unclosed '[' is read as a
    // literal, which is what the user meant or close to it.
  }
  return {};
}

bool is_rotation_of(const std::string& name, const std::string& base) {
  if (name.size() <= base.size() + 1 || name.compare(0, base.size(), base) != 0) return false;
  const char sep = name[base.size()];
  if (sep != '.' && sep != '-' && sep != '_') return false;
  const std::string rest = name.substr(base.size() + 1);
  return std::any_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
         rest == "old" || rest == "gz";
}

std::vector<std::string> DirectoryWatch::poll() {
  std::vector<std::string> found;
  walk(without_trailing_slashes(dir_), "", options_, found, &paths_);
  const std::set<std::string> here(found.begin(), found.end());
  std::vector<std::string> out;
  for (const std::string& path : found) {
    if (paths_.count(path)) continue;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // an unreadable folder
    // A rotated copy of a file beside it is that file's past: not followed.
    // The candidates are the name cut at each '.', '-' or '_'.
    const std::string name = base_name(path);
    const std::string folder = path.substr(0, path.size() - name.size());
    bool rotation = false;
    for (std::size_t cut = name.find_last_of(".-_"); cut != std::string::npos && cut > 0 && !rotation;
         cut = name.find_last_of(".-_", cut - 1)) {
      const std::string base = name.substr(0, cut);
      rotation = here.count(folder + base) > 0 && is_rotation_of(name, base);
    }
    paths_.insert(path);
    const bool seen = !files_.insert({st.st_dev, st.st_ino}).second;  // renamed by rotation
    if (rotation || seen || gzip_file(path)) continue;
    out.push_back(path);
  }
  return out;
}

}  // namespace tracegrep
