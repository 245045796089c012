#!/usr/bin/env python3
"""Reconnect timer expiring while a push is stuck (HAProxy cebeab3d2; docs/haproxy-versions.md P11).

Usage: scripts/exp-reconnect-refresh.py HAPROXY_BINARY stall|control   (no root: loopback only)

One real haproxy (hap1) connects to this script (hap2), which answers 200, ends the lesson hap1
asks for, then every 2 s sends a DEFINE of a table hap1 does not have (a complete message hap1
ignores: PEER_F_ALIVE set and the read timeout re-armed, the reconnect timer not refreshed, as a
heartbeat would). hap1's reconnect timer so expires every 5 s (~5 s, ~10 s after the connect).
'stall': stop reading at 9 s, write 3,000 entries of ~160-byte keys over the CLI (far more than
the small socket buffers hold), print `show peers` at 10.3 and 10.8 s, read again at 11 s.
2.6.12 shows reconnect=<PAST> and the section's task_calls climbing by ~10^5 in the half second
(the sync task spinning); 3.0.11 and 3.2.26 show reconnect=4s and task_calls unchanged."""
import socket, sys, threading, time
from exp_peers import IGNORED_DEFINE, Hap1, listen, ports

BIN = sys.argv[1].split()
MODE = sys.argv[2]  # 'stall' or 'control'
PORT1, PORT2 = ports(21000)
hap1 = Hap1(BIN, PORT1, PORT2, 'type string len 200 size 100k', global_lines=('tune.sndbuf.server 4096', 'tune.sndbuf.client 4096'))
cmd = hap1.cmd
ls = listen(PORT2, rcvbuf=4096)
hap1.start()
t0 = time.monotonic()
conn, _ = ls.accept()
ta = time.monotonic()
print(f'accepted at {ta - t0:.3f}s')
buf = b''
while b'\n' not in buf or buf.count(b'\n') < 3:
    buf += conn.recv(4096)
conn.sendall(b'200\n')
buf = b''
while b'\x00\x00' not in buf:
    buf += conn.recv(4096)
conn.sendall(b'\x00\x01')
reading = threading.Event(); reading.set()
closed = {}
def reader():
    while True:
        reading.wait()
        try:
            b = conn.recv(65536)
        except OSError:
            b = b''
        if not b:
            closed['t'] = time.monotonic() - ta
            return
def trickle():
    while 't' not in closed:
        time.sleep(2)
        try: conn.send(IGNORED_DEFINE)
        except OSError: return
threading.Thread(target=reader, daemon=True).start()
threading.Thread(target=trickle, daemon=True).start()
# hap1's reconnect: set at connect (~ta), expires ~ta+5 (flag cleared), ~ta+10 (second).
STALL_AT, RESUME_AT = 9.0, 11.0
if MODE == 'stall':
    time.sleep(max(0, STALL_AT - (time.monotonic() - ta)))
    reading.clear()
    for chunk in range(0, 3000, 25):
        cmd(';'.join(f'set table st key {"k%05d" % i + "x" * 150} data.gpc0 {i}' for i in range(chunk, chunk + 25)))
    print(f'[{time.monotonic() - ta:.2f}s] stalled, entries written')
    time.sleep(max(0, 10.3 - (time.monotonic() - ta)))
    print(f'[{time.monotonic() - ta:.2f}s] show peers:\n' + '\n'.join(l for l in cmd('show peers').splitlines() if 'task_calls' in l or 'reconnect' in l))
    time.sleep(0.5)
    print(f'[{time.monotonic() - ta:.2f}s] show peers:\n' + '\n'.join(l for l in cmd('show peers').splitlines() if 'task_calls' in l or 'reconnect' in l))
    time.sleep(max(0, RESUME_AT - (time.monotonic() - ta)))
    reading.set()
    print(f'[{time.monotonic() - ta:.2f}s] reading again')
deadline = time.monotonic() + (4 if MODE == 'stall' else 12)
while 't' not in closed and time.monotonic() < deadline: time.sleep(0.05)
print(f'session closed by hap1 at {closed.get("t", -1):.3f}s after accept')
print('\n'.join(l for l in cmd('show peers').splitlines() if 'task_calls' in l or 'reconnect' in l))
hap1.stop()
