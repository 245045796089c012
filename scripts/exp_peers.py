"""One real haproxy as peer hap1 for the Python experiment scripts (scripts/exp-*.py).

The scripts play hap2 themselves on loopback (no root): hap1 listens on 127.0.0.1:PORT1, hap2 on
127.0.0.1:PORT2, both ports picked from the script's pid so that runs side by side do not meet.
This module writes hap1's config (stats socket, `peers mypeers` with both peers, one stick table
`st` stored as gpc0) into a fresh temporary directory, starts and stops the process, asks its
stats socket, and opens hap2's listening socket. Imported by name: the scripts run as
`python3 scripts/exp-….py`, so this directory is first on sys.path.
"""
import os, socket, subprocess, tempfile

PORT_SPREAD = 500
# A complete DEFINE message of a table hap1 does not have: hap1 consumes and ignores it.
IGNORED_DEFINE = bytes([10, 0x82, 5, 1, 2, 0x7a, 0x7a, 0])


def ports(base1):
    """(PORT1, PORT2): base1 and base1 + 1000, offset by the pid (0..PORT_SPREAD-1)."""
    offset = os.getpid() % PORT_SPREAD
    return base1 + offset, base1 + 1000 + offset


def listen(port, rcvbuf=None):
    """hap2's listening socket on 127.0.0.1:port (SO_REUSEADDR; SO_RCVBUF before bind if given)."""
    ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf is not None: ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    ls.bind(('127.0.0.1', port)); ls.listen(4)
    return ls


class Hap1:
    """hap1's config in a fresh temp dir (written at once), its process and its stats socket.

    binary: the command words (sys.argv[1].split()); table: the stick table's `type … size …`
    words; global_lines: extra lines of the global section, after the stats socket."""

    def __init__(self, binary, port1, port2, table, global_lines=()):
        assert port1 != port2, 'hap1 and hap2 need their own ports'
        self.binary = list(binary)
        self.dir = tempfile.mkdtemp()
        self.cli = f'{self.dir}/cli.sock'
        self.cfg = f'{self.dir}/h.cfg'
        self.proc = None
        extra = ''.join(f'    {line}\n' for line in global_lines)
        with open(self.cfg, 'w') as f:
            f.write(f"""global
    stats socket {self.cli} level admin
{extra}defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
peers mypeers
    peer hap1 127.0.0.1:{port1}
    peer hap2 127.0.0.1:{port2}
backend st
    stick-table {table} expire 10m store gpc0 peers mypeers
""")

    def start(self):
        """Starts haproxy as hap1 in the foreground (-db), its output discarded."""
        assert self.proc is None, 'hap1 started twice'
        self.proc = subprocess.Popen(self.binary + ['-f', self.cfg, '-L', 'hap1', '-db'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def cmd(self, line):
        """One stats socket command; its whole answer as text."""
        s = socket.socket(socket.AF_UNIX); s.connect(self.cli); s.sendall(line.encode() + b'\n')
        out = b''
        while True:
            b = s.recv(65536)
            if not b: break
            out += b
        s.close(); return out.decode(errors='replace')

    def stop(self):
        """SIGTERM, then waits for the process."""
        assert self.proc is not None, 'hap1 never started'
        self.proc.terminate(); self.proc.wait()
