#!/bin/sh
# setup.sh [PACKAGE...] — install what the build needs (Debian packages),
# then configure and compile build/. Run by run.sh and test.sh; extra
# packages to install may be given as arguments, and MMCALC_TARGET names
# the one ninja target to build (default: all of them).
set -eu
# meson is Python: unbuffered, its lines appear as it goes even when the
# output is a pipe, and are not lost if the caller stops it early.
PYTHONUNBUFFERED=1
export PYTHONUNBUFFERED

top=$(cd "$(dirname "$0")/.." && pwd)
need="meson ninja-build pkg-config libreadline-dev libjansson-dev $*"

# Whether what package $1 provides is here already: the command, or the
# library as pkg-config (or the compiler's include path) sees it, so that
# a meson from pip or pkgconf in place of pkg-config counts, and nothing
# is installed (or fetched, on a machine that cannot) without need.
have() {
	case "$1" in
	meson) command -v meson >/dev/null 2>&1 ;;
	ninja-build) command -v ninja >/dev/null 2>&1 ;;
	pkg-config) command -v pkg-config >/dev/null 2>&1 ;;
	libreadline-dev)
		pkg-config --exists readline 2>/dev/null ||
			[ -f /usr/include/readline/readline.h ] ;;
	libjansson-dev) pkg-config --exists jansson 2>/dev/null ;;
	check) pkg-config --exists check 2>/dev/null ;;
	libopenblas-dev) pkg-config --exists openblas 2>/dev/null ;;
	mandoc) command -v mandoc >/dev/null 2>&1 ;;
	groff-base) command -v groff >/dev/null 2>&1 ;;
	*) dpkg -s "$1" >/dev/null 2>&1 ;;
	esac
}

missing=""
for p in $need; do
	have "$p" || missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		sudo=""
	elif command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "mmcalc needs:$missing" >&2
		echo "install them as root with:" >&2
		echo "  apt-get update && apt-get install -y$missing" >&2
		exit 1
	fi
	echo "installing:$missing" >&2
	# Only what is named (recommends would pull in a toolchain's worth),
	# and the package lists fetched only when the install cannot do
	# without them: a fresh machine's set-up stays short.
	# -q, not -qq: apt's lines say what it is doing while it fetches.
	install="$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends"
	# shellcheck disable=SC2086 # $install and $missing are word lists
	if ! $install $missing >&2 2>/dev/null; then
		echo "fetching the package lists (apt-get update)" >&2
		$sudo apt-get update -q >&2
		# shellcheck disable=SC2086
		$install $missing >&2
	fi
fi

cd "$top"
if [ ! -f build/build.ninja ]; then
	echo "configuring build/ (meson setup build)" >&2
	meson setup build >&2
elif [ -n "$missing" ]; then
	# what was just installed (check, OpenBLAS, mandoc) may turn on
	# targets that the earlier configuration left out
	echo "configuring build/ again (meson setup --reconfigure build)" >&2
	meson setup --reconfigure build >&2
fi
echo "compiling (ninja -C build ${MMCALC_TARGET:-})" >&2
# shellcheck disable=SC2086 # no target: all of them
ninja -C build ${MMCALC_TARGET:-} >&2
