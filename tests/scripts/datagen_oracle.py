#!/usr/bin/env python3
"""Oracle test against the shared reference generator's own rollup.

../shared/datagen/gen.py writes raw support conversations (cx_conversation)
and, computed from exactly those rows, one cx_metrics_daily row per shop and
UTC day (median and p95 of first_response_minutes with percentile_cont
semantics, SLA compliance, conversation count; floats rounded to 4 decimals).
This test loads cx_conversation.lp into a private `tessera serve` and checks
that, for every (shop, UTC day),

  SELECT median(first_response_minutes), percentile(first_response_minutes, 0.95),
         sla_pct(first_response_minutes, 120), count(*)
    FROM cx_conversation GROUP BY time(1d), tenant

matches the rollup after rounding Tessera's values to 4 decimals. A rollup row
with zero conversations must have no group (empty buckets are omitted); a
missing rollup value must be NULL. A difference of one in the 4th decimal is
tolerated only when Tessera's value lies on a rounding half-way point (within
1e-6 of ...5 in the 5th decimal), where one ulp decides the direction; every
such case is listed.

Exit codes: 0 all equal; 1 any mismatch or error; 77 skipped (no gen.py, or a
tessera binary that cannot serve yet). See tests/scripts/README.md.
"""

import argparse
import datetime
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tessera_harness as th  # noqa: E402

QUERY = ("SELECT median(first_response_minutes), percentile(first_response_minutes, 0.95), "
         "sla_pct(first_response_minutes, 120), count(*) FROM cx_conversation GROUP BY time(1d), tenant")
EXPECTED_COLUMNS = ["time", "tenant", "median(first_response_minutes)",
                    "percentile(first_response_minutes, 0.95)", "sla_pct(first_response_minutes, 120)",
                    "count(*)"]
# (Tessera column, rollup field)
CHECKS = [("median(first_response_minutes)", "median_first_response_minutes"),
          ("percentile(first_response_minutes, 0.95)", "p95_first_response_minutes"),
          ("sla_pct(first_response_minutes, 120)", "sla_compliance_pct")]
HALF_WAY_WINDOW = 1e-6  # in units of the 4th decimal


def rfc3339_ns(text):
    try:
        t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise th.HarnessError("time %r is not a whole-second RFC 3339 UTC instant" % text)
    return int((t - datetime.datetime(1970, 1, 1)).total_seconds()) * 1_000_000_000


