#!/bin/sh
# run.sh [ARGS] — install what is missing, build, and run build/mmcalc ARGS.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
exec "$top/build/mmcalc" "$@"
