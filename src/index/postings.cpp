#include "index/postings.hpp"

#include <algorithm>

namespace tracegrep::index {

void collect_posts(Chunk& c, std::vector<Post>& posts) {
  for (std::size_t i = c.posted; i < c.keys.size(); ++i) {
    posts.push_back({c.keys[i].hash, c.row.id, c.key(c.keys[i]), c.keys[i].kind});
  }
  c.posted = c.keys.size();
}

std::vector<PostingRun> encode_postings(std::vector<Post>& posts) {
  // By hash, then chunk: integer compares. Two ids with one hash (or kind)
  // would share a run; such a run is sorted again by the ids' text.
  std::sort(posts.begin(), posts.end(), [](const Post& a, const Post& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.chunk < b.chunk;
  });
  for (std::size_t i = 0; i < posts.size();) {
    std::size_t j = i + 1;
    bool mixed = false;
    for (; j < posts.size() && posts[j].hash == posts[i].hash; ++j) {
      mixed = mixed || posts[j].kind != posts[i].kind || !same_text(posts[j].key, posts[i].key);
    }
    if (mixed) {
      std::sort(posts.begin() + static_cast<std::ptrdiff_t>(i),
                posts.begin() + static_cast<std::ptrdiff_t>(j), [](const Post& a, const Post& b) {
                  if (a.kind != b.kind) return a.kind < b.kind;
                  const int c = a.key.compare(b.key);
                  return c != 0 ? c < 0 : a.chunk < b.chunk;
                });
    }
    i = j;
  }
  std::vector<PostingRun> runs;
  for (std::size_t i = 0; i < posts.size();) {
    std::size_t j = i;
    PostingRun run{posts[i].kind, posts[i].key, {}};
    std::int64_t prev = 0;
    for (; j < posts.size() && posts[j].kind == posts[i].kind && same_text(posts[j].key, posts[i].key); ++j) {
      if (posts[j].chunk == prev) continue;
      put_varint(run.chunks, static_cast<std::uint64_t>(posts[j].chunk - prev));
      prev = posts[j].chunk;
    }
    runs.push_back(std::move(run));
    i = j;
  }
  return runs;
}

}  // namespace tracegrep::index
