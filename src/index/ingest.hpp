// `tracegrep index`: logs -> chunks and postings in the store. Reads each
// input through source/ like a scan does, recognises content it has seen
// by a fingerprint of its first bytes, and reads only what is new.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "index/store.hpp"
#include "report/error.hpp"

namespace tracegrep::index {

struct IngestOptions {
  std::size_t max_entry = std::size_t{1} << 20;
  /// Called every few MB with the path, the bytes read of it so far, and its
  /// size (-1 when unknown: a pipe, a .gz).
  std::function<void(const std::string& path, std::int64_t done, std::int64_t total)> progress;
  /// Told of an input left out, and why (a binary file).
  std::function<void(const std::string& path, const std::string& why)> notice;
};

struct IngestTotals {
  std::int64_t inputs = 0;
  std::int64_t entries = 0;
  std::int64_t bytes = 0;  ///< new bytes of log read
};

class Ingester {
 public:
  Ingester(Store& store, IngestOptions options);
  /// Indexes one input ("-" for standard input). Returns what went wrong
  /// with the input (none when it was indexed). Throws db::Error from SQLite.
  Error add(const std::string& path);
  const IngestTotals& totals() const { return totals_; }

 private:
  Store& store_;
  IngestOptions options_;
  IngestTotals totals_;
};

/// The fingerprint of a log's first bytes (64-bit FNV-1a).
std::int64_t fingerprint(std::string_view head);

/// How many bytes of a log the fingerprint covers at most.
inline constexpr std::size_t kFingerprintBytes = 4096;

}  // namespace tracegrep::index