def day_text(ns):
    return (datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=ns // 1_000_000_000)).strftime("%Y-%m-%d")


def check_rounded(value_text, expected):
    """Returns (ok, half_way_tolerated)."""
    v = float(value_text)
    if round(v, 4) == expected:
        return True, False
    scaled = abs(v) * 1e4
    on_half_way = abs(scaled - math.floor(scaled) - 0.5) <= HALF_WAY_WINDOW
    one_off = abs(abs(round(v, 4) - expected) - 1e-4) <= 1e-9 * max(1.0, abs(expected))
    if on_half_way and one_off:
        return True, True
    return False, False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tessera", required=True, help="the tessera binary")
    ap.add_argument("--gen-py", required=True, help="path of ../shared/datagen/gen.py")
    ap.add_argument("--scale", default="small")
    ap.add_argument("--days", default="3")
    ap.add_argument("--seed", default="42")
    ap.add_argument("--cx-rows", default="20000", help="approximate number of conversations")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    if not os.path.isfile(args.gen_py):
        th.skip("reference generator %s is absent" % args.gen_py)
    if not os.access(args.tessera, os.X_OK):
        raise th.HarnessError("tessera binary %s is not executable" % args.tessera)

    root = tempfile.mkdtemp(prefix="tessera_oracle_")
    server = th.TesseraServer(args.tessera, os.path.join(root, "data"), os.path.join(root, "serve.log"))
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda s, f: sys.exit(128 + s))
    try:
        out = os.path.join(root, "gen")
        cmd = [sys.executable, args.gen_py, "--scale", args.scale, "--days", args.days, "--seed", args.seed,
               "--cx-rows", args.cx_rows, "--tables", "cx_conversation,cx_metrics_daily", "--workers", "1", "--out", out]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        if r.returncode != 0:
            raise th.HarnessError("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stdout.decode()))

        rollup = {}
        for number, (meas, tags, fields, ns) in th.read_lp_file(os.path.join(out, "cx_metrics_daily.lp")):
            key = (ns, tags["tenant"])
            if key in rollup:
                raise th.HarnessError("cx_metrics_daily.lp:%d: second row for %s" % (number, key))
            rollup[key] = {k: v for k, (_, v) in fields.items()}

        server.start()
        conn = server.connect()
        lines = server.ingest([os.path.join(out, "cx_conversation.lp")])
        try:
            names, rows = conn.query(QUERY)
        except th.QueryError as e:
            if th.is_not_built_yet(e.message):
                th.skip("tessera's query layer cannot run SELECT yet: %s" % e)
            raise th.HarnessError("%s: %s" % (QUERY, e))
        conn.close()
        rc = server.stop()

        failures = []
        if rc != 0:
            failures.append("tessera serve exited with %s after SIGTERM (expected 0)" % rc)
        if names != EXPECTED_COLUMNS:
            raise th.HarnessError("columns %s, expected %s" % (names, EXPECTED_COLUMNS))
        col = {n: i for i, n in enumerate(names)}
        got = {}
        for row in rows:
            key = (rfc3339_ns(row[0]), row[1])
            if key in got:
                failures.append("group %s %s appears twice" % (day_text(key[0]), key[1]))
            got[key] = row

        compared = 0
        half_way = []
        for key in sorted(rollup):
            exp = rollup[key]
            where = "%s %s" % (day_text(key[0]), key[1])
            total = exp["conversations_total"]
            row = got.pop(key, None)
            if total == 0:
                if row is not None:
                    failures.append("%s: no conversations in the rollup, but Tessera has a group: %s" % (where, row))
                continue
            if row is None:
                failures.append("%s: rollup has %d conversations, Tessera has no group" % (where, total))
                continue
            compared += 1
            if row[col["count(*)"]] != str(total):
                failures.append("%s: count(*) %s, rollup conversations_total %d" % (where, row[col["count(*)"]], total))
            for tcol, field in CHECKS:
                cell, want = row[col[tcol]], exp.get(field)
                if want is None or cell is None:
                    if not (want is None and cell is None):
                        failures.append("%s: %s = %s, rollup %s = %s" % (where, tcol, cell, field, want))
                    continue
                ok, tolerated = check_rounded(cell, want)
                if not ok:
                    failures.append("%s: %s = %s (rounded %r), rollup %s = %r" % (
                        where, tcol, cell, round(float(cell), 4), field, want))
                elif tolerated:
                    half_way.append("%s: %s = %s, rollup %s = %r" % (where, tcol, cell, field, want))
        for key, row in sorted(got.items()):
            failures.append("%s %s: Tessera group without a rollup row: %s" % (day_text(key[0]), key[1], row))

        print("loaded %d conversations; compared %d (shop, day) groups of %d rollup rows, 4 values each"
              % (lines, compared, len(rollup)))
        if half_way:
            print("%d value(s) differ by one in the 4th decimal on a rounding half-way point (tolerated):"
                  % len(half_way))
            for h in half_way:
                print("  " + h)
        if failures:
            print("%d MISMATCH(ES):" % len(failures))
            for f in failures[:50]:
                print("  " + f)
            if len(failures) > 50:
                print("  ... and %d more" % (len(failures) - 50))
            return 1
        print("OK: every (shop, day) matches cx_metrics_daily")
        return 0
    finally:
        try:
            server.stop()
        except th.HarnessError:
            pass
        if args.keep:
            print("kept " + root)
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except th.HarnessError as e:
        print("FAILED: %s" % e, flush=True)
        sys.exit(1)
