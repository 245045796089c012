# Sourced (bash) after the lab's common.sh (../shared/lab or its v3/): steps and readings that
# the scripts driving the lab's helpers share. Only defines functions.

# peer_block N P: node N's `show peers` block for peer hapP (its first line up to the next peer's).
peer_block() {
  cli "$1" "show peers" | awk -v p="id=hap$2(" 'index($0,p){f=1} /id=hap[0-9]\(/{if(!index($0,p))f=0} f'
}

# peer_field N P FIELD: the value of FIELD (coll, new_conn, last_status, …) in that block.
peer_field() {
  peer_block "$1" "$2" | grep -o "$3=[^ ]*" | head -1 | cut -d= -f2
}

# lab04_until_cut KEY: lab 04's steps up to its cut: start hap1 then hap2, wait for their session,
# 1.5 s, hap1 writes KEY's gpc0=1, wait until hap2 has it (at most 5 s), 0.3 s.
lab04_until_cut() {
  local n
  for n in 1 2; do gen_cfg $n "$(peer_lines 1 2)"; start_node $n; done
  wait_sess 1 2 EST 10 >/dev/null
  sleep 1.5
  cli 1 "set table st key $1 data.gpc0 1" >/dev/null
  wait_val 2 st "$1" gpc0 1 "$(date +%s.%N)" 5 >/dev/null
  sleep 0.3
}

# wait_both_down T0 [COMMAND…]: after a cut at T0 (date +%s.%N), polls every 20 ms (at most 1500
# times) until hap1 and hap2 both show their session DOWN; sets d1 and d2 to the ms after T0 at
# which each was first seen DOWN (empty: never). COMMAND, if given, runs at the start of each poll.
wait_both_down() {
  local t0=$1 i
  shift
  d1=""; d2=""
  for i in $(seq 1 1500); do
    [ $# -gt 0 ] && "$@"
    [ -z "$d1" ] && case "$(sess 1 2)" in DOWN*) d1=$(ms_since $t0);; esac
    [ -z "$d2" ] && case "$(sess 2 1)" in DOWN*) d2=$(ms_since $t0);; esac
    [ -n "$d1" ] && [ -n "$d2" ] && break
    sleep 0.02
  done
}
