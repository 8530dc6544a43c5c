#!/usr/bin/env bash
# The README's run command: install, build, then run the router on its
# embedded default, the namespace lab. Arguments go to `xdp-router lab`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
# the command itself, so that node runs with its shebang's flags
exec ./bin/xdp-router.js lab "$@"
