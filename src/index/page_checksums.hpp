// index/: a checksum on every page of the index file, verified on every read.
//
// SQLite checks its B-trees' structure, not their contents: a flipped byte in
// a posting list or a summary row reads back as another id or number, and a
// query answers wrong without a word. A new index therefore keeps 8 bytes at
// the end of every page (SQLite's "reserved bytes", header byte 20) for a
// checksum of the page, written whenever a page goes to the database file
// and checked whenever one is read from it: a damaged page reads as
// SQLITE_IOERR_DATA, which db::Error::corrupt() reports as damage. This is
// the idea of SQLite's cksumvfs extension (a VFS over the default one), with
// one difference: pages in the write-ahead log are left as SQLite wrote them
// (its frame checksums cover them, and a page changed after its frame
// checksum would be dropped by crash recovery); they get theirs when a
// checkpoint copies them into the file. An index made before (no reserved
// bytes) is read as before, without.
#pragma once

#include <cstdint>

struct sqlite3;

namespace tracegrep::db {

/// The name of the VFS indexes are opened with; registers it on first use.
const char* checksum_vfs();

/// Reserves the checksum's bytes in a database that has no page yet.
void reserve_page_checksums(sqlite3* db);

/// True when the database's pages carry checksums (header byte 20 is 8).
bool has_page_checksums(sqlite3* db);

/// The checksum of a page of `size` bytes, over all but its last 8, which
/// it is written to (tests set it after editing an index with plain SQLite).
void page_checksum(const unsigned char* page, int size, unsigned char out[8]);

/// The byte offset in its file of the last page this thread found damaged,
/// or -1.
std::int64_t last_damaged_page();

}  // namespace tracegrep::db
