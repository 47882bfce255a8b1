// Untrusted bytes: nothing a terminal acts on passes raw; JSON stays valid.
#include "print/escape.hpp"

#include <catch2/catch.hpp>

#include "print/entry_json.hpp"

using tracegrep::append_json_string;
using tracegrep::append_terminal_safe;

namespace {
std::string term(std::string_view s) {
  std::string out;
  append_terminal_safe(out, s);
  return out;
}
std::string json(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}
}  // namespace

TEST_CASE("terminal: control characters and escapes are made visible", "[print]") {
  CHECK(term("plain text, tabs\tand UTF-8 é ✓\n") == "plain text, tabs\tand UTF-8 é ✓\n");
  CHECK(term("\x1b[2J") == "\\x1b[2J");
  CHECK(term("\x1b]0;title\x07") == "\\x1b]0;title\\x07");
  CHECK(term("a\rb") == "a\\x0db");
  CHECK(term("crlf\r\n") == "crlf\n");
  CHECK(term(std::string("nul\0x", 5)) == "nul\\x00x");
  CHECK(term("\x7f") == "\\x7f");
  CHECK(term("\xc2\x9b"
             "31m") == "\\u{009b}31m");  // 8-bit CSI
  CHECK(term("\xe2\x80\xae"
             "abc") == "\\u{202e}abc");  // right-to-left override
  CHECK(term("\xff\xfe") == "\\xff\\xfe");
  CHECK(term("\xc3\x28") == "\\xc3(");
  CHECK(term("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a UTF-16 surrogate
  CHECK(term("\xc0\xaf") == "\\xc0\\xaf");           // overlong '/'
}

TEST_CASE("json: escapes and invalid UTF-8", "[print]") {
  CHECK(json("say \"hi\"\\") == R"("say \"hi\"\\")");
  CHECK(json("a\nb\tc\r") == R"("a\nb\tc\r")");
  CHECK(json("\x1b[31m") == R"("\u001b[31m")");
  CHECK(json(std::string("\0", 1)) == R"("\u0000")");
  CHECK(json("é ✓") == "\"é ✓\"");
  CHECK(json("\xff ok \xc3") == R"("\ufffd ok \ufffd")");
}

TEST_CASE("one line: a table cell or a row's field never breaks its line", "[print]") {
  auto line = [](std::string_view s, bool terminal) {
    std::string out;
    tracegrep::append_one_line(out, s, terminal);
    return out;
  };
  CHECK(line("r1\nrequest r2", false) == "r1\\nrequest r2");
  CHECK(line("a\tb\r\n", false) == "a\\tb\\r\\n");
  CHECK(line("a\\nb", false) == "a\\nb");  // a backslash stays as it is
  CHECK(line("plain é", true) == "plain é");
  CHECK(line("\x1b[31mred\nnext\xe2\x80\xae", true) == "\\x1b[31mred\\nnext\\u{202e}");
  CHECK(line("\x1b", false) == "\x1b");  // raw output keeps other bytes as they are
}

TEST_CASE("json: an entry's level is escaped like any other string", "[print]") {
  // The parsers take only known level words; an index may hold anything.
  std::string out;
  tracegrep::EntryFields f{};
  f.level_text = "in\"fo\x07";
  f.message = "m";
  f.file = "f";
  tracegrep::append_entry_json(out, f);
  CHECK(out.find(R"("level":"IN\"FO\u0007")") != std::string::npos);
}
