#!/usr/bin/env python3
"""What re-arms a peer session's 5 s read timeout on the real binaries (issue 14 item 5).

Usage: scripts/exp-read-timeout-rearm.py HAPROXY_BINARY ROLE FEED [HELLO]   (no root: loopback)
  ROLE   initiator: haproxy (hap1) connects to this script (hap2);
         acceptor:  this script connects to haproxy and sends the hello.
  FEED   what the script sends every 2 s after the handshake:
         partial   one byte of a message it never finishes (header announcing 100 bytes);
         ignored   a complete DEFINE of a table hap1 lacks (consumed, ignored);
         heartbeat a heartbeat message (0x00 0x04);
         none      nothing;
         drop      nothing, and from 0.5 s every packet of the session dropped (iptables, root);
         reject    same with OUTPUT REJECT --reject-with tcp-reset both ways (the reset is rejected too).
  HELLO  (acceptor only) sep: hello 300 ms after the connect; with: hello in the connect's
         first segment (sent at once).
LISTEN_FIRST=1 (initiator): listen before haproxy starts, so its first connect succeeds (without
it the first is refused and the session comes from a retry: the back-end connector then lacks
SC_FL_INDEP_STR and the initiator's writes move its read expiry).
Prints when haproxy closed the session (seconds after the TCP connection), the peer stream's
channel expiries from `show sess all` at 1.0, 4.5, 6.0 and 8.0 s, and `show peers` flags."""
import os, re, socket, subprocess, sys, threading, time
from exp_peers import IGNORED_DEFINE, Hap1, listen, ports

BIN = sys.argv[1].split()
ROLE, FEED = sys.argv[2], sys.argv[3]
HELLO = sys.argv[4] if len(sys.argv) > 4 else 'sep'
PORT1, PORT2 = ports(23000)
hap1 = Hap1(BIN, PORT1, PORT2, 'type string len 32 size 1k')
cmd = hap1.cmd

def peer_streams():
    """Read/write expiries of the peers stream: per channel (2.6: req=, res=) or per stream
    connector (3.x: scf= applet side, scb= connection side for an initiator; reversed for an acceptor)."""
    out, rows, cur, chan = cmd('show sess all'), [], None, None
    for l in out.splitlines():
        if l.startswith('0x'):
            cur = {}; rows.append(cur); chan = None
        elif cur is not None:
            if 'mode=peers' in l: cur['peer'] = True
            m = re.search(r'conn_retries=(\d+)', l)
            if m: cur['retries'] = m.group(1)
            m = re.match(r'^\s+(scf|scb)=\S+ flags=(0x[0-9a-f]+)', l)
            if m: cur[m.group(1) + 'fl'] = m.group(2)
            m = re.match(r'^\s+(req|res|scf|scb)=', l)
            if m: chan = m.group(1)
            m = re.search(r'rex=(\S+) wex=(\S+)', l)
            if m and chan and chan not in cur: cur[chan] = f'rex={m.group(1)},wex={m.group(2)}'
    return [' '.join(f'{k}:{r[k]}' for k in ('retries', 'scffl', 'scbfl', 'scf', 'scb', 'req', 'res') if k in r) for r in rows if r.get('peer')]

def peer_state():
    out, fields = cmd('show peers'), []
    for key in ('reconnect', 'heartbeat', 'tx_hbt', 'rx_hbt', 'no_hbt', 'new_conn', 'coll'):
        m = re.search(r'id=hap2\(remote.*?\b' + key + r'=(\S+)', out, re.S)
        if m: fields.append(f'{key}={m.group(1)}')
    m = re.search(r'flags=(0x[0-9a-f]+) appctx', out)
    fields.append(f'flags={m.group(1) if m else None}')
    return ' '.join(fields)

env = dict(os.environ)
ls = None
if ROLE == 'initiator' and os.environ.get('LISTEN_FIRST'):
    ls = listen(PORT2)
hap1.start()
time.sleep(0.3)
HELLO_BYTES = f'HAProxyS 2.1\nhap1\nhap2 {os.getpid()} 1\n'.encode()
if ROLE == 'initiator':
    if ls is None:
        ls = listen(PORT2)
    conn, _ = ls.accept(); t0 = time.monotonic()
    buf = b''
    while buf.count(b'\n') < 3: buf += conn.recv(4096)
    conn.sendall(b'200\n')
else:
    # hap1 also tries to connect to hap2's port: nobody listens there, it is refused.
    # Past the startup: sessions accepted in the first ~1 s die with it (issue 14 item 1).
    time.sleep(3)
    conn = socket.socket(); conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.connect(('127.0.0.1', PORT1)); t0 = time.monotonic()
    if HELLO == 'with': conn.sendall(HELLO_BYTES)
    else: time.sleep(0.3); conn.sendall(HELLO_BYTES)
    buf = b''
    while b'\n' not in buf: buf += conn.recv(4096)
    status = buf.split(b'\n')[0].decode()
    print(f'status {status}')
closed = {}
def reader():
    while True:
        try: b = conn.recv(65536)
        except OSError: b = b''
        if not b:
            closed['t'] = time.monotonic() - t0; return
        # answer a resync request at once with 'resync finished' (a complete message)
        if ROLE == 'initiator' and b'\x00\x00' in b and 'lesson' not in closed:
            closed['lesson'] = True; conn.sendall(b'\x00\x01')
threading.Thread(target=reader, daemon=True).start()
PARTIAL = [10, 0x82, 100] + [0] * 100
def feed():
    i = 0
    while 't' not in closed:
        time.sleep(2)
        try:
            if FEED == 'partial': conn.send(bytes([PARTIAL[i]])); i += 1
            elif FEED == 'ignored': conn.send(IGNORED_DEFINE)
            elif FEED == 'heartbeat': conn.send(b'\x00\x04')
        except OSError: return
threading.Thread(target=feed, daemon=True).start()
RULES = []
if FEED in ('drop', 'reject'):
    # Root only: after 0.5 s every packet of the session is dropped both ways (a silent cut), or
    # rejected on output with a TCP reset that is itself rejected (the lab 04 'REJECT' cut).
    time.sleep(0.5)
    port = PORT2 if ROLE == 'initiator' else PORT1
    for side in ('--dport', '--sport'):
        if FEED == 'drop': RULES.append(['iptables', '-I', 'INPUT', '-p', 'tcp', '-i', 'lo', side, str(port), '-j', 'DROP'])
        else: RULES.append(['iptables', '-I', 'OUTPUT', '-p', 'tcp', '-o', 'lo', side, str(port), '-j', 'REJECT', '--reject-with', 'tcp-reset'])
    for r in RULES: subprocess.run(r, check=True)
    print(f'[{time.monotonic() - t0:5.2f}s] dropping')
if os.environ.get("RAW"):  # debugging: the raw dumps once
    time.sleep(1); print(cmd('show sess all')); print(cmd('show peers'))
for at in (1.0, 3.0, 4.5, 6.0, 8.0, 11.0):
    time.sleep(max(0, at - (time.monotonic() - t0)))
    if 't' in closed: break
    print(f'[{time.monotonic() - t0:5.2f}s] {peer_state()} {peer_streams()}')
deadline = t0 + (14 if FEED in ('drop', 'reject') else 16)
while 't' not in closed and time.monotonic() < deadline: time.sleep(0.05)
print(f'after: {peer_state()}')
print(f'RESULT role={ROLE} feed={FEED} hello={HELLO if ROLE == "acceptor" else "-"} closed_at={closed.get("t", -1):.3f}s')
for r in RULES: subprocess.run(['iptables', '-D'] + r[2:], check=True)
hap1.stop()
