#!/usr/bin/env bash
# Realtek's own OTA UI server (the Next.js app Ameba-AIoT/ameba-OTA-UI, vendored unchanged in tests/realtek-ota-ui/: its
# API routes, package.json and package-lock.json), as a test fixture and a benchmark reference; not part of AmebaOta.
#   scripts/realtek-ota-ui.sh install   copy the vendored files to a cache directory, `npm ci` there (the npm registry:
#                                       package installation, outside any namespace), `next build` inside
#                                       scripts/netns-run (the build needs no network); prints the times taken
#   scripts/realtek-ota-ui.sh dir       print the built app's directory; exit 3 with the reason when it is not built
#   scripts/realtek-ota-ui.sh start [--port 3000] [--ip 127.0.0.1] [--root DIR]
#                                       `next start` in the foreground (exec: the process is the server). Run it inside a
#                                       private network namespace (scripts/netns-run). The upload lands in
#                                       DIR/public/uploads/ota.bin (the app's own ROOT_PATH variable; default: a new
#                                       temporary directory), so several servers can run at once.
# The cache: $AMEBAOTA_REALTEK_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/amebaota/realtek-ota-ui, one directory per hash of
# the vendored files and the Node version. Needs node and npm (Node 18 or later; Realtek used 18.20.3, npm 10.8.1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/tests/realtek-ota-ui"
cache="${AMEBAOTA_REALTEK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/amebaota/realtek-ota-ui}"
export NEXT_TELEMETRY_DISABLED=1

need_node() {
  command -v node >/dev/null && command -v npm >/dev/null && return 0
  echo "realtek-ota-ui: node and npm are not installed (Debian: apt-get install nodejs npm)" >&2
  exit 3
}

app_dir() {
  local files hash
  files=(LICENSE package.json package-lock.json next.config.mjs tsconfig.json .eslintrc.json
    src/app/api/connectedclients/route.ts src/app/api/uploadfile/route.ts)
  hash=$(cd "$src" && { sha256sum "${files[@]}"; node --version; } | sha256sum | cut -c1-16)
  echo "$cache/$hash"
}

built_dir() {
  need_node
  local dir
  dir=$(app_dir)
  if [ ! -f "$dir/.built" ]; then
    echo "realtek-ota-ui: Realtek's server is not built for these sources: run scripts/realtek-ota-ui.sh install" >&2
    exit 3
  fi
  echo "$dir"
}

case "${1:-}" in
  install)
    need_node
    dir=$(app_dir)
    if [ -f "$dir/.built" ]; then echo "realtek-ota-ui: already built in $dir"; exit 0; fi
    rm -rf "$dir"
    mkdir -p "$dir"
    cp -r "$src/." "$dir/"
    rm -f "$dir/README.md"
    start=$SECONDS
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    installed=$SECONDS
    (cd "$dir" && "$root/scripts/netns-run" node node_modules/next/dist/bin/next build) >"$dir/build.log" 2>&1 \
      || { cat "$dir/build.log" >&2; echo "realtek-ota-ui: next build failed" >&2; exit 1; }
    built=$SECONDS
    touch "$dir/.built"
    echo "realtek-ota-ui: built in $dir (npm ci $((installed - start)) s, next build $((built - installed)) s)"
    ;;
  dir)
    built_dir
    ;;
  start)
    shift
    port=3000 ip=127.0.0.1 uploads=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --port) port="$2"; shift 2 ;;
        --ip) ip="$2"; shift 2 ;;
        --root) uploads="$2"; shift 2 ;;
        *) echo "realtek-ota-ui: unknown option '$1' (start [--port N] [--ip ADDR] [--root DIR])" >&2; exit 2 ;;
      esac
    done
    dir=$(built_dir)
    [ -n "$uploads" ] || uploads=$(mktemp -d)
    cd "$dir"
    ROOT_PATH="$uploads" exec node node_modules/next/dist/bin/next start --port "$port" --hostname "$ip"
    ;;
  *)
    echo "usage: scripts/realtek-ota-ui.sh install | dir | start [--port 3000] [--ip 127.0.0.1] [--root DIR]" >&2
    exit 2
    ;;
esac
