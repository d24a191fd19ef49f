# The library as a user gets it (label `install`): `cmake --install` of this build into a scratch prefix;
# then, with nothing but the flags of `pkg-config --cflags --libs initlab`, compile examples/xor.c, run it
# and check that it learned XOR, and compile the usage snippet of the installed initlab.h.
# In sanitizer builds libinitlab.a carries the sanitizers, so the user's program links their runtimes too.
if(TARGET initlab)
  set(install_sanitize "")
  if(INITLAB_SANITIZE OR INITLAB_FUZZ)
    set(install_sanitize "-fsanitize=address,undefined")
  endif()
  add_test(NAME install_then_build_the_example_with_pkg_config
    COMMAND bash -c [=[
set -eu
cmake=$1 pkg_config=$2 build=$3 prefix=$4 libdir=$5 cc=$6 source=$7 version=$8 sanitize=$9
rm -rf "$prefix"
"$cmake" --install "$build" --prefix "$prefix" >/dev/null
for f in bin/initlab include/initlab/initlab.h include/initlab/net.h include/initlab/version.h \
    "$libdir/libinitlab.a" "$libdir/pkgconfig/initlab.pc"; do
  test -f "$prefix/$f" || { echo "cmake --install did not install $f" >&2; exit 1; }
done
"$prefix/bin/initlab" --version | grep -q "^initlab $version\$"

export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
test "$("$pkg_config" --modversion initlab)" = "$version"
flags=$("$pkg_config" --cflags --libs initlab)
echo "pkg-config --cflags --libs initlab: $flags"
"$pkg_config" --static --libs initlab >/dev/null
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror $sanitize "$source/examples/xor.c" $flags -o "$prefix/xor"
out=$("$prefix/xor")
echo "$out"
echo "$out" | grep -qx 'accuracy 100%: XOR learned'

sed -n '/^ \* Usage:/,/^ \*\//p' "$prefix/include/initlab/initlab.h" | sed -n 's/^ \*   //p' > "$prefix/usage.c"
grep -q il_train_epoch "$prefix/usage.c"
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror $("$pkg_config" --cflags initlab) -c "$prefix/usage.c" \
  -o "$prefix/usage.o"
echo "the usage snippet of initlab.h compiles"
]=] install-check ${CMAKE_COMMAND} ${PKG_CONFIG_EXECUTABLE} ${CMAKE_BINARY_DIR} ${CMAKE_BINARY_DIR}/install-check ${CMAKE_INSTALL_LIBDIR}
      ${CMAKE_C_COMPILER} ${CMAKE_SOURCE_DIR} ${PROJECT_VERSION} "${install_sanitize}")
  set_tests_properties(install_then_build_the_example_with_pkg_config PROPERTIES
    LABELS install TIMEOUT 300 ENVIRONMENT "OPENBLAS_NUM_THREADS=1")
endif()
