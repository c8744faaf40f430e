#!/usr/bin/env python3
"""Differential test: Tessera must answer exactly what PostgreSQL computes over
the same rows.

Generates workloads with `tessera gen`, loads each into a private PostgreSQL
cluster (parsed here from the .lp files) and into a private `tessera serve`,
then runs every query pair of queries.txt on both and compares the answers:
row count, column names (Tessera's, which the PostgreSQL half names with AS),
and every cell: NULL = NULL, integers exactly, floats within 1e-9 relative,
times as instants, booleans and strings exactly.

Exit codes: 0 all equal; 1 any mismatch or error; 77 skipped (no PostgreSQL
server binaries, or a tessera binary that cannot generate or serve yet).
See tests/scripts/README.md.
"""

import argparse
import datetime
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tessera_harness as th  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TABLES = ["ad_snapshot", "cx_conversation", "cx_metrics_daily", "growth_metrics_daily",
          "tryon_job", "cod_order"]
DEDUP_DDL = ("CREATE TABLE ad_snapshot (tenant TAG, entity_id TAG, provider TAG, level TAG, goal TAG) "
             "WITH (dedup = (tenant, entity_id, time))")
REL_TOL = 1e-9
# Below this magnitude two floats are equal whatever their ratio: sums of the
# same values in another order may leave different rounding residue around 0.
ABS_TOL = 1e-12
PSQL_TIMEOUT_S = 300


# ---------------------------------------------------------------------------
# Private PostgreSQL cluster
# ---------------------------------------------------------------------------

