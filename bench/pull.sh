#!/usr/bin/env bash
# N virtual boards (`device farm`, ota_cloud sketch) pulling a 256 KiB image at once, from `ameba-ota serve` and then
# from nginx serving `ameba-ota publish`'s output, inside a private network namespace (loopback only). Prints per server:
# the time from the farm's start until every board printed "This is version 2", the server process's CPU time
# (user + system, from /proc) and its peak memory (VmHWM; nginx: master + worker); for `serve`, also the fastest,
# median and longest ota.bin download from its log (request to the board's acknowledgement of the last byte). The
# farm's own boot is in the time, for both servers alike.
# Usage: bench/pull.sh [--flash-timing typical|instant|slow] [N ...]   (default: typical, 50 200)
# AMEBAOTA_SERVE=artifacts/native/ameba-ota runs that executable as the server (the native build) instead of the JIT one.
set -euo pipefail
cd "$(dirname "$0")/.."
timing=typical
if [ "${1:-}" = "--flash-timing" ]; then timing=${2:?--flash-timing needs a profile}; shift 2; fi
case "$timing" in instant|typical|slow|*/*) ;; *) echo "error: --flash-timing '$timing': use instant, typical or slow" >&2; exit 2 ;; esac
source bench/netns.sh
enter_netns "$0" --flash-timing "$timing" "$@"
counts=("$@"); [ ${#counts[@]} -eq 0 ] && counts=(50 200)
cli=$(cli_dll)
nginx=/usr/sbin/nginx
work=$(mktemp -d)
chmod 755 "$work"   # nginx's worker runs as nobody and must read the site
trap 'rm -rf "$work"' EXIT
dotnet "$cli" image make --version 2 --size 256K -o "$work/v2.bin" >/dev/null
dotnet "$cli" publish "$work/v2.bin" --to "$work/site" >/dev/null

# cpu_ms PID...: user+system CPU of the processes, in ms; hwm_kib PID...: summed peak RSS.
cpu_ms() { local t=0; for p in "$@"; do set -- $(cut -d' ' -f14,15 "/proc/$p/stat"); t=$((t + $1 + $2)); done; echo $((t * 1000 / $(getconf CLK_TCK))); }
hwm_kib() { local t=0; for p in "$@"; do t=$((t + $(awk '/VmHWM/ {print $2}' "/proc/$p/status"))); done; echo $t; }

# run NAME PORT N PID...: a farm of N cloud boards pulling from 127.0.0.1:PORT; prints one result line.
run() {
  local name=$1 port=$2 n=$3; shift 3
  rm -rf "$work/boards"
  dotnet "$cli" image make --version 1 --mode cloud --server "127.0.0.1:$port" -o "$work/v1.bin" --force >/dev/null
  : >"$work/farm.out"   # empty before the first look, so the last run's lines never count
  local start; start=$(date +%s.%N)
  dotnet "$cli" device farm --count "$n" --image "$work/v1.bin" --dir "$work/boards" --base-ip 127.1.0.2 --interface lo \
    --flash-timing "$timing" >"$work/farm.out" 2>"$work/farm.err" &
  local farm=$!
  local done=0 deadline=$(( $(date +%s) + 900 ))
  while [ "$(date +%s)" -lt $deadline ]; do
    done=$(grep -c '\] This is version 2$' "$work/farm.out" || true)
    [ "$done" -ge "$n" ] && break
    [ "$(grep -c '\] FAIL$' "$work/farm.out" || true)" -gt 0 ] && break
    sleep 0.02
  done
  local end; end=$(date +%s.%N)
  printf '  %-6s %4d boards: %3d updated in %6.2f s; server CPU %6d ms, peak memory %6.1f MiB\n' "$name" "$n" "$done" \
    "$(echo "$end - $start" | bc)" "$(cpu_ms "$@")" "$(echo "scale=1; $(hwm_kib "$@") / 1024" | bc)"
  kill -TERM $farm; wait $farm 2>/dev/null || true
}

# downloads: fastest, median and longest ota.bin download in serve's log (seconds).
downloads() {
  grep 'cloud-image GET /ota.bin 200: .* stayed to the end' "$work/serve.out" | sed -E 's/.* bytes in ([0-9.]+) s,.*/\1/' | sort -n |
    awk '{ a[NR] = $1 } END { if (NR) printf "    serve log: %d ota.bin downloads stayed to the end: fastest %.2f s, median %.2f s, longest %.2f s\n", NR, a[1], a[int((NR + 1) / 2)], a[NR] }'
}

echo "flash timing: $timing; serve: ${AMEBAOTA_SERVE:-dotnet $cli}"
for n in "${counts[@]}"; do
  echo "$n boards pulling 256 KiB (ota_cloud: check.txt + ota.bin):"
  if [ -n "${AMEBAOTA_SERVE:-}" ]; then "$AMEBAOTA_SERVE" serve "$work/v2.bin" --http-port 18080 --tcp-port -1 >"$work/serve.out" 2>&1 &
  else dotnet "$cli" serve "$work/v2.bin" --http-port 18080 --tcp-port -1 >"$work/serve.out" 2>&1 &
  fi
  serve=$!
  for _ in $(seq 500); do grep -q '^http: ' "$work/serve.out" && break; sleep 0.02; done
  run serve 18080 "$n" $serve
  kill -TERM $serve; wait $serve 2>/dev/null || true
  downloads

  if [ -x "$nginx" ]; then
    mkdir -p "$work/nginx"
    cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/cb; proxy_temp_path $work/nginx/p; fastcgi_temp_path $work/nginx/f; uwsgi_temp_path $work/nginx/u; scgi_temp_path $work/nginx/s;
    types { text/plain txt; application/octet-stream bin; }
    server { listen 127.0.0.1:18081; root $work/site; location = / { try_files /ota_sdk.bin =404; } }
}
CONF
    "$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
    master=$!
    for _ in $(seq 500); do [ -s "$work/nginx/nginx.pid" ] && break; sleep 0.02; done
    sleep 0.2
    worker=$(pgrep -P $master | head -1)
    run nginx 18081 "$n" $master $worker
    kill -TERM $master; wait $master 2>/dev/null || true
  else
    echo "  nginx: not installed (apt-get install nginx)"
  fi
done
