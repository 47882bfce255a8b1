// util/: below every stage. Which vector instructions the searches use.
#pragma once

#include <cstdlib>

namespace tracegrep {

/// AVX2 when the CPU has it, unless TRACEGREP_NO_AVX2 is set (to compare the
/// SSE2 paths, which CPUs without AVX2 take, on one that has it).
inline bool use_avx2() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  const char* off = std::getenv("TRACEGREP_NO_AVX2");
  return __builtin_cpu_supports("avx2") && !(off && *off);
#else
  return false;
#endif
}

}  // namespace tracegrep
