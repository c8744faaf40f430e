#!/bin/bash
# Alternates tessera binaries over the query port, PEERS.md's method: for each
# round and binary, a fresh server on a fresh copy of a loaded data directory, 30
# unrecorded runs of the kinds, then 100 recorded ones (`tessera bench --query`).
#
# usage: bench/ab/over_query_port.sh ROUNDS KINDS BINARY...
#   DATA       a loaded data directory (copied per server; never written)
#   MANIFEST   the data's manifest.json
#   PORT       the query port to use (default 19032; PORT - 1 is the ingest port)
#   NOW        what now() means (default 2025-02-15, the medium data's end)
# KINDS: comma-separated kinds of the peers mix, e.g. Q3,Q5a,Q5b.
set -euo pipefail
if [ $# -lt 3 ] || [ -z "${DATA:-}" ] || [ -z "${MANIFEST:-}" ]; then
  sed -n '2,11p' "$0" >&2
  exit 2
fi
rounds=$1 kinds=$2
shift 2
port=${PORT:-19032}
now=${NOW:-2025-02-15}
copy=$(mktemp -d)
server=""
stop_server() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
trap 'stop_server; rm -rf "$copy"' EXIT
for round in $(seq 1 "$rounds"); do
  for binary in "$@"; do
    rm -rf "$copy" && mkdir -p "$copy" && cp -r "$DATA/." "$copy/"
    "$binary" serve --data "$copy" --ingest-port $((port - 1)) --query-port "$port" \
      > "$copy.log" 2>&1 &
    server=$!
    for _ in $(seq 1 100); do  # until it prints its start-up line
      grep -q '^listening' "$copy.log" 2>/dev/null && break
      sleep 0.1
    done
    run() {
      "$binary" bench --query "127.0.0.1:$port" --manifest "$MANIFEST" --mix peers \
        --only "$kinds" --runs "$1" --warmups 3 --now "$now"
    }
    run 30 > /dev/null
    echo "== round $round $binary"
    run 100 | grep -E '^(Q|kind)'
    stop_server
  done
done
rm -f "$copy.log"
