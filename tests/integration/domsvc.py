#!/usr/bin/env python3
"""Requests to a domain's own services, through the host's connect op.

usage: domsvc.py SOCKET DOMAIN JSON [TIMEOUT_S]   prints the domain's reply line
       domsvc.py --latency N SOCKET DOMAIN JSON  sends JSON N times, one at a time, and prints
                                                 the median and the largest reply time in us
"""
import json
import socket
import sys

import time

args = sys.argv[1:]
count = 0
if args and args[0] == "--latency":
    count, args = int(args[1]), args[2:]
sock, dom, req = args[0], args[1], args[2]
timeout = float(args[3]) if len(args) > 3 else 30.0
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
s.sendall(json.dumps({"op": "connect", "domain": dom}).encode() + b"\n")
msg, fds, _, _ = socket.recv_fds(s, 65536, 1)
if not fds:
    print(msg.decode().strip())
    sys.exit(1)
d = socket.socket(fileno=fds[0])
d.settimeout(timeout)
f = d.makefile("rb")
if not count:
    d.sendall(req.encode() + b"\n")
    print(f.readline().decode().strip())
    sys.exit(0)
times = []
for _ in range(count):
    t0 = time.monotonic()
    d.sendall(req.encode() + b"\n")
    f.readline()
    times.append((time.monotonic() - t0) * 1e6)
times.sort()
print(int(times[len(times) // 2]), int(times[-1]))
