# Sourced (bash) by the root-only experiment scripts that drive the team lab's own 2.6 helpers:
# finds the lab, sources its common.sh under LAB_NAME (a private network namespace and iptables:
# root needed), then the shared steps (scripts/lib/lab-steps.sh).
#   . "$(dirname "$0")/lib/lab-start.sh" SCRIPT LAB_NAME "${2:-}"
# The third argument is the script's own LAB_DIR argument; empty: ../shared/lab beside the
# repository. Sets LAB_DIR. A directory without common.sh: "SCRIPT: no common.sh in LAB_DIR '…'"
# on stdout, exit 2, before anything is set up.
LAB_DIR=${3:-$(cd "$(dirname "$0")/../../shared/lab" 2>/dev/null && pwd)}
[ -f "$LAB_DIR/common.sh" ] || { echo "$1: no common.sh in LAB_DIR '$LAB_DIR'"; exit 2; }
LAB_NAME=$2; . "$LAB_DIR/common.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lab-steps.sh"