def find_pg_bin():
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not candidates:
        return None

    def version(path):
        v = path.split("/")[4]
        return [int(x) if x.isdigit() else 0 for x in v.split(".")]
    return os.path.dirname(max(candidates, key=version))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self, bin_dir, root):
        self.bin_dir = bin_dir
        self.dir = os.path.join(root, "pg")
        self.data = os.path.join(self.dir, "data")
        self.sock_dir = self.dir
        self.port = free_port()
        self.running = False
        self.as_postgres = []
        if os.geteuid() == 0:
            try:
                import pwd
                pw = pwd.getpwnam("postgres")
            except KeyError:
                th.skip("running as root and there is no postgres user to run initdb as")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
            self.uid, self.gid = pw.pw_uid, pw.pw_gid

    def _run(self, cmd, **kw):
        r = subprocess.run(self.as_postgres + cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=PSQL_TIMEOUT_S, **kw)
        if r.returncode != 0:
            raise th.HarnessError("%s failed (%d): %s" % (" ".join(cmd), r.returncode,
                                                          r.stdout.decode(errors="replace")))
        return r.stdout.decode(errors="replace")

    def start(self):
        os.makedirs(self.dir)
        if self.as_postgres:
            os.chown(self.dir, self.uid, self.gid)
        self._run([os.path.join(self.bin_dir, "initdb"), "-D", self.data, "-U", "postgres",
                   "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])
        opts = ("-p %d -k %s -c listen_addresses='' -c fsync=off -c full_page_writes=off "
                "-c synchronous_commit=off -c TimeZone=UTC -c extra_float_digits=1" % (self.port, self.sock_dir))
        self.running = True
        self._run([os.path.join(self.bin_dir, "pg_ctl"), "-D", self.data, "-o", opts, "-l",
                   os.path.join(self.dir, "server.log"), "-w", "-t", "60", "start"])

    def stop(self):
        if not self.running:
            return
        self.running = False
        subprocess.run(self.as_postgres + [os.path.join(self.bin_dir, "pg_ctl"), "-D", self.data,
                                           "-m", "immediate", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)

    def psql(self, db, sql=None, stdin_bytes=None, command=None):
        """Runs one command (or a script on stdin); returns stdout bytes, raises on error."""
        cmd = [shutil.which("psql") or os.path.join(self.bin_dir, "psql"), "-X", "-q",
               "-v", "ON_ERROR_STOP=1", "-h", self.sock_dir, "-p", str(self.port), "-U", "postgres", "-d", db]
        if command is not None:
            cmd += ["-c", command]
        env = dict(os.environ, PGTZ="UTC", PGOPTIONS="-c extra_float_digits=1 -c TimeZone=UTC")
        r = subprocess.run(cmd, input=stdin_bytes if stdin_bytes is not None else (sql or "").encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=PSQL_TIMEOUT_S)
        if r.returncode != 0:
            raise th.HarnessError("psql: " + r.stderr.decode(errors="replace").strip())
        return r.stdout

    def copy_out(self, db, query):
        """(column names, rows) of `query` through COPY TO STDOUT in text format."""
        out = self.psql(db, command="COPY (%s) TO STDOUT WITH (FORMAT text, HEADER true)" % query)
        lines = out.decode("utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if not lines:
            raise th.HarnessError("COPY printed no header")
        names = lines[0].split("\t")
        rows = [[pg_unescape(c) for c in l.split("\t")] for l in lines[1:]]
        for r in rows:
            if len(r) != len(names):
                raise th.HarnessError("COPY row width %d != %d" % (len(r), len(names)))
        return names, rows


def pg_unescape(cell):
    if cell == "\\N":
        return None
    if "\\" not in cell:
        return cell
    esc = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
    out, i = [], 0
    while i < len(cell):
        c = cell[i]
        if c == "\\" and i + 1 < len(cell):
            n = cell[i + 1]
            if n in esc:
                out.append(esc[n])
                i += 2
                continue
            raise th.HarnessError("unexpected COPY escape in %r" % cell)
        out.append(c)
        i += 1
    return "".join(out)


# ---------------------------------------------------------------------------
# Loading .lp files into PostgreSQL
# ---------------------------------------------------------------------------

PG_TYPES = {"int": "bigint", "float": "double precision", "bool": "boolean", "string": "text"}


def copy_text(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def pg_time_text(ns, where):
    if ns % 1000:
        raise th.HarnessError("%s: timestamp %d has sub-microsecond digits, which PostgreSQL "
                              "timestamptz cannot hold" % (where, ns))
    secs, us = divmod(ns // 1000, 1_000_000)
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=secs)
    return "%s.%06d+00" % (t.strftime("%Y-%m-%d %H:%M:%S"), us)


def load_table(pg, db, table, path):
    """Parses one .lp file and loads it into PostgreSQL; returns the row count."""
    rows = []
    tag_names, field_types = [], {}
    for number, (meas, tags, fields, ns) in th.read_lp_file(path):
        where = "%s:%d" % (path, number)
        if meas != table:
            raise th.HarnessError("%s: measurement %r in the file of %s" % (where, meas, table))
        for t in tags:
            if t not in tag_names:
                tag_names.append(t)
        for f, (typ, _) in fields.items():
            if f in tags or f in tag_names:
                raise th.HarnessError("%s: %r is both a tag and a field" % (where, f))
            old = field_types.get(f)
            if old is None:
                field_types[f] = typ
            elif old != typ:
                if old == "float" and typ == "int":
                    pass  # an integer written into a float column stays a float
                else:
                    raise th.HarnessError("%s: field %r is %s here but %s before" % (where, f, typ, old))
        rows.append((pg_time_text(ns, where), tags, fields))
    tag_names.sort()
    field_names = list(field_types)
    raw = table + "_raw" if table == "ad_snapshot" else table
    cols = ['seq bigint', '"time" timestamptz'] + ['"%s" text' % t for t in tag_names] + \
        ['"%s" %s' % (f, PG_TYPES[field_types[f]]) for f in field_names]
    ddl = 'CREATE TABLE "%s" (%s);' % (raw, ", ".join(cols))
    if table == "ad_snapshot":
        # Latest write wins per (tenant, entity_id, time), as Tessera's dedup key.
        ddl += (' CREATE VIEW ad_snapshot AS SELECT DISTINCT ON (tenant, entity_id, "time") * '
                'FROM ad_snapshot_raw ORDER BY tenant, entity_id, "time", seq DESC;')
    pg.psql(db, command=ddl)
    buf = []
    for seq, (t, tags, fields) in enumerate(rows):
        cells = [str(seq), t] + [copy_text(tags.get(n)) for n in tag_names]
        for f in field_names:
            v = fields.get(f)
            if v is None:
                cells.append("\\N")
            else:
                val = float(v[1]) if field_types[f] == "float" else v[1]
                cells.append(copy_text(val))
        buf.append("\t".join(cells))
    data = ("\n".join(buf) + "\n").encode("utf-8") if buf else b""
    pg.psql(db, stdin_bytes=data, command='COPY "%s" FROM STDIN' % raw)
    pg.psql(db, command='ANALYZE "%s"' % raw)
    return len(rows)


# ---------------------------------------------------------------------------
# Workloads
# ---------------------------------------------------------------------------

def run_gen(tessera, gen_py, out, extra):
    os.makedirs(out, exist_ok=True)
    if gen_py:
        cmd = [sys.executable, gen_py, "--workers", "1", "--out", out] + extra
    else:
        cmd = [tessera, "gen", "--out", out] + extra
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    ok = r.returncode == 0 and all(os.path.exists(os.path.join(out, t + ".lp")) for t in TABLES) \
        and os.path.exists(os.path.join(out, "manifest.json"))
    return ok, r.returncode, r.stdout.decode(errors="replace").strip()


def generate_workloads(args, root):
    """Returns [(label, dir)]: tiny with seed 42, and a bigger one crossing DST
    changes and week boundaries when `gen` takes overrides (else tiny, seed 7)."""
    w1 = os.path.join(root, "w1")
    ok, rc, out = run_gen(args.tessera, args.gen_py, w1, ["--scale", "tiny", "--seed", "42"])
    if not ok:
        if rc >= 0 and not args.gen_py:
            th.skip("`tessera gen` cannot generate the workload yet (exit %d): %s" % (rc, out[-300:]))
        raise th.HarnessError("gen failed (exit %d): %s" % (rc, out))
    attempts = [
        ["--scale", "tiny", "--seed", "7", "--start", "2025-03-06", "--days", "28", "--tenants", "4",
         "--shops", "4"],
        ["--scale", "tiny", "--seed", "7", "--days", "8"],
        ["--scale", "tiny", "--seed", "7"],
    ]
    for i, extra in enumerate(attempts):
        w2 = os.path.join(root, "w2_%d" % i)
        ok, rc, out = run_gen(args.tessera, args.gen_py, w2, extra)
        if ok:
            print("workload w1: gen --scale tiny --seed 42; workload w2: gen " + " ".join(extra), flush=True)
            return [("w1", w1), ("w2", w2)]
    raise th.HarnessError("gen failed for every second workload: %s" % out)


def placeholders(manifest_path):
    with open(manifest_path) as f:
        m = json.load(f)
    first = m.get("first_time") or (m["start"] + "T00:00:00Z")
    start = datetime.datetime.strptime(first[:10], "%Y-%m-%d")
    if "end_time_exclusive" in m:
        end = datetime.datetime.strptime(m["end_time_exclusive"][:10], "%Y-%m-%d")
        days = (end - start).days
    else:
        days = int(m["days"])
    if days < 3:
        raise th.HarnessError("the queries need at least 3 days of data, manifest says %d" % days)
    p = {}
    for i in range(days + 1):
        p["d%d" % i] = (start + datetime.timedelta(days=i)).strftime("%Y-%m-%d")
    p["dlast"] = p["d%d" % (days - 1)]
    p["dend"] = p["d%d" % days]
    for key in ("biggest_tenant", "smallest_tenant", "biggest_shop", "smallest_shop",
                "biggest_tryon_tenant", "smallest_tryon_tenant", "biggest_cod_tenant"):
        if key in m:
            p[key] = m[key]
    return p


def substitute(text, values, where):
    def repl(mo):
        key = mo.group(1)
        if key not in values:
            raise th.HarnessError("%s: unknown placeholder {%s}" % (where, key))
        return values[key]
    return re.sub(r"\{([a-z_0-9]+)\}", repl, text)


# ---------------------------------------------------------------------------
# Query pairs
# ---------------------------------------------------------------------------

class Pair:
    def __init__(self, name, line):
        self.name = name
        self.line = line
        self.tessera = ""
        self.pg = ""
        self.any_order = False


def read_pairs(path):
    """The query file: blocks starting with `== name`, then `tessera:`, `pg:` and
    optional `order: any` lines; a line starting with whitespace continues the
    previous one (joined with one space); `#` starts a comment line."""
    pairs, cur, key = [], None, None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where = "%s:%d" % (path, number)
            if line.startswith("== "):
                cur = Pair(line[3:].strip(), number)
                if any(p.name == cur.name for p in pairs):
                    raise th.HarnessError("%s: duplicate query name %r" % (where, cur.name))
                pairs.append(cur)
                key = None
            elif cur is None:
                raise th.HarnessError("%s: text before the first `== name`" % where)
            elif line[0] in " \t":
                if key is None:
                    raise th.HarnessError("%s: continuation without a key" % where)
                setattr(cur, key, getattr(cur, key) + " " + line.strip())
            else:
                k, sep, v = line.partition(":")
                if not sep or k not in ("tessera", "pg", "order"):
                    raise th.HarnessError("%s: expected tessera:, pg: or order:" % where)
                if k == "order":
                    if v.strip() != "any":
                        raise th.HarnessError("%s: order: takes only `any`" % where)
                    cur.any_order = True
                    key = None
                else:
                    key = k
                    setattr(cur, k, v.strip())
    for p in pairs:
        if not p.tessera or not p.pg:
            raise th.HarnessError("%s:%d: query %r lacks a tessera: or pg: line" % (path, p.line, p.name))
    return pairs


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------

_RFC3339 = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$")
_PG_TS = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?\+00$")
_INT = re.compile(r"^-?\d+$")
_NUM = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^-?Infinity$|^NaN$")


def instant_ns(mo):
    y, mo_, d, h, mi, s = (int(mo.group(i)) for i in range(1, 7))
    frac = (mo.group(7) or "").ljust(9, "0")
    days = (datetime.date(y, mo_, d) - datetime.date(1970, 1, 1)).days
    return ((days * 86400 + h * 3600 + mi * 60 + s) * 1_000_000_000) + int(frac or "0")


def cell_equal(t, p):
    """t: Tessera's cell, p: PostgreSQL's (None = NULL)."""
    if t is None or p is None:
        return t is None and p is None
    mt, mp = _RFC3339.match(t), _PG_TS.match(p)
    if mt or mp:
        return bool(mt and mp) and instant_ns(mt) == instant_ns(mp)
    if t in ("true", "false") or p in ("t", "f"):
        return (t, p) in (("true", "t"), ("false", "f"))
    if _INT.match(t) and _INT.match(p):
        return int(t) == int(p)
    if _NUM.match(t) and _NUM.match(p):
        a, b = float(t), float(p)
        if a != a or b != b:
            return a != a and b != b
        if a == b:
            return True
        if abs(a) < ABS_TOL and abs(b) < ABS_TOL:
            return True
        return abs(a - b) <= REL_TOL * max(abs(a), abs(b))
    return t == p


def sort_key(row):
    key = []
    for c in row:
        if c is None:
            key.append((0, ""))
        elif _RFC3339.match(c):
            key.append((1, "%025d" % instant_ns(_RFC3339.match(c))))
        elif _PG_TS.match(c):
            key.append((1, "%025d" % instant_ns(_PG_TS.match(c))))
        elif c in ("t", "true"):
            key.append((2, "true"))
        elif c in ("f", "false"):
            key.append((2, "false"))
        elif _NUM.match(c):
            key.append((3, "%.9e" % float(c)))
        else:
            key.append((4, c))
    return key


def fmt_row(row):
    return "\t".join("\\N" if c is None else c for c in row)


def compare(t_names, t_rows, p_names, p_rows, any_order):
    """None when equal, else a description of the first difference."""
    if t_names != p_names:
        return "columns differ: tessera %s, postgresql %s" % (t_names, p_names)
    if any_order:
        t_rows, p_rows = sorted(t_rows, key=sort_key), sorted(p_rows, key=sort_key)
    for i in range(min(len(t_rows), len(p_rows))):
        if not all(cell_equal(a, b) for a, b in zip(t_rows[i], p_rows[i])):
            msg = "row %d differs:\n      tessera:    %s\n      postgresql: %s" % (
                i, fmt_row(t_rows[i]), fmt_row(p_rows[i]))
            if not any_order and len(t_rows) == len(p_rows):
                ts, ps = sorted(t_rows, key=sort_key), sorted(p_rows, key=sort_key)
                if all(all(cell_equal(a, b) for a, b in zip(x, y)) for x, y in zip(ts, ps)):
                    msg += "\n      (the same rows in another order)"
            return msg
    if len(t_rows) != len(p_rows):
        i = min(len(t_rows), len(p_rows))
        extra = ("tessera", t_rows[i]) if len(t_rows) > i else ("postgresql", p_rows[i])
        return "row count: tessera %d, postgresql %d; first extra row (%s): %s" % (
            len(t_rows), len(p_rows), extra[0], fmt_row(extra[1]))
    return None


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tessera", required=True, help="the tessera binary")
    ap.add_argument("--queries", default=os.path.join(HERE, "queries.txt"))
    ap.add_argument("--pg-only", action="store_true",
                    help="run only the PostgreSQL half of every pair (checks the pairs themselves)")
    ap.add_argument("--gen-py", help="generate with this gen.py instead of `tessera gen` (development aid)")
    ap.add_argument("--only", help="run only the pairs whose name contains this text")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    bin_dir = find_pg_bin()
    if bin_dir is None:
        th.skip("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    if not args.pg_only and not os.access(args.tessera, os.X_OK):
        raise th.HarnessError("tessera binary %s is not executable" % args.tessera)
    pairs = read_pairs(args.queries)
    if args.only:
        pairs = [p for p in pairs if args.only in p.name]

    root = tempfile.mkdtemp(prefix="tessera_pgcmp_")
    os.chmod(root, 0o755)
    pg = PgCluster(bin_dir, root)
    servers = []
    th.clean_up_at_exit(servers, pg, root, args.keep)

    workloads = generate_workloads(args, root)
    pg.start()
    failures = 0
    total = 0
    for label, wdir in workloads:
        values = placeholders(os.path.join(wdir, "manifest.json"))
        pg.psql("postgres", command="CREATE DATABASE %s" % label)
        counts = {t: load_table(pg, label, t, os.path.join(wdir, t + ".lp")) for t in TABLES}
        print("[%s] loaded into PostgreSQL: %s" % (label, ", ".join("%s=%d" % kv for kv in counts.items())),
              flush=True)
        conn = None
        if not args.pg_only:
            server = th.TesseraServer(args.tessera, os.path.join(root, label + "_data"),
                                      os.path.join(root, label + "_serve.log"))
            servers.append(server)
            server.start()
            conn = server.connect()
            try:
                conn.query(DEDUP_DDL)
            except th.QueryError as e:
                if th.is_not_built_yet(e.message):
                    th.skip("tessera's query layer cannot run statements yet: %s" % e)
                raise th.HarnessError("%s: %s" % (DEDUP_DDL, e))
            except th.HarnessError as e:
                raise th.HarnessError("%s: %s" % (DEDUP_DDL, e))
            accepted = server.ingest([os.path.join(wdir, t + ".lp") for t in TABLES])
            print("[%s] loaded into Tessera: %d lines" % (label, accepted), flush=True)
        for pair in pairs:
            where = "%s:%d" % (args.queries, pair.line)
            tq = substitute(pair.tessera, values, where)
            pq = substitute(pair.pg, values, where)
            total += 1
            try:
                p_names, p_rows = pg.copy_out(label, pq)
            except th.HarnessError as e:
                failures += 1
                print("[%s] %-40s ERROR (postgresql) %s\n    pg: %s" % (label, pair.name, e, pq), flush=True)
                continue
            if conn is None:
                print("[%s] %-40s rows=%-5d PG-ONLY" % (label, pair.name, len(p_rows)), flush=True)
                continue
            try:
                t_names, t_rows = conn.query(tq)
            except th.QueryError as e:
                if th.is_not_built_yet(e.message):
                    th.skip("tessera's query layer cannot run SELECT yet: %s" % e)
                failures += 1
                print("[%s] %-40s ERROR (tessera) %s\n    tessera: %s" % (label, pair.name, e, tq), flush=True)
                continue
            except th.HarnessError as e:
                # A dropped connection or a malformed answer: report it, then go on
                # with a new connection (which fails the run if the server is gone).
                failures += 1
                print("[%s] %-40s ERROR (tessera protocol) %s\n    tessera: %s" % (label, pair.name, e, tq),
                      flush=True)
                conn.close()
                conn = servers[-1].connect()
                continue
            diff = compare(t_names, t_rows, p_names, p_rows, pair.any_order)
            if diff is None:
                print("[%s] %-40s rows=%-5d OK" % (label, pair.name, len(t_rows)), flush=True)
            else:
                failures += 1
                print("[%s] %-40s MISMATCH %s\n    tessera: %s\n    pg: %s" % (label, pair.name, diff, tq, pq),
                      flush=True)
        if conn is not None:
            conn.close()
            rc = servers[-1].stop()
            if rc != 0:
                failures += 1
                print("[%s] tessera serve exited with %s after SIGTERM (expected 0)" % (label, rc), flush=True)
    print("%d of %d query runs failed" % (failures, total) if failures else "all %d query runs equal" % total,
          flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except th.HarnessError as e:
        print("FAILED: %s" % e, flush=True)
        sys.exit(1)
