// Edits an index through plain SQLite, as a user's sqlite3 shell would, to
// make the damage a test needs (rows deleted, a chunk's bytes changed) while
// its pages stay valid: then every page's checksum is set again, as
// tracegrep's VFS would have set it (index/page_checksums.hpp).
#pragma once

#include <string>

namespace tracegrep::test {

/// Runs `sql` on the index, checkpoints it into the file and reseals it.
void edit_index(const std::string& db, const std::string& sql);

/// Sets the checksum of every page of a checkpointed index file.
void reseal_page_checksums(const std::string& db);

}  // namespace tracegrep::test
