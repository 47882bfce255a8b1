# TRACEGREP_SANITIZE=ON builds every target with ASan and UBSan; CI runs the suite so.
# TRACEGREP_FUZZ=ON (clang only) instruments every target for libFuzzer's
# coverage, with ASan and UBSan, and builds the targets of fuzz/.
# TRACEGREP_TSAN=ON builds with ThreadSanitizer instead; CI runs the emitter's
# tests so (its threads, pools and coroutines are where races would be).
add_library(tracegrep_sanitizers INTERFACE)
if(TRACEGREP_SANITIZE AND TRACEGREP_TSAN)
  message(FATAL_ERROR "TRACEGREP_SANITIZE and TRACEGREP_TSAN cannot be combined (ASan and TSan exclude each other)")
endif()
if(TRACEGREP_FUZZ AND (TRACEGREP_SANITIZE OR TRACEGREP_TSAN))
  message(FATAL_ERROR "TRACEGREP_FUZZ brings its own sanitizers: leave TRACEGREP_SANITIZE and TRACEGREP_TSAN off")
endif()
if(TRACEGREP_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "TRACEGREP_FUZZ needs clang's libFuzzer: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  set(_san -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
elseif(TRACEGREP_SANITIZE)
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
elseif(TRACEGREP_TSAN)
  set(_san -fsanitize=thread -fno-omit-frame-pointer)
  # TSan does not model std::atomic_thread_fence (GCC warns): the emitter's
  # fences order a clock reading, which TSan does not see as memory anyway.
  add_compile_options(-Wno-tsan)
endif()
if(_san)
  target_compile_options(tracegrep_sanitizers INTERFACE ${_san})
  target_link_options(tracegrep_sanitizers INTERFACE ${_san})
  # Applied globally too, so that test helpers and benches are instrumented alike.
  add_compile_options(${_san})
  add_link_options(${_san})
endif()
