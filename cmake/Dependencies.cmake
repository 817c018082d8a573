# Every third-party library comes from a Debian package (scripts/setup installs them).
# Nothing is downloaded at configure time.
find_package(nlohmann_json 3.11 REQUIRED)   # nlohmann-json3-dev
find_package(CLI11 REQUIRED)                # libcli11-dev
find_package(OpenSSL REQUIRED)              # libssl-dev (MD5 of training images)
find_package(tomlplusplus REQUIRED)         # libtomlplusplus-dev
find_package(SQLiteCpp REQUIRED)            # libsqlitecpp-dev (+ libsqlite3-dev): state store
find_package(CURL REQUIRED)                 # libcurl4-openssl-dev: RunPod client
find_package(simdjson 3.0 REQUIRED)         # libsimdjson-dev: actors.json read without a tree
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
# libcpp-httplib-dev: a compiled library with no CMake config; its pkg-config flags select the
# ABI (OpenSSL, zlib, brotli), so they are required.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(VIPS REQUIRED IMPORTED_TARGET vips)   # libvips-dev: no CMake config on Debian 12
pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)  # libxml2-dev: S3 listings
# libdlib-dev: the face detector of the data checks (its model is compiled into the library).
# Its pkg-config file adds -I/usr/include, which breaks libstdc++'s #include_next, so the
# libraries are found by name; dlib needs LAPACK and BLAS at link time.
find_library(DLIB_LIBRARY dlib REQUIRED)
find_library(LAPACK_LIBRARY lapack REQUIRED)
find_library(BLAS_LIBRARY blas REQUIRED)
if(ATR_BUILD_TESTS)
  find_package(GTest REQUIRED)              # libgtest-dev, libgmock-dev
endif()
if(ATR_BUILD_BENCH)
  find_package(benchmark REQUIRED)          # libbenchmark-dev
endif()
