#!/usr/bin/env bash
# Runs every Tessera check: the layering and formatting checks, then the whole test
# suite in a Release build and in an AddressSanitizer + UndefinedBehaviorSanitizer build.
# Usage: tests/run_all.sh            (from anywhere; builds into <repo>/build-release, build-asan)
# crash_loop_long (label `long`: the 30-cycle SIGKILL loop, a few seconds) runs too; alone:
#   (cd build-release && ctest -L long --output-on-failure)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
jobs="${TESSERA_JOBS:-$(nproc)}"

echo "== layering: lower layers never include upper ones"
bash tests/check_layering.sh

if command -v clang-format >/dev/null; then
  echo "== formatting (.clang-format)"
  git ls-files '*.h' '*.cpp' | xargs clang-format --dry-run --Werror
fi

run_suite() {
  local dir="$1"; shift
  echo "== build $dir ($*)"
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== test $dir"
  (cd "$dir" && ctest --output-on-failure -j "$jobs")
}

run_suite build-release -DCMAKE_BUILD_TYPE=Release -DTESSERA_BUILD_BENCH=ON
run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DTESSERA_SANITIZE=ON -DTESSERA_BUILD_BENCH=OFF
echo "== all checks passed"
