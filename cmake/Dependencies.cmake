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
if(TRACEGREP_BUILD_TESTS)
  find_package(Catch2 CONFIG REQUIRED)
endif()
