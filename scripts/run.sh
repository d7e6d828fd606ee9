#!/bin/sh
# run.sh [ARGS] — install what is missing, build, and run build/mmcalc ARGS.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
MMCALC_TARGET=mmcalc "$top/scripts/setup.sh" # the program, not the tests
exec "$top/build/mmcalc" "$@"
