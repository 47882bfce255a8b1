// search/: files and standard input as sources.
#include <sys/stat.h>

#include "search/source.hpp"
#include "source/input.hpp"

namespace tracegrep {
namespace {

class FileSource final : public Source {
 public:
  FileSource(std::string path, InputOptions options) : path_(std::move(path)), options_(std::move(options)) {
    struct stat st {};
    apart_ = path_ != "-" && options_.follow == FollowMode::kNo && ::stat(path_.c_str(), &st) == 0 &&
             S_ISREG(st.st_mode);
  }
  InputName name() const override { return input_name(path_); }
  SourceOutcome search(Assembler& assembler, EntrySink& sink, const Notice& notice) override {
    InputOptions options = options_;
    options.notice = notice;
    const FeedOutcome out = scan_input(path_, assembler, sink, options);
    return {out.flow, out.error};
  }
  bool runs_apart() const override { return apart_; }

 private:
  std::string path_;
  InputOptions options_;
  bool apart_ = false;
};

}  // namespace

std::unique_ptr<Source> file_source(std::string path, const InputOptions& options) {
  return std::make_unique<FileSource>(std::move(path), options);
}

}  // namespace tracegrep
