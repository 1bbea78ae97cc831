# Sourced by the bench scripts (their shared preamble): re-runs the calling script inside a private network namespace that
# has only loopback (nothing it sends can leave the machine), after building the CLI outside it (the build may need the
# NuGet registry); starts a farm of virtual boards; reads figures from /proc.
# The namespace helper: the repository's scripts/netns-run when there is one, else the program in AMEBAOTA_NETNS_RUN.
# AMEBAOTA_CLI may name another build's ameba-ota.dll (to compare before and after a change).
#   usage (first lines of a script):  source "$(dirname "$0")/netns.sh"; enter_netns "$0" "$@"
enter_netns() {
  local script=$1; shift
  [ -n "${AMEBAOTA_IN_NETNS:-}" ] && return 0
  local helper
  if [ -x scripts/netns-run ]; then helper=$(pwd)/scripts/netns-run
  elif [ -n "${AMEBAOTA_NETNS_RUN:-}" ]; then helper=$AMEBAOTA_NETNS_RUN
  else
    echo "error: no private network namespace helper: scripts/netns-run is missing and AMEBAOTA_NETNS_RUN is not set" >&2
    echo "       (AMEBAOTA_NETNS_RUN=/path/to/netns-run $script ...: a program that runs its arguments in a namespace with only lo)" >&2
    exit 2
  fi
  [ -n "${AMEBAOTA_CLI:-}" ] || dotnet build src/AmebaOta.Cli -c Release --verbosity quiet -nologo >/dev/null
  AMEBAOTA_IN_NETNS=1 exec "$helper" "$script" "$@"
}

# The CLI to run: AMEBAOTA_CLI, or this checkout's Release build.
cli_dll() { echo "${AMEBAOTA_CLI:-$(pwd)/src/AmebaOta.Cli/bin/Release/net10.0/ameba-ota.dll}"; }

# Starts `device farm` with the given arguments in the background (stderr in $work/farm.err; $cli and $work set by the
# caller), sets farm to its pid, stops it and removes $work on exit, waits up to 120 s until its boards listen and prints
# its "all … ready" line.
start_farm() {
  dotnet "$cli" device farm "$@" >/dev/null 2>"$work/farm.err" &
  farm=$!
  trap 'kill -TERM $farm 2>/dev/null; wait $farm 2>/dev/null || true; rm -rf "$work"' EXIT
  for _ in $(seq 2400); do grep -q "boards listening" "$work/farm.err" && break; sleep 0.05; done
  grep -q "boards listening" "$work/farm.err" || { echo "the farm did not start" >&2; tail -n 50 "$work/farm.err" >&2; exit 1; }
  sed -n 's/^\[farm\] \(all .*\)/farm: \1/p' "$work/farm.err"
}

# Inside the namespace: TCP buffers of 16 KiB (tcp_wmem and tcp_rmem are per namespace), as the real-time tests use.
small_tcp_buffers() {
  echo "4096 16384 16384" > /proc/sys/net/ipv4/tcp_wmem
  echo "4096 16384 16384" > /proc/sys/net/ipv4/tcp_rmem
}

# Peak RSS of a process so far (VmHWM), in MiB.
peak_rss_mib() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# Kernel drops on every UDP socket bound to port 5353 (column "drops" of /proc/net/udp), summed.
mdns_drops() { awk 'NR > 1 && $2 ~ /:14E9$/ {d += $NF} END {print d + 0}' /proc/net/udp; }

# CPU seconds (user + system) a process has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
