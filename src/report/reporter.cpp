// report/: rendering and writing the user's messages.
#include "report/reporter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "print/output.hpp"

namespace tracegrep {

std::string Error::message() const { return errno_ ? std::string(std::strerror(errno_)) : text_; }

void Reporter::write(std::string_view line) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  if (out_) out_->flush();
  fmt::print(stderr, "tracegrep: {}\n", line);
}

void Reporter::error(std::string_view name, const Error& error) {
  errored_ = true;
  std::string hint = error.sys() == ENOENT ? messages::did_you_mean_command(name) : std::string();
  write(name.empty() ? error.message() : fmt::format("{}: {}{}", name, error.message(), hint));
}

void Reporter::error(std::string_view what) {
  errored_ = true;
  write(what);
}

void Reporter::notice(std::string_view name, std::string_view what) {
  write(fmt::format("{}: {}", name, what));
}

namespace messages {

std::string bad_level(std::string_view given) {
  return fmt::format("--level '{}': not a level; use TRACE, DEBUG, INFO, WARNING, ERROR or CRITICAL", given);
}

std::string bad_max_entry_size(std::string_view given) {
  return fmt::format("--max-entry-size '{}': use a size from 4K to 1G, such as 65536, 64K or 1M", given);
}

namespace {
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}
}  // namespace

std::string did_you_mean_command(std::string_view path) {
  if (path.find('/') != std::string_view::npos || path.find('.') != std::string_view::npos) return {};
  for (const std::string_view command : {"index", "timeline", "requests", "sessions", "layouts"}) {
    if (edit_distance(path, command) <= 2) return fmt::format(" (did you mean 'tracegrep {}'?)", command);
  }
  return {};
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) best_distance = d, best = c;
  }
  return best;
}

}  // namespace messages
}  // namespace tracegrep
