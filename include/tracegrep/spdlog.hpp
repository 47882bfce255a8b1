// spdlog (Debian's 1.10) in tracegrep's format. Header-only: include it only
// in code that already uses spdlog.
//
// 1. For spdlog loggers that format on the calling thread (synchronous ones),
//    make_spdlog_formatter() adds the flags of tracegrep's line:
//      %Q  the level as Python names it (WARNING, CRITICAL)
//      %k  the tag of the calling thread's context, [req=R|session=S]
//      %W  the message, escaped to one line (CWE-117)
//    and by default sets the pattern "%Y-%m-%d %H:%M:%S,%e - %Q - %k - %W",
//    which writes exactly what tracegrep::Logger writes.
//        logger->set_formatter(tracegrep::make_spdlog_formatter());
// 2. An asynchronous spdlog logger formats on its worker thread, where the
//    caller's context is not: there, log through tracegrep::Logger and send
//    its lines to spdlog's sinks with SpdlogSink, so the context is read on
//    the calling thread.
#pragma once

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/sink.h>

#include <memory>
#include <string>

#include "tracegrep/context.hpp"
#include "tracegrep/format.hpp"
#include "tracegrep/log.hpp"

namespace tracegrep {

namespace detail {

// spdlog's level as tracegrep's, named by format.hpp (the one owner of the names).
inline Level tracegrep_level(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace:
      return Level::kTrace;
    case spdlog::level::debug:
      return Level::kDebug;
    case spdlog::level::warn:
      return Level::kWarning;
    case spdlog::level::err:
      return Level::kError;
    case spdlog::level::critical:
      return Level::kCritical;
    default:
      return Level::kInfo;
  }
}

inline std::string_view python_level(spdlog::level::level_enum l) {
  return format::level_name(tracegrep_level(l));
}

class LevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string_view name = python_level(msg.level);
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LevelFlag>(); }
};

class TagFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string_view tag = tag_of(current_data());
    dest.append(tag.data(), tag.data() + tag.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<TagFlag>(); }
};

class EscapedMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    thread_local std::string escaped;
    escaped.clear();
    format::append_escaped_message(escaped, std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<EscapedMessageFlag>();
  }
};

}  // namespace detail

inline constexpr const char* kSpdlogPattern = "%Y-%m-%d %H:%M:%S,%e - %Q - %k - %W";

/// A formatter with the %Q, %k and %W flags, set to `pattern`.
inline std::unique_ptr<spdlog::pattern_formatter> make_spdlog_formatter(
    const std::string& pattern = kSpdlogPattern) {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  f->add_flag<detail::LevelFlag>('Q').add_flag<detail::TagFlag>('k').add_flag<detail::EscapedMessageFlag>(
      'W');
  f->set_pattern(pattern);
  return f;
}

/// A tracegrep sink writing the rendered lines to an spdlog sink (a rotating
/// file, syslog...): the spdlog sink's own pattern is set to "%v", so the
/// line goes out as tracegrep rendered it.
class SpdlogSink final : public Sink {
 public:
  explicit SpdlogSink(std::shared_ptr<spdlog::sinks::sink> sink) : sink_(std::move(sink)) {
    sink_->set_pattern("%v");
  }
  void write(std::string_view line) override {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);  // spdlog adds its own end of line
    sink_->log(spdlog::details::log_msg(spdlog::string_view_t(), spdlog::level::info,
                                        spdlog::string_view_t(line.data(), line.size())));
  }

 private:
  std::shared_ptr<spdlog::sinks::sink> sink_;
};

}  // namespace tracegrep
