#!/usr/bin/env python3
"""Where a small query's client wall time goes: the machine's loopback round trip
against the server's own time.

    python3 bench/query_round_trip.py echo [COUNT]
        one TCP ping-pong of 100 bytes over loopback, COUNT times (a Python echo
        thread answers): the floor any client-server round trip pays here.
    python3 bench/query_round_trip.py PORT STATEMENT [COUNT]
        STATEMENT sent to a running `tessera serve` query port COUNT times on one
        connection (default 2,000), each reply read whole.

Prints p50 and p95 of the client wall time and, for statements, of the server's
reported elapsed_us (docs/protocol/query.md), in microseconds. Both sides of the
comparison are Python, so the client's own overhead is alike in both.
"""
import socket
import sys
import threading
import time


def percentiles(samples):
    samples = sorted(samples)
    return samples[len(samples) // 2], samples[int(len(samples) * 0.95)]


def echo_round_trips(count):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def echo():
        peer, _ = listener.accept()
        peer.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            data = peer.recv(4096)
            if not data:
                return
            peer.sendall(data)

    threading.Thread(target=echo, daemon=True).start()
    client = socket.create_connection(listener.getsockname())
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    walls = []
    for _ in range(count):
        start = time.perf_counter()
        client.sendall(b"x" * 100)
        received = 0
        while received < 100:
            received += len(client.recv(4096))
        walls.append((time.perf_counter() - start) * 1e6)
    p50, p95 = percentiles(walls)
    print("loopback echo: client p50 %.1f p95 %.1f us" % (p50, p95))


def statement_round_trips(port, statement, count):
    client = socket.create_connection(("127.0.0.1", port))
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    reader = client.makefile("rb")
    walls, servers, rows = [], [], 0
    for _ in range(count):
        start = time.perf_counter()
        client.sendall(statement.encode() + b"\n")
        status = reader.readline().split()
        if not status or status[0] != b"OK":
            sys.exit("error reply: " + b" ".join(status).decode(errors="replace"))
        rows = int(status[2])
        reader.readline()  # the header
        for _ in range(rows):
            reader.readline()
        walls.append((time.perf_counter() - start) * 1e6)
        servers.append(int(status[3]))
    p50, p95 = percentiles(walls)
    s50, s95 = percentiles(servers)
    print("%d rows: client p50 %.1f p95 %.1f us; server p50 %d p95 %d us" %
          (rows, p50, p95, s50, s95))


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "echo":
        echo_round_trips(int(sys.argv[2]) if len(sys.argv) > 2 else 3000)
    elif len(sys.argv) >= 3:
        statement_round_trips(int(sys.argv[1]), sys.argv[2],
                              int(sys.argv[3]) if len(sys.argv) > 3 else 2000)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
