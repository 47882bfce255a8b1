// index/: the SQLite index. This file is the RAII layer in the shape of
// SQLiteCpp: a Database, prepared Statements reused across calls, and a
// Transaction that rolls back unless committed. <sqlite3.h> stays in db.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace tracegrep::db {

/// A failed SQLite call; carries the extended result code.
class Error : public std::runtime_error {
 public:
  Error(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  /// Conditions of ours that SQLite's codes name (the codes stay in db.cpp).
  static Error damaged(const std::string& what);      ///< SQLITE_CORRUPT: the index holds bad data
  static Error cannot_open(const std::string& what);  ///< SQLITE_CANTOPEN
  static Error failed(const std::string& what);       ///< SQLITE_ERROR: something else went wrong
  int code() const { return code_; }
  /// The database file is not a database, or is damaged.
  bool corrupt() const;
  /// Another connection holds the lock longer than the busy timeout.
  bool busy() const;

 private:
  int code_;
};

enum class OpenMode { kReadOnly, kReadWrite, kCreate };

class Database {
 public:
  Database(const std::string& path, OpenMode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs SQL without results (several statements allowed).
  void exec(const char* sql);
  std::int64_t last_insert_id() const;
  /// Rows the last statement inserted, changed or deleted.
  std::int64_t changes() const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(Database& db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Binds are 1-based, as in SQLite. Text and blobs are copied.
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, std::string_view text);
  Statement& bind_blob(int i, std::string_view bytes);
  Statement& bind_null(int i);
  /// Steps once: true while there is a row.
  bool step();
  /// Steps to completion of a statement that returns no rows.
  void run();
  /// Resets for another use, clearing the bindings.
  void reset();

  std::int64_t integer(int col) const;
  std::string_view text(int col) const;
  std::string_view blob(int col) const;
  bool is_null(int col) const;

 private:
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// BEGIN IMMEDIATE now; ROLLBACK at destruction unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace tracegrep::db
