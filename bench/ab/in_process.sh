#!/bin/bash
# Alternates dashboard_query_bench binaries (bench/query/dashboard_query_bench.cpp) in
# rounds on one machine, so that two builds are compared under the same noise, and
# prints per query kind the median and the minimum of each binary's round medians.
#
# usage: bench/ab/in_process.sh ROUNDS FILTER BINARY...
#   DATA       a loaded data directory; each binary reads a private copy of it
#   MANIFEST   the data's manifest.json (optional: PEERS.md's parameters)
#   SCAN_THREADS=N  give queries the server's scan pools (N threads each)
# Each round runs every binary with --benchmark_repetitions=3 over the kinds FILTER
# selects (a Google Benchmark regex, e.g. 'Q3$|Q5b'). MALLOC_CONF=dirty_decay_ms:-1
# keeps jemalloc's purging out of the comparison (docs/performance.md).
set -euo pipefail
if [ $# -lt 3 ] || [ -z "${DATA:-}" ]; then
  sed -n '2,13p' "$0" >&2
  exit 2
fi
rounds=$1 filter=$2
shift 2
copy=$(mktemp -d)
out=$(mktemp)
trap 'rm -rf "$copy" "$out"' EXIT
cp -r "$DATA/." "$copy/"
for _ in $(seq 1 "$rounds"); do
  for binary in "$@"; do
    env MALLOC_CONF=dirty_decay_ms:-1 TESSERA_BENCH_DATA="$copy" \
      ${MANIFEST:+TESSERA_BENCH_MANIFEST="$MANIFEST"} \
      ${SCAN_THREADS:+TESSERA_BENCH_SCAN_THREADS="$SCAN_THREADS"} \
      "$binary" --benchmark_min_time=0.2 --benchmark_repetitions=3 \
      --benchmark_report_aggregates_only=true --benchmark_filter="$filter" 2>/dev/null |
      awk -v b="$binary" '/_median/ {print b, $1, $2 / 1000}' >> "$out"
  done
done
python3 - "$out" <<'PY'
import collections, statistics, sys
rounds = collections.defaultdict(list)
binaries = []
for line in open(sys.argv[1]):
    binary, kind, us = line.split()
    rounds[(kind, binary)].append(float(us))
    if binary not in binaries:
        binaries.append(binary)
for kind in sorted({k for k, _ in rounds}):
    cells = [f"{b}: median {statistics.median(rounds[(kind, b)]):,.0f} us, "
             f"min {min(rounds[(kind, b)]):,.0f} us ({len(rounds[(kind, b)])} rounds)"
             for b in binaries if (kind, b) in rounds]
    print(kind.removesuffix("_median"), "|", " | ".join(cells))
PY
