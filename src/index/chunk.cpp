#include "index/chunk.hpp"

namespace tracegrep::index {

void Chunk::rehash(std::size_t size) {
  slots.assign(size, 0);
  for (std::size_t n = 0; n < keys.size(); ++n) {
    for (std::size_t i = keys[n].hash & (size - 1);; i = (i + 1) & (size - 1)) {
      if (slots[i] == 0) {
        slots[i] = static_cast<std::uint32_t>(n + 1);
        break;
      }
    }
  }
}

}  // namespace tracegrep::index
