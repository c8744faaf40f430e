#!/usr/bin/env python3
"""Query latency, Tessera vs PostgreSQL 15, on the same generated data.

Generates (or reuses) a workload of datagen/gen.py in ILP and TSV, loads the
ILP into a private `tessera serve` and the TSV into a private PostgreSQL on
loopback, runs the PEERS.md query mix (Q1-Q8 with big/small variants) on both
(by default 30 recorded runs after 3 warm-ups, client wall time, sequential,
one connection each), checks that the answers agree (pg_compare.py rules:
floats within 1e-9 relative), and prints both latency tables and the ratio.

PostgreSQL set-up (the seed schemas' indexes): ad_snapshot is loaded raw with
a load-order `seq`, then deduplicated into a plain table (latest write per
(tenant, entity_id, time), as Tessera's dedup key returns) with btree indexes
on (tenant, time) and (entity_id, time); cx_conversation and tryon_job get a
btree on (tenant, time). All tables are ANALYZEd. fsync is off (the load is
not what is measured). Both clients are Python over TCP loopback: a minimal
PostgreSQL v3 wire client (simple query protocol, text results) and
tests/scripts/tessera_harness.py's query client, so the client overhead is
alike. See docs/performance.md.

Exit 0 when every answer agrees, 1 on a mismatch or error, 77 when no
PostgreSQL server binaries are installed.
"""

import argparse
import datetime
import json
import math
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "scripts"))
import pg_compare as pc  # noqa: E402
import tessera_harness as th  # noqa: E402

TABLES = ["ad_snapshot", "cx_conversation", "tryon_job"]
DEFAULT_GEN = os.path.join(HERE, "..", "..", "shared", "datagen", "gen.py")

# TSV column order of gen.py (datagen/README.md): time, tags, fields.
PG_DDL = {
    "ad_snapshot": ("ad_snapshot_raw", '"time" timestamptz, tenant text, entity_id text, provider text, '
                    "level text, goal text, spend float8, impressions bigint, clicks bigint, "
                    "conversions float8, revenue float8, leads float8, purchases bigint"),
    "cx_conversation": ("cx_conversation", '"time" timestamptz, tenant text, status text, sentiment text, '
                        "channel text, first_response_minutes float8, resolution_minutes float8, "
                        "messages bigint, escalated boolean, ai_drafted boolean, ai_approved boolean, "
                        "tone_grade bigint, accuracy_grade bigint, policy_grade bigint"),
    "tryon_job": ("tryon_job", '"time" timestamptz, tenant text, model text, status text, '
                  "failure_reason text, lifecycle_seconds float8, credits_charged bigint"),
}
PG_AFTER_LOAD = [
    'CREATE TABLE ad_snapshot AS SELECT DISTINCT ON (tenant, entity_id, "time") * FROM ad_snapshot_raw '
    'ORDER BY tenant, entity_id, "time", seq DESC',
    "DROP TABLE ad_snapshot_raw",
    'CREATE INDEX ON ad_snapshot (tenant, "time")',
    'CREATE INDEX ON ad_snapshot (entity_id, "time")',
    'CREATE INDEX ON cx_conversation (tenant, "time")',
    'CREATE INDEX ON tryon_job (tenant, "time")',
    "VACUUM ANALYZE",
]


# ---------------------------------------------------------------------------
# The query mix (the same texts as server/loadgen/query_mix.cpp)
# ---------------------------------------------------------------------------

def q(text):
    return "'" + text.replace("'", "''") + "'"


