#include "support/index_edit.hpp"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "index/page_checksums.hpp"

namespace tracegrep::test {

void edit_index(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  char* error = nullptr;
  const int rc =
      sqlite3_exec(h, (sql + ";PRAGMA wal_checkpoint(TRUNCATE);").c_str(), nullptr, nullptr, &error);
  INFO((error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(h);
  REQUIRE(rc == SQLITE_OK);
  reseal_page_checksums(db);
}

void reseal_page_checksums(const std::string& db) {
  std::string bytes;
  {
    std::ifstream in(db, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  REQUIRE(bytes.size() >= 100);
  REQUIRE(static_cast<unsigned char>(bytes[20]) == 8);  // made with checksums
  const auto* header = reinterpret_cast<const unsigned char*>(bytes.data());
  int page = header[16] << 8 | header[17];
  if (page == 1) page = 65536;
  REQUIRE(bytes.size() % static_cast<std::size_t>(page) == 0);
  for (std::size_t at = 0; at < bytes.size(); at += static_cast<std::size_t>(page)) {
    auto* p = reinterpret_cast<unsigned char*>(bytes.data() + at);
    db::page_checksum(p, page, p + page - 8);
  }
  std::ofstream out(db, std::ios::binary | std::ios::trunc);
  out << bytes;
}

}  // namespace tracegrep::test
