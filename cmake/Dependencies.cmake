# Every dependency is a Debian 12 package; nothing is downloaded at build time.
find_package(PkgConfig REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(ZLIB REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(Threads REQUIRED)
# Debian's re2 ships a pkg-config file but no CMake config.
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# zstd compresses the text the index keeps (libzstd-dev).
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
# simdjson reads JSON lines (libsimdjson-dev): validated, UTF-8 checked,
# 350+ MB/s per line on one core; a parser of our own would be neither.
find_package(simdjson CONFIG REQUIRED)
if(TRACEGREP_BUILD_TESTS)
  find_package(Catch2 CONFIG REQUIRED)
endif()
if(TRACEGREP_BUILD_TESTS OR TRACEGREP_BUILD_BENCH)
  # The emitter's spdlog adapter is tested, and measured, against Debian's spdlog.
  find_package(spdlog CONFIG REQUIRED)
endif()
if(TRACEGREP_BUILD_TESTS)
  # The example service (examples/) and its test.
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
endif()

# The libraries tracegrep_core links. With TRACEGREP_STATIC_DEPS (the
# default), the Debian packages' static archives are linked into the binary,
# and fmt is used header-only: a query takes about 5 ms, and mapping and
# relocating eleven shared libraries took 2.5 ms of it. Debian ships
# simdjson only as a shared library, which needs the shared libstdc++: those
# two are linked dynamically (libstdc++ is loaded by nearly every process
# anyway), the rest stays static.
add_library(tracegrep_deps INTERFACE)
if(TRACEGREP_STATIC_DEPS AND NOT TRACEGREP_SANITIZE AND NOT TRACEGREP_FUZZ)
  foreach(lib re2 sqlite3 z zstd)
    find_library(TRACEGREP_${lib}_A NAMES lib${lib}.a REQUIRED)
    target_link_libraries(tracegrep_deps INTERFACE ${TRACEGREP_${lib}_A})
  endforeach()
  target_link_libraries(tracegrep_deps INTERFACE fmt::fmt-header-only simdjson::simdjson Threads::Threads
                        ${CMAKE_DL_LIBS} m)
else()
  target_link_libraries(tracegrep_deps INTERFACE fmt::fmt PkgConfig::RE2 ZLIB::ZLIB SQLite::SQLite3
                        PkgConfig::ZSTD simdjson::simdjson Threads::Threads)
endif()
