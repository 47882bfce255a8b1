// index/: postings, the way from an id to the chunks that hold it. A
// batch writes one posting per id: the chunks holding it, ascending, each
// once, as delta varints (store.hpp's format).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "index/chunk.hpp"

namespace tracegrep::index {

/// An id found in a chunk.
struct Post {
  std::uint64_t hash;  // hash_id of the key: sorts by integer, the text decides only on a tie
  std::int64_t chunk;
  std::string_view key;
  Kind kind;
};

/// One id's posting of a batch.
struct PostingRun {
  Kind kind;
  std::string_view key;
  std::string chunks;  ///< delta varints, ascending
};

/// Adds the ids of `c` not posted yet (an open chunk is posted as it grows).
void collect_posts(Chunk& c, std::vector<Post>& posts);

/// One run per id (kind and text) of `posts` (any order, repeats allowed),
/// in the order the store wants them; sorts `posts`. Two ids with one hash
/// stay apart.
std::vector<PostingRun> encode_postings(std::vector<Post>& posts);

}  // namespace tracegrep::index
