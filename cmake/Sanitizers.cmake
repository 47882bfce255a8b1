# TRACEGREP_SANITIZE=ON builds every target with ASan and UBSan; CI runs the suite so.
add_library(tracegrep_sanitizers INTERFACE)
if(TRACEGREP_SANITIZE)
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_compile_options(tracegrep_sanitizers INTERFACE ${_san})
  target_link_options(tracegrep_sanitizers INTERFACE ${_san})
  # Applied globally too, so that test helpers and benches are instrumented alike.
  add_compile_options(${_san})
  add_link_options(${_san})
endif()
