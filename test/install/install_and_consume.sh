#!/usr/bin/env bash
# Installs the built project into a temporary staging root (with the build's libdir, Debian's
# multiarch lib/x86_64-linux-gnu by default), compiles consumer.cpp against it through pkg-config as
# an outside application would, with the rpath the README shows, and runs it. frechet.pc is
# relocatable: its paths must point into the staging root without PKG_CONFIG_SYSROOT_DIR.
set -euo pipefail
build_dir=$1
consumer=$2
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

meson install -C "$build_dir" --no-rebuild --quiet --destdir "$root" >"$root/install.log" 2>&1 ||
  { cat "$root/install.log"; exit 1; }
pc=$(find "$root" -name frechet.pc | head -n 1)
[ -n "$pc" ] || { echo "frechet.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
flags=$(pkg-config --cflags --libs frechet)
libdir=$(pkg-config --variable=libdir frechet)
echo "pkg-config frechet: $flags (libdir $libdir)"
[ -f "$libdir/libfrechet.so" ] || { echo "frechet.pc's libdir $libdir does not hold libfrechet.so"; exit 1; }
# shellcheck disable=SC2086  # the flags are a word list
${CXX:-c++} -std=c++20 -Wall -Wextra -Werror "$consumer" $flags -Wl,-rpath,"$libdir" -o "$root/consumer"
"$root/consumer"