def query_mix(p):
    def day(back):
        return q((p["now"] - datetime.timedelta(days=back)).strftime("%Y-%m-%d"))

    def rng(back):
        return "time >= %s AND time < %s" % (day(back), day(0))

    def pg_rng(back):
        return '"time" >= %s AND "time" < %s' % (day(back), day(0))

    bucket = "date_bin('%s', \"time\", '1970-01-01') AS time"
    tryon_t = ("count(*) AS total, count_if(status = 'completed') AS completed, count_if(status IN "
               "('failed', 'provider_expired')) AS failed, 1.0 * count_if(status = 'completed') / "
               "count_if(status IN ('completed', 'failed', 'provider_expired')) AS success_rate, "
               "avg(lifecycle_seconds) FILTER (WHERE status = 'completed') AS avg_lc, "
               "percentile(lifecycle_seconds, 0.95) FILTER (WHERE status = 'completed') AS p95_lc")
    tryon_p = ("count(*) AS total, count(*) FILTER (WHERE status = 'completed') AS completed, "
               "count(*) FILTER (WHERE status IN ('failed', 'provider_expired')) AS failed, "
               "1.0::float8 * count(*) FILTER (WHERE status = 'completed') / NULLIF(count(*) FILTER "
               "(WHERE status IN ('completed', 'failed', 'provider_expired')), 0) AS success_rate, "
               "avg(lifecycle_seconds) FILTER (WHERE status = 'completed') AS avg_lc, "
               "percentile_cont(0.95) WITHIN GROUP (ORDER BY lifecycle_seconds) FILTER "
               "(WHERE status = 'completed') AS p95_lc")
    mix = []

    def add(name, tessera, pg):
        mix.append((name, tessera, pg))

    for suffix, tenant in (("", p["big_tenant"]), ("s", p["small_tenant"])):
        add("Q1" + suffix,
            "SELECT sum(revenue) / sum(spend) AS roas FROM ad_snapshot WHERE tenant = %s AND %s "
            "GROUP BY time(1d)" % (q(tenant), rng(30)),
            "SELECT %s, sum(revenue) / NULLIF(sum(spend), 0) AS roas FROM ad_snapshot WHERE tenant = %s "
            "AND %s GROUP BY 1 ORDER BY 1" % (bucket % "1 day", q(tenant), pg_rng(30)))
    for suffix, tenant in (("", p["big_tenant"]), ("s", p["small_tenant"])):
        add("Q2" + suffix,
            "SELECT provider, 100.0 * sum(clicks) / sum(impressions) AS ctr_pct, sum(spend) / sum(clicks) "
            "AS cpc, 1000.0 * sum(spend) / sum(impressions) AS cpm, sum(revenue) / sum(spend) AS roas "
            "FROM ad_snapshot WHERE tenant = %s AND %s GROUP BY provider ORDER BY provider"
            % (q(tenant), rng(7)),
            "SELECT provider, 100.0::float8 * sum(clicks)::float8 / NULLIF(sum(impressions), 0)::float8 "
            "AS ctr_pct, sum(spend) / NULLIF(sum(clicks), 0)::float8 AS cpc, 1000.0::float8 * sum(spend) "
            "/ NULLIF(sum(impressions), 0)::float8 AS cpm, sum(revenue) / NULLIF(sum(spend), 0) AS roas "
            "FROM ad_snapshot WHERE tenant = %s AND %s GROUP BY provider ORDER BY provider"
            % (q(tenant), pg_rng(7)))
    for suffix, shop in (("", p["big_shop"]), ("s", p["small_shop"])):
        add("Q3" + suffix,
            "SELECT median(first_response_minutes) AS p50, percentile(first_response_minutes, 0.95) AS p95 "
            "FROM cx_conversation WHERE tenant = %s AND %s GROUP BY time(1d)" % (q(shop), rng(30)),
            "SELECT %s, percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response_minutes) AS p50, "
            "percentile_cont(0.95) WITHIN GROUP (ORDER BY first_response_minutes) AS p95 FROM "
            "cx_conversation WHERE tenant = %s AND %s GROUP BY 1 ORDER BY 1"
            % (bucket % "1 day", q(shop), pg_rng(30)))
    sla_p = ("100.0::float8 * count(*) FILTER (WHERE first_response_minutes <= 120) / "
             "NULLIF(count(first_response_minutes), 0) AS sla_pct")
    for suffix, shop in (("", p["big_shop"]), ("s", p["small_shop"])):
        add("Q4a" + suffix,
            "SELECT sla_pct(first_response_minutes, 120) AS sla_pct FROM cx_conversation WHERE tenant = %s "
            "AND %s GROUP BY time(1d)" % (q(shop), rng(30)),
            "SELECT %s, %s FROM cx_conversation WHERE tenant = %s AND %s GROUP BY 1 ORDER BY 1"
            % (bucket % "1 day", sla_p, q(shop), pg_rng(30)))
    add("Q4b",
        "SELECT tenant, sla_pct(first_response_minutes, 120) AS sla_pct FROM cx_conversation "
        "GROUP BY tenant ORDER BY tenant",
        "SELECT tenant, %s FROM cx_conversation GROUP BY tenant ORDER BY tenant" % sla_p)
    for suffix, tenant in (("", p["big_tryon_tenant"]), ("s", p["small_tryon_tenant"])):
        add("Q5a" + suffix,
            "SELECT %s FROM tryon_job WHERE tenant = %s" % (tryon_t, q(tenant)),
            "SELECT %s FROM tryon_job WHERE tenant = %s" % (tryon_p, q(tenant)))
    add("Q5b", "SELECT tenant, %s FROM tryon_job GROUP BY tenant ORDER BY tenant" % tryon_t,
        "SELECT tenant, %s FROM tryon_job GROUP BY tenant ORDER BY tenant" % tryon_p)
    add("Q6", "SELECT sum(spend) AS spend, sum(revenue) AS revenue FROM ad_snapshot GROUP BY time(1d)",
        "SELECT %s, sum(spend) AS spend, sum(revenue) AS revenue FROM ad_snapshot GROUP BY 1 ORDER BY 1"
        % (bucket % "1 day"))
    add("Q7",
        "SELECT entity_id, sum(revenue) / sum(spend) AS roas FROM ad_snapshot WHERE %s GROUP BY entity_id "
        "HAVING sum(spend) >= 100 ORDER BY roas DESC, entity_id LIMIT 10" % rng(7),
        "SELECT entity_id, sum(revenue) / NULLIF(sum(spend), 0) AS roas FROM ad_snapshot WHERE %s "
        "GROUP BY entity_id HAVING sum(spend) >= 100 ORDER BY roas DESC, entity_id LIMIT 10" % pg_rng(7))
    for suffix, entity in (("", p["big_entity"]), ("s", p["small_entity"])):
        add("Q8" + suffix,
            "SELECT sum(spend) AS spend FROM ad_snapshot WHERE entity_id = %s AND %s GROUP BY time(15m)"
            % (q(entity), rng(2)),
            "SELECT %s, sum(spend) AS spend FROM ad_snapshot WHERE entity_id = %s AND %s GROUP BY 1 "
            "ORDER BY 1" % (bucket % "15 minutes", q(entity), pg_rng(2)))
    return mix


