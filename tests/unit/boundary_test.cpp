// Where entries begin: untimed lines continue an entry only when they look
// like a continuation; everything else is an entry of its own.
#include "parse/boundary.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "parse/header.hpp"

using namespace tracegrep;

namespace {
// Which lines begin an entry, as a string of 'B' (begins) and '.' (continues).
std::string marks(const std::vector<std::string>& lines) {
  EntryBoundary b;
  std::string out;
  for (const auto& l : lines) out += b.begins(l + "\n") ? 'B' : '.';
  return out;
}
}  // namespace

TEST_CASE("a Python traceback, chained exceptions included, continues its entry", "[parse]") {
  CHECK(marks({"2024-01-15 10:30:15,123 - ERROR - [req=r|session=s] - failed",
               "Traceback (most recent call last):", "  File \"app.py\", line 3, in <module>", "    charge()",
               "ValueError: bad amount", "",
               "During handling of the above exception, another exception occurred:", "",
               "Traceback (most recent call last):", "  File \"app.py\", line 5, in <module>",
               "requests.exceptions.ConnectionError: gateway down",
               "2024-01-15 10:30:16,000 - INFO - [req=r|session=s] - next"}) == "B..........B");
  CHECK(marks({"2024-01-15 10:30:15 - ERROR - x", "Traceback (most recent call last):", "  File \"a.py\"",
               "KeyboardInterrupt"}) == "B...");
  CHECK(marks({"2024-01-15 10:30:15 - ERROR - x",
               "The above exception was the direct cause of the following exception:"}) == "B.");
}

TEST_CASE("Java stack traces continue their entry", "[parse]") {
  CHECK(marks({"2024-01-15 10:30:15,123 ERROR [req=r|session=s] boom", "java.lang.IllegalStateException: x",
               "\tat com.acme.Pay.charge(Pay.java:42)", "Caused by: java.io.IOException: y",
               "\t... 12 more"}) == "BB...");
}

TEST_CASE("untimed lines that are not continuations are entries of their own", "[parse]") {
  // uvicorn's access lines and print() output between a service's entries
  CHECK(marks({"2024-01-15 10:30:15,123 - INFO - [req=r1|session=s] - handled",
               "INFO:     127.0.0.1:51234 - \"POST /api HTTP/1.1\" 200 OK", "debug: printed by a developer",
               "2024-01-15 10:30:15,200 - INFO - [req=r2|session=s] - next",
               "ValueError: outside any traceback"}) == "BBBBB");
  // A traceback's exception line ends it: what follows is not swallowed.
  CHECK(marks({"2024-01-15 10:30:15 - ERROR - x", "Traceback (most recent call last):", "  File \"a.py\"",
               "ValueError: bad", "RuntimeError: not part of it"}) == "B...B");
}

TEST_CASE("an untimed line's level before a colon is its level (uvicorn, gunicorn)", "[parse]") {
  Header h;
  CHECK_FALSE(parse_header("INFO:     127.0.0.1:51234 - \"GET / HTTP/1.1\" 200", h));
  CHECK(h.level == format::Level::kInfo);
  CHECK_FALSE(parse_header("ERROR:    Exception in ASGI application", h));
  CHECK(h.level == format::Level::kError);
  CHECK_FALSE(parse_header("ValueError: bad", h));
  CHECK(h.level == format::Level::kNone);
  CHECK(h.req.empty());
}
