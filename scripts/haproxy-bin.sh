#!/usr/bin/env bash
# Prints the path of a runnable haproxy of one release line, for CI and the interop tests.
#
#   scripts/haproxy-bin.sh 2.6    the system binary (Debian 12's 2.6.x; installed with apt-get
#                                 when missing and running as root)
#   scripts/haproxy-bin.sh 3.0    Debian's haproxy from `trixie`  \  fetched with apt-get download
#   scripts/haproxy-bin.sh 3.2    Debian's haproxy from `sid`      > through a PRIVATE sources list,
#   scripts/haproxy-bin.sh 3.4    Debian's haproxy from `experimental` (optional) / unpacked with its
#                                 libraries, started through their own ld-linux-x86-64.so.2
#
# stdout: one line, the path of a command that runs that haproxy (for 3.x a wrapper script that
#         execs the unpacked loader, so the pid of a spawned wrapper is haproxy's own pid).
# stderr: the version line (`HAProxy version ...`) and progress; on failure one line saying why,
#         and a non-zero exit status.
#
# The system's apt sources, lists, cache and dpkg state are never changed: every apt call gets its
# own sources list, lists directory and cache under the cache directory. Once fetched, a version is
# reused without any network access.
#
# Environment:
#   STICKSIM_CACHE          cache root (default $XDG_CACHE_HOME/sticksim or ~/.cache/sticksim);
#                           binaries go to $STICKSIM_CACHE/haproxy/<version>/
#   STICKSIM_DEBIAN_MIRROR  Debian mirror (default http://deb.debian.org/debian)
#   STICKSIM_HAPROXY_REFETCH=1  ignore the cached copy and fetch again
set -euo pipefail

fail() { printf 'haproxy-bin.sh: %s\n' "$*" >&2; exit 1; }
note() { printf '[haproxy-bin] %s\n' "$*" >&2; }

[ $# = 1 ] || fail "usage: scripts/haproxy-bin.sh 2.6|3.0|3.2|3.4"
VERSION=$1

# ---------------------------------------------------------------------------------------------
# 2.6: the system's own binary
# ---------------------------------------------------------------------------------------------
system_haproxy() {
  local path
  path=$(command -v haproxy 2>/dev/null || true)
  if [ -z "$path" ]; then
    for dir in /usr/sbin /usr/local/sbin /sbin; do
      if [ -x "$dir/haproxy" ]; then path=$dir/haproxy; break; fi
    done
  fi
  if [ -z "$path" ]; then
    [ "$(id -u)" = 0 ] || fail "no haproxy installed and not root: run \`apt-get install haproxy\` as root (Debian 12 ships 2.6)"
    command -v apt-get >/dev/null 2>&1 || fail "no haproxy installed and no apt-get to install it"
    note "installing Debian's haproxy package"
    # keep the package from starting haproxy as a system service while it installs
    local policy_added=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
    fi
    local rc=0
    { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends haproxy; } >&2 </dev/null || rc=$?
    [ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d
    [ "$rc" = 0 ] || fail "apt-get install haproxy failed (exit $rc)"
    path=/usr/sbin/haproxy
  fi
  printf '%s\n' "$path"
}

# Checks that PATH runs and is haproxy VERSION.x; prints the version line to stderr.
check_binary() {
  local path=$1 line
  line=$("$path" -v 2>&1 </dev/null | head -n 1) || true
  case "$line" in
    "HAProxy version $VERSION."* | "HA-Proxy version $VERSION."*) printf '%s\n' "$line" >&2 ;;
    "") fail "$path -v printed nothing (does it run on this system?)" ;;
    *) fail "$path is not haproxy $VERSION.x: $line" ;;
  esac
}

if [ "$VERSION" = 2.6 ]; then
  path=$(system_haproxy)
  check_binary "$path"
  printf '%s\n' "$path"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# 3.x: Debian's package from a newer suite, unpacked into the cache
# ---------------------------------------------------------------------------------------------
case "$VERSION" in
  3.0) SUITES=(trixie); PKG_SPEC=haproxy ;;
  3.2) SUITES=(sid); PKG_SPEC=haproxy ;;
  3.4) SUITES=(sid experimental); PKG_SPEC=haproxy/experimental ;;
  *) fail "unknown version '$VERSION' (want 2.6, 3.0, 3.2 or 3.4)" ;;
esac

