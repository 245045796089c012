#!/usr/bin/env python3
# Issue 13, S11: per ftrace file of scripts/exp-swap-passes.sh, the first peer session after the heal,
# read from the syscalls. A = acceptor, B = initiator. Prints A's gap from its 200 to its push and
# the polls (epoll_wait) between; how B read the 200 (alone: 4 bytes, or with A's DEFINE+UPDATE:
# 0x29), the polls and reads B made between that read and its first message, and that message (own
# push 0x25 = DEFINE+UPDATE without an ACK, 0x2d = ACK + DEFINE + UPDATE). Times in us from A's 200
# (ftrace's own cost included). Then a tally.
#   python3 scripts/exp-swap-passes.py FILE...          one line per session, and the tally
#   python3 scripts/exp-swap-passes.py --events FILE    the session's events from B's hello on (40 lines)
import re, sys
def parse(path):
    ev = []
    for l in open(path):
        m = re.match(r'\s*(\S+)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+): (.*)', l)
        if m: ev.append((int(m.group(2)), float(m.group(4)) * 1e6, m.group(5)))
    return ev
tally = {'trials': 0, 'alone': 0, 'own': 0, 'ack': 0}
def events(path, limit=40):
    """The peer session's syscalls and scheduling from B's hello: who (A, B, '-' = scheduler), CPU, us, event."""
    lines = []
    for l in open(path):
        m = re.match(r'\s*(\S+)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+): (.*)', l)
        if m: lines.append((m.group(1), int(m.group(2)), int(m.group(3)), float(m.group(4)) * 1e6, m.group(5)))
    start = next((i for i, e in enumerate(lines) if 'sys_sendto' in e[4] and re.search(r'len: 0x1[ef],', e[4])), None)
    if start is None: print(path, 'no hello'); return
    b = lines[start][1]
    a = next((e[1] for e in lines[start:] if e[1] != b and re.search(r'sys_recvfrom -> 0x1[ef]$', e[4])), None)
    name = lambda p: 'A' if p == a else 'B' if p == b else 'x'
    print('==', path.split('/')[-1], 'A', a, 'B', b)
    n = 0
    for comm, pid, cpu, t, x in lines[start:]:
        if x.startswith('sched_wakeup'):
            p = int(re.search(r' pid=(\d+)', x).group(1))
            if name(p) == 'x': continue
            who, x = '-', 'wakeup %s by %s' % (name(p), comm)
        elif x.startswith('sched_switch'):
            pp = int(re.search(r'prev_pid=(\d+)', x).group(1)); np_ = int(re.search(r'next_pid=(\d+)', x).group(1))
            who, x = '-', 'switch %s(%s) -> %s' % (name(pp), re.search(r'prev_state=(\S+)', x).group(1), name(np_))
        elif name(pid) == 'x': continue
        else:
            who = name(pid); x = re.sub(r'ubuf: \S+ |buff: \S+ |, addr: 0, addr_len: 0|events: \S+ |maxevents: \S+ |flags: \S+', '', x)
        print('  %s cpu%d %8.1f  %s' % (who, cpu, t - lines[start][3], x))
        n += 1
        if n >= limit: break

if sys.argv[1:2] == ['--events']:
    for path in sys.argv[2:]: events(path)
    sys.exit(0)
for path in sys.argv[1:]:
    ev = parse(path)
    hi = [i for i, e in enumerate(ev) if 'sys_sendto' in e[2] and re.search(r'len: 0x1[ef],', e[2])]
    if not hi: print(path, 'no hello'); continue
    i0 = hi[0]; b = ev[i0][0]; bfd = re.search(r'fd: (\S+),', ev[i0][2]).group(1)
    a = afd = None
    for j in range(i0, len(ev)):
        if ev[j][0] != b and 'sys_recvfrom(' in ev[j][2]:
            fd = re.search(r'fd: (\S+),', ev[j][2]).group(1)
            nxt = next((e for e in ev[j + 1:] if e[0] == ev[j][0]), None)
            if nxt is not None and re.search(r'sys_recvfrom -> 0x1[ef]$', nxt[2]):
                a, afd = ev[j][0], fd; break
    if a is None: print(path, 'no acceptor'); continue
    def calls(pid, fd, start):
        out = []; last_fd = None
        for j in range(start, len(ev)):
            p, t, x = ev[j]
            if p != pid: continue
            m = re.search(r'sys_(sendto|recvfrom)\(fd: (\S+),.*?(?:len: (\S+),)?', x)
            if m: last_fd = m.group(2)
            if 'sys_sendto(' in x and m.group(2) == fd: out.append(('send', t, int(re.search(r'len: (\S+),', x).group(1), 16)))
            elif x.startswith('sys_recvfrom ->') and last_fd == fd:
                r = int(x.split('-> ')[1], 16); out.append(('recv', t, r if r < 1 << 63 else -1))
            elif x.startswith('sys_epoll_wait('): out.append(('poll', t, x.split('timeout: ')[1].rstrip(')')))
        return out
    ca = calls(a, afd, i0); cb = calls(b, bfd, i0)
    # A: its 200 send (len 4) and its next send
    try:
        k = next(k for k, c in enumerate(ca) if c[0] == 'send' and c[2] == 4)
        k2 = next(k2 for k2 in range(k + 1, len(ca)) if ca[k2][0] == 'send')
        t200 = ca[k][1]; apolls = sum(1 for c in ca[k + 1:k2] if c[0] == 'poll'); agap = ca[k2][1] - t200; alen = ca[k2][2]
    except StopIteration:
        print(path, 'A: no 200/push'); continue
    # B: first recv with data >= 4 after t200, then its first send
    try:
        r = next(r for r, c in enumerate(cb) if c[0] == 'recv' and c[2] >= 4 and c[1] >= t200 - 1)
        s = next(s for s in range(r + 1, len(cb)) if cb[s][0] == 'send')
    except StopIteration:
        print(path, 'B: no 200 read / send'); continue
    bpolls = [c[2] for c in cb[r + 1:s] if c[0] == 'poll']
    brecvs = [c[2] for c in cb[r + 1:s] if c[0] == 'recv']
    tally['trials'] += 1; tally['alone'] += cb[r][2] == 4; tally['own'] += cb[s][2] == 0x25; tally['ack'] += cb[s][2] == 0x2d
    first = {0x25: 'own push (no ACK)', 0x2d: 'ACK+push', 8: 'ACK'}.get(cb[s][2], hex(cb[s][2]))
    print('%-14s A: 200->push %5.0fus polls %d | B: read %s at %+5.0fus, polls before send %d %s, recvs %s, first send at %+5.0fus: %s'
          % (path.split('/')[-1], agap, apolls, '200 alone' if cb[r][2] == 4 else hex(cb[r][2]), cb[r][1] - t200,
             len(bpolls), bpolls, brecvs, cb[s][1] - t200, first))
print('# %(trials)d sessions: the initiator read the 200 alone in %(alone)d; its first message was its own push in %(own)d, the ACK of the acceptor\'s update in %(ack)d' % tally)
