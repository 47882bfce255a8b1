// print/: the tables of `requests`, `sessions` and `timeline -s`. Columns
// are as wide as what they hold; a table wider than the terminal (or
// --width) shortens its text columns (marked "…"), then leaves out the
// columns at its end that do not fit whole; it never wraps. The level
// column is coloured as the waterfall and the entries are.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "print/output.hpp"

namespace tracegrep {

/// Columns a terminal gives `text` (UTF-8; East Asian wide characters take
/// two, combining marks none).
std::size_t display_width(std::string_view text);

/// The longest start of `text` that fits in `width` columns, ending in "…"
/// when something was left out.
std::string fit_to_width(std::string_view text, std::size_t width);

class Table {
 public:
  enum class Align { kLeft, kRight };
  struct Column {
    std::string title;
    Align align = Align::kLeft;
    /// Text that may be shortened to fit (messages, sources); others are
    /// numbers, times and ids, which are never cut.
    bool shrinks = false;
  };
  struct Cell {
    std::string text;        ///< already made safe for where it goes
    std::string_view color{};  ///< an SGR sequence, or empty
  };

  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  void add(std::vector<Cell> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }

  /// Writes the title line and the rows, at most `width` columns a line (0:
  /// no limit), with colours when `color`.
  void write(Output& out, std::size_t width, bool color) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<Cell>> rows_;
};

/// The width tables fit: --width when given (non-zero), else the terminal's
/// when standard output is one, else 0 (no limit: a pipe gets every byte).
std::size_t table_width(std::size_t given);

}  // namespace tracegrep