[ "$(uname -m)" = x86_64 ] || fail "only x86_64 is supported (this machine is $(uname -m))"
CACHE_ROOT=${STICKSIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sticksim}
DIR=$CACHE_ROOT/haproxy/$VERSION
WRAPPER=$DIR/haproxy
MIRROR=${STICKSIM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

cached_ok() {
  [ -x "$WRAPPER" ] && [ -f "$DIR/.complete" ] && "$WRAPPER" -v 2>/dev/null </dev/null | head -n 1 | grep -q "^HA-\?Proxy version $VERSION\."
}

if [ "${STICKSIM_HAPROXY_REFETCH:-}" != 1 ] && cached_ok; then
  check_binary "$WRAPPER"
  printf '%s\n' "$WRAPPER"
  exit 0
fi

for tool in apt-get apt-cache dpkg-deb flock; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is needed to fetch haproxy $VERSION (Debian/Ubuntu tools)"
done
[ -r "$KEYRING" ] || fail "$KEYRING is missing (package debian-archive-keyring)"

mkdir -p "$DIR" || fail "cannot create $DIR"
exec 9>"$DIR/.lock"
flock 9 || fail "cannot lock $DIR/.lock"
# another process may have finished the fetch while we waited for the lock
if [ "${STICKSIM_HAPROXY_REFETCH:-}" != 1 ] && cached_ok; then
  check_binary "$WRAPPER"
  printf '%s\n' "$WRAPPER"
  exit 0
fi

APT=$DIR/apt
rm -rf "$APT" "$DIR/debs" "$DIR/root.new" "$DIR/.complete"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/sources.list.d" "$APT/preferences.d" "$DIR/debs" "$DIR/root.new"
: >"$APT/status"
: >"$APT/preferences"
for suite in "${SUITES[@]}"; do
  printf 'deb [signed-by=%s] %s %s main\n' "$KEYRING" "$MIRROR" "$suite"
done >"$APT/sources.list"

# Every apt call reads and writes only under $APT (sources, lists, cache, status, pins).
APT_OPTS=(
  -o "Dir::Etc::SourceList=$APT/sources.list"
  -o "Dir::Etc::SourceParts=$APT/sources.list.d"
  -o "Dir::Etc::Preferences=$APT/preferences"
  -o "Dir::Etc::PreferencesParts=$APT/preferences.d"
  -o "Dir::State::Lists=$APT/lists"
  -o "Dir::State::status=$APT/status"
  -o "Dir::Cache=$APT/cache"
  -o "Dir::Cache::archives=$APT/cache/archives"
  -o "APT::Architecture=amd64"
  -o "APT::Architectures=amd64"
  -o "APT::Sandbox::User=root"
  -o "Acquire::Languages=none"
  -o "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false"
  -o "Debug::NoLocking=true"
)

note "fetching haproxy $VERSION from Debian ${SUITES[*]} into $DIR"
apt-get "${APT_OPTS[@]}" -q --error-on=any update >"$APT/update.log" 2>&1 </dev/null ||
  fail "apt-get update of Debian ${SUITES[*]} failed: $(grep -m1 -E '^(E|W):' "$APT/update.log" || tail -n 1 "$APT/update.log")"

# The package and, transitively, the library packages it depends on (lib*, zlib1g); the first
# alternative of each `a | b` group. Everything else (debconf, adduser, ...) is not needed to run.
declare -A seen=()
queue=("$PKG_SPEC")
packages=()
for ((round = 0; round < 200 && ${#queue[@]} > 0; round++)); do
  pkg=${queue[0]}
  queue=("${queue[@]:1}")
  name=${pkg%%/*}
  [ -z "${seen[$name]:-}" ] || continue
  seen[$name]=1
  packages+=("$pkg")
  deps=$(apt-cache "${APT_OPTS[@]}" depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances "$pkg" 2>"$APT/depends.err" </dev/null) ||
    fail "apt-cache depends $pkg failed: $(head -n 1 "$APT/depends.err")"
  in_alternatives=0
  while IFS= read -r line; do
    case "$line" in
      *"|Depends: "* | *"|PreDepends: "*) alt=1 ;;
      *"Depends: "* | *"PreDepends: "*) alt=0 ;;
      *) continue ;;
    esac
    dep=${line##*: }
    if [ "$in_alternatives" = 0 ]; then
      case "$dep" in
        "<"*) ;;                                  # virtual: provided by the real package
        lib* | zlib1g) [ -n "${seen[$dep]:-}" ] || queue+=("$dep") ;;
      esac
    fi
    in_alternatives=$alt
  done <<<"$deps"
done
[ ${#queue[@]} = 0 ] || fail "dependency walk did not finish within 200 packages"

note "downloading ${#packages[@]} packages: ${packages[*]}"
(cd "$DIR/debs" && apt-get "${APT_OPTS[@]}" -q download "${packages[@]}" >"$APT/download.log" 2>&1 </dev/null) ||
  fail "apt-get download failed: $(grep -m1 -E '^(E|W):' "$APT/download.log" || tail -n 1 "$APT/download.log")"
for deb in "$DIR"/debs/*.deb; do
  dpkg-deb -x "$deb" "$DIR/root.new" || fail "dpkg-deb -x $deb failed"
done

ROOT=$DIR/root
rm -rf "$ROOT"
mv "$DIR/root.new" "$ROOT"
LOADER=""
for candidate in usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 usr/lib64/ld-linux-x86-64.so.2 lib64/ld-linux-x86-64.so.2; do
  if [ -e "$ROOT/$candidate" ]; then LOADER=$ROOT/$candidate; break; fi
done
[ -n "$LOADER" ] || fail "no ld-linux-x86-64.so.2 in the unpacked libc6 under $ROOT"
[ -x "$ROOT/usr/sbin/haproxy" ] || fail "no usr/sbin/haproxy in the unpacked haproxy package under $ROOT"
LIBPATH=""
for dir in usr/lib/x86_64-linux-gnu lib/x86_64-linux-gnu; do
  [ -d "$ROOT/$dir" ] && LIBPATH=${LIBPATH:+$LIBPATH:}$ROOT/$dir
done

# The wrapper execs the loader, so a spawned wrapper's pid is haproxy's pid (signals, -sf work).
cat >"$WRAPPER.new" <<EOF
#!/bin/sh
# haproxy $VERSION unpacked from Debian (${SUITES[*]}) by scripts/haproxy-bin.sh; runs on this
# system through the package's own loader and libraries.
exec '$LOADER' --library-path '$LIBPATH' '$ROOT/usr/sbin/haproxy' "\$@"
EOF
chmod +x "$WRAPPER.new"
mv "$WRAPPER.new" "$WRAPPER"
check_binary "$WRAPPER"
# keep the unpacked tree, drop the downloaded packages and apt's lists (not needed to run)
rm -rf "$DIR/debs" "$APT/lists" "$APT/cache"
printf '%s\n' "${packages[@]}" >"$DIR/packages.txt"
: >"$DIR/.complete"
printf '%s\n' "$WRAPPER"
