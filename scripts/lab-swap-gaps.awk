# Issue 13: per trial of scripts/lab-swap-capture.sh output, the first session after the heal:
# the acceptor's gap from its 200 to its UPDATE, the initiator's from the 200 to its first message,
# and whether that first message was the ACK of the acceptor's update (it had treated it) or its own push.
#   awk -f scripts/lab-swap-gaps.awk OUTPUT
/^---- trial/ { if (hdr != "") report(); hdr = $0; st = ""; au = ""; bf = ""; bk = ""; conn = ""; next }
/STATUS line: '200/ && st == "" { st = $1 + 0; conn = $4; acc = $2; next }
st != "" && $4 == conn && $2 == acc && au == "" && /STKT UPDATE/ { au = $1 + 0 }
st != "" && $4 == conn && $2 != acc && bf == "" && /STKT/ { bf = $1 + 0; bk = ($0 ~ /ACK/) ? "ACK-first" : "push-first" }
function report() { o = hdr; i = hdr; sub(/.*init=/, "", i); sub(/ .*/, "", i); sub(/.*=> /, "", o); sub(/ \(coll.*/, "", o); printf "init=%s %-24s acceptor 200->UPDATE %4s us  initiator 200->first %4s us  %s\n", i, o, (au == "" ? "-" : au - st), (bf == "" ? "-" : bf - st), bk }
END { if (hdr != "") report() }
