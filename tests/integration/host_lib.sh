# Helpers for integration scripts that drive a `vfnet host` ($vfnet, $VFNET_SOCKET, $t set):
# JSON requests to the machine and to a domain's services, and waiting.

# A raw JSON request to the host; prints the reply line.
req() { python3 - "$VFNET_SOCKET" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b'\n'); print(s.makefile('rb').readline().decode().strip())
PY
}
# A request to domain DOM's own services (through the host's connect op); prints the reply.
dreq() { python3 - "$VFNET_SOCKET" "$1" "$2" <<'PY'
import socket, sys, json
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(json.dumps({"op": "connect", "domain": sys.argv[2]}).encode() + b'\n')
msg, fds, _, _ = socket.recv_fds(s, 65536, 1)
d = socket.socket(fileno=fds[0]); d.sendall(sys.argv[3].encode() + b'\n')
print(d.makefile('rb').readline().decode().strip())
PY
}
# jget PYEXPR: evaluate PYEXPR with d = the parsed JSON on stdin.
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# app DOM APP KEY [N]: a counter of the N-th (0-based) app of that kind in DOM.
app() { dreq "$1" '{"op":"stats"}' | jget "[a for a in d['apps'] if a['app']=='$2'][${4:-0}]['$3']"; }
xsread() { req "{\"op\":\"xenstore-read\",\"path\":\"$1\"}" | jget "d.get('value', '')"; }
dmesg() { req "{\"op\":\"dmesg\",\"domain\":\"$1\"}" | jget "d['log']"; }
dmesg_has() { dmesg "$1" | grep -q -- "$2"; }
# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq $n); do "$@" && return 0; sleep 0.1; done; return 1; }
ge() { [ "$(eval "$2")" -ge "$1" ] 2>/dev/null; }
eq() { [ "$(eval "$2")" = "$1" ] 2>/dev/null; }
# wait_xs SECONDS VALUE PATH...: wait (in one process) until every PATH in xenstore reads VALUE.
wait_xs() { python3 - "$VFNET_SOCKET" "$@" <<'PY'
import json, socket, sys, time
sock, secs, want, paths = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4:]
def read(p):
    s = socket.socket(socket.AF_UNIX); s.connect(sock)
    s.sendall(json.dumps({"op": "xenstore-read", "path": p}).encode() + b'\n')
    return json.loads(s.makefile('rb').readline()).get('value')
end = time.time() + secs
while time.time() < end:
    if all(read(p) == want for p in paths):
        sys.exit(0)
    time.sleep(0.05)
sys.exit(1)
PY
}
