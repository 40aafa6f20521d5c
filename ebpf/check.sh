#!/bin/sh
# Rebuild the XDP object from xntop_xdp.c and compare it with the committed ebpf/xntop_xdp.o (what
# engine/capture embeds). `ebpf/check.sh --update` writes the rebuilt object instead. Also checks clang-format.
# Needs clang-16 and llvm-16 (llvm-strip-16); clang-format-16 for the format check.
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-16}
STRIP=${STRIP:-llvm-strip-16}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# -fdebug-prefix-map keeps the build directory out of the object; DWARF is stripped, BTF (needed by the loader for
# the map definitions) is kept, so the object is byte-for-byte reproducible with the same clang.
"$CLANG" -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -fdebug-prefix-map="$PWD"=. \
	-Wall -Werror -c xntop_xdp.c -o "$tmp/xntop_xdp.o"
"$STRIP" -g "$tmp/xntop_xdp.o"
if [ "${1:-}" = "--update" ]; then
	cp "$tmp/xntop_xdp.o" xntop_xdp.o
	echo "ebpf/xntop_xdp.o updated"
elif cmp -s "$tmp/xntop_xdp.o" xntop_xdp.o; then
	echo "ebpf/xntop_xdp.o matches the source"
else
	echo "ebpf/xntop_xdp.o differs from a rebuild of xntop_xdp.c (run ebpf/check.sh --update and commit)" >&2
	exit 1
fi
if command -v clang-format-16 >/dev/null 2>&1; then
	clang-format-16 --dry-run --Werror xntop_xdp.c xntop_xdp.h
	echo "clang-format: clean"
else
	echo "clang-format-16 not installed: format not checked" >&2
fi
