# Cross-compiling fidcpp for AArch64 Linux on a Debian/Ubuntu x86-64 host (tools/ci_arm64.sh): the
# g++-aarch64-linux-gnu compiler and the arm64 multiarch -dev packages (headers in /usr/include, libraries in
# /usr/lib/aarch64-linux-gnu). Test binaries run under qemu-aarch64 (also for gtest_discover_tests at build
# time), with the loader and libc of the cross toolchain from /usr/aarch64-linux-gnu. LD_LIBRARY_PATH keeps
# the guest's libc next to that loader: the host's /etc/ld.so.cache (which qemu lets the guest read) lists the
# multiarch libc6:arm64 in /lib/aarch64-linux-gnu, another glibc build, and a loader with a libc of another
# build hangs in pthread_create (their private structures differ).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# find_library / find_package search <prefix>/lib/aarch64-linux-gnu, never the host's x86_64 directory.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# pkg-config (libwebp, libtiff) reads the arm64 multiarch .pc files only, never the host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib)