def params_from_manifest(path):
    with open(path) as f:
        m = json.load(f)
    return {
        "now": datetime.datetime.strptime(m["end_time_exclusive"][:10], "%Y-%m-%d"),
        "big_tenant": m["biggest_tenant"], "small_tenant": m["smallest_tenant"],
        "big_shop": m["biggest_shop"], "small_shop": m["smallest_shop"],
        "big_tryon_tenant": m["biggest_tryon_tenant"], "small_tryon_tenant": m["smallest_tryon_tenant"],
        "big_entity": "ent_000000", "small_entity": "ent_%06d" % (int(m["entities"]) - 1),
    }


# ---------------------------------------------------------------------------
# PostgreSQL: a private cluster on TCP loopback and a minimal wire client
# ---------------------------------------------------------------------------

class LoopbackPgCluster(pc.PgCluster):
    """pg_compare's private cluster, listening on 127.0.0.1 as well as its socket."""

    def start(self):
        os.makedirs(self.dir)
        if self.as_postgres:
            os.chown(self.dir, self.uid, self.gid)
        self._run([os.path.join(self.bin_dir, "initdb"), "-D", self.data, "-U", "postgres",
                   "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])
        opts = ("-p %d -k %s -c listen_addresses='127.0.0.1' -c fsync=off -c full_page_writes=off "
                "-c synchronous_commit=off -c TimeZone=UTC -c extra_float_digits=1 "
                "-c shared_buffers=512MB -c work_mem=64MB" % (self.port, self.sock_dir))
        self.running = True
        self._run([os.path.join(self.bin_dir, "pg_ctl"), "-D", self.data, "-o", opts, "-l",
                   os.path.join(self.dir, "server.log"), "-w", "-t", "60", "start"])


class PgWire:
    """PostgreSQL protocol 3.0, trust authentication, simple queries, text results."""

    def __init__(self, port, db):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=th.QUERY_TIMEOUT_S)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = self.sock.makefile("rb")
        params = b""
        for k, v in (("user", "postgres"), ("database", db), ("TimeZone", "UTC"),
                     ("extra_float_digits", "1"), ("DateStyle", "ISO")):
            params += k.encode() + b"\0" + v.encode() + b"\0"
        body = struct.pack("!I", 196608) + params + b"\0"
        self.sock.sendall(struct.pack("!I", len(body) + 4) + body)
        while True:
            kind, payload = self._read()
            if kind == b"R" and struct.unpack("!I", payload[:4])[0] != 0:
                raise th.HarnessError("postgresql asks for a password (trust expected)")
            if kind == b"E":
                raise th.HarnessError("postgresql: " + self._error_text(payload))
            if kind == b"Z":
                return

    def _read(self):
        head = self.rfile.read(5)
        if len(head) < 5:
            raise th.HarnessError("postgresql closed the connection")
        kind, length = head[:1], struct.unpack("!I", head[1:])[0]
        if length < 4 or length > th.MAX_REPLY_LINE_BYTES:
            raise th.HarnessError("postgresql message length %d" % length)
        payload = self.rfile.read(length - 4)
        if len(payload) != length - 4:
            raise th.HarnessError("postgresql message cut short")
        return kind, payload

    @staticmethod
    def _error_text(payload):
        fields = {}
        for part in payload.split(b"\0"):
            if part:
                fields[part[:1]] = part[1:].decode(errors="replace")
        return "%s %s" % (fields.get(b"C", ""), fields.get(b"M", ""))

    def query(self, sql):
        data = sql.encode() + b"\0"
        self.sock.sendall(b"Q" + struct.pack("!I", len(data) + 4) + data)
        names, rows, error = [], [], None
        while True:
            kind, payload = self._read()
            if kind == b"T":
                count = struct.unpack("!H", payload[:2])[0]
                pos, names = 2, []
                for _ in range(count):
                    end = payload.index(b"\0", pos)
                    names.append(payload[pos:end].decode())
                    pos = end + 1 + 18
            elif kind == b"D":
                count = struct.unpack("!H", payload[:2])[0]
                pos, row = 2, []
                for _ in range(count):
                    n = struct.unpack("!i", payload[pos:pos + 4])[0]
                    pos += 4
                    if n < 0:
                        row.append(None)
                    else:
                        row.append(payload[pos:pos + n].decode())
                        pos += n
                rows.append(row)
            elif kind == b"E":
                error = self._error_text(payload)
            elif kind == b"Z":
                if error:
                    raise th.HarnessError("postgresql: " + error)
                return names, rows

    def close(self):
        self.sock.close()


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------

def nearest_rank(sorted_ms, pct):
    """The smallest value with at least pct% of the values at or below it."""
    rank = max(1, math.ceil(pct / 100.0 * len(sorted_ms)))
    return sorted_ms[rank - 1]


def measure(run, warmups, runs):
    """(answer of the last run, sorted wall times in ms)."""
    answer = None
    for _ in range(warmups):
        answer = run()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        answer = run()
        times.append((time.perf_counter() - t0) * 1000.0)
    return answer, sorted(times)


def fmt(ms):
    return "%.2f" % ms if ms < 100 else "%.0f" % ms


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tessera", required=True, help="the tessera binary (a Release build)")
    ap.add_argument("--data", help="a gen.py output directory with .lp and .tsv files of "
                    "ad_snapshot, cx_conversation, tryon_job (default: generate --scale into a temp dir)")
    ap.add_argument("--scale", default="small", help="gen.py scale when generating (default small)")
    ap.add_argument("--seed", default="42")
    ap.add_argument("--gen-py", default=DEFAULT_GEN)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmups", type=int, default=3)
    ap.add_argument("--only", help="comma list of query names (Q1,Q8s)")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    bin_dir = pc.find_pg_bin()
    if bin_dir is None:
        th.skip("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    root = tempfile.mkdtemp(prefix="tessera_pglat_")
    os.chmod(root, 0o755)
    pg = LoopbackPgCluster(bin_dir, root)
    server = th.TesseraServer(os.path.abspath(args.tessera), os.path.join(root, "tessera_data"),
                              os.path.join(root, "serve.log"))
    th.clean_up_at_exit([server], pg, root, args.keep)

    data = args.data
    if data is None:
        data = os.path.join(root, "data")
        t0 = time.monotonic()
        subprocess.run([sys.executable, args.gen_py, "--scale", args.scale, "--seed", args.seed,
                        "--format", "ilp,tsv", "--tables", ",".join(TABLES), "--out", data],
                       check=True, stdout=subprocess.DEVNULL)
        print("generated gen.py --scale %s --seed %s in %.1f s" % (args.scale, args.seed,
                                                                    time.monotonic() - t0), flush=True)
    params = params_from_manifest(os.path.join(data, "manifest.json"))
    mix = query_mix(params)
    if args.only:
        wanted = set(args.only.split(","))
        mix = [m for m in mix if m[0] in wanted]

    # PostgreSQL
    t0 = time.monotonic()
    pg.start()
    pg.psql("postgres", command="CREATE DATABASE bench")
    for table in TABLES:
        name, cols = PG_DDL[table]
        seq = "seq bigserial, " if table == "ad_snapshot" else ""
        pg.psql("bench", command='CREATE TABLE %s (%s%s)' % (name, seq, cols))
        col_names = ", ".join(c.strip().split(" ")[0] for c in cols.split(","))
        with open(os.path.join(data, table + ".tsv"), "rb") as f:
            pg.psql("bench", stdin_bytes=f.read(), command="COPY %s (%s) FROM STDIN" % (name, col_names))
    for stmt in PG_AFTER_LOAD:
        pg.psql("bench", command=stmt)
    print("loaded into PostgreSQL (dedup, indexes, analyze) in %.1f s" % (time.monotonic() - t0), flush=True)

    # Tessera
    t0 = time.monotonic()
    server.start()
    conn = server.connect()
    conn.query(pc.DEDUP_DDL)
    files = [os.path.join(data, t + ".lp") for t in TABLES]
    r = subprocess.run([args.tessera, "load", "--port", str(server.ingest_port)] + files,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise th.HarnessError("tessera load failed: " + r.stdout.decode(errors="replace")[-500:])
    print("loaded into Tessera in %.1f s: %s" % (time.monotonic() - t0, r.stdout.decode().strip()),
          flush=True)

    wire = PgWire(pg.port, "bench")
    results, failures = [], 0
    for name, tq, pq in mix:
        try:
            p_ans, p_ms = measure(lambda: wire.query(pq), args.warmups, args.runs)
            t_ans, t_ms = measure(lambda: conn.query(tq), args.warmups, args.runs)
        except (th.HarnessError, th.QueryError) as e:
            failures += 1
            print("%-5s ERROR %s" % (name, e), flush=True)
            continue
        diff = pc.compare(t_ans[0], t_ans[1], p_ans[0], p_ans[1], False)
        if diff:
            failures += 1
        row = {"name": name, "rows": len(t_ans[1]), "agree": diff is None,
               "pg_p50_ms": nearest_rank(p_ms, 50), "pg_p95_ms": nearest_rank(p_ms, 95),
               "tessera_p50_ms": nearest_rank(t_ms, 50), "tessera_p95_ms": nearest_rank(t_ms, 95)}
        row["ratio_p95"] = row["pg_p95_ms"] / row["tessera_p95_ms"] if row["tessera_p95_ms"] > 0 else None
        results.append(row)
        print("%-5s rows=%-4d pg p95 %s ms, tessera p95 %s ms %s" % (
            name, row["rows"], fmt(row["pg_p95_ms"]), fmt(row["tessera_p95_ms"]),
            "agree" if diff is None else "MISMATCH " + diff), flush=True)
    wire.close()
    conn.close()

    print("\nclient wall time over loopback, ms (%d runs after %d warm-ups, nearest-rank percentiles)"
          % (args.runs, args.warmups))
    header = ("query", "rows", "pg_p50", "pg_p95", "tessera_p50", "tessera_p95", "pg/tessera p95", "answers")
    lines = [header]
    for r in results:
        lines.append((r["name"], str(r["rows"]), fmt(r["pg_p50_ms"]), fmt(r["pg_p95_ms"]),
                      fmt(r["tessera_p50_ms"]), fmt(r["tessera_p95_ms"]),
                      "%.1fx" % r["ratio_p95"] if r["ratio_p95"] else "-",
                      "agree" if r["agree"] else "MISMATCH"))
    widths = [max(len(l[i]) for l in lines) for i in range(len(header))]
    for l in lines:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(l, widths))))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"runs": args.runs, "warmups": args.warmups, "data": data,
                       "params": {k: str(v) for k, v in params.items()}, "queries": results}, f, indent=1)
    print("%d failures" % failures if failures else "all answers agree")
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except th.HarnessError as e:
        print("FAILED: %s" % e, flush=True)
        sys.exit(1)
