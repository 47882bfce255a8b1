# Warnings as a small INTERFACE target that every project target links.
add_library(tracegrep_warnings INTERFACE)
target_compile_options(tracegrep_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wconversion -Wno-sign-conversion
  -Wimplicit-fallthrough)
