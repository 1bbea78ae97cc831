#!/usr/bin/env bash
# Sites: one `ameba-ota fleet rollout` (1,10%,50%,100%, each board verified back after its reboot) sent by site agents
# through a shared PostgreSQL, for 3 sites of N virtual boards each, then for the same 3N boards at one site (one agent,
# at the agents' default --parallel 16, then at --parallel 48 = the three sites' together). Each site is a private network
# namespace of its own (its farm and its agent; the sites' mDNS cannot see each other), nested in the script's own
# (loopback only); PostgreSQL (Debian's, default settings) is a throwaway cluster on a unix socket, run as the postgres
# user. The rollout runs from the script's namespace, where no board is visible. Prints for each case: the rollout's wall
# time, the database's growth, each agent's peak RSS, and the time from a request to its agent's connection to the board.
# Usage: bench/sites.sh [N] [IMAGE_SIZE]   (default 100 boards per site, 256K)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh
enter_netns "$0" "$@"
n=${1:-100}
size=${2:-256K}
cli=$(cli_dll)
B=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$B/initdb" ] || { echo "PostgreSQL is not installed (Debian: apt-get install postgresql)" >&2; exit 2; }
work=$(mktemp -d)
chmod 755 "$work"
pids=()
as_postgres() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi; }
cleanup() {
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  [ -f "$work/pg/data/postmaster.pid" ] && as_postgres "$B/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir "$work/pg"
[ "$(id -u)" = 0 ] && chown postgres "$work/pg"
as_postgres "$B/initdb" -D "$work/pg/data" -U ameba --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$B/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -o "-k $work/pg -c listen_addresses= -c max_connections=300" -w start >/dev/null
sql() { "$B/psql" -h "$work/pg" -U ameba -d "$1" -tAc "$2"; }
echo "PostgreSQL: $("$B/postgres" --version); $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
dotnet "$cli" image make --version 1 -o "$work/v1.bin" >/dev/null
dotnet "$cli" image make --version 2 --size "$size" -o "$work/v2.bin" >/dev/null

# One case: a fresh database; sites given as NAME:BOARDS (each its namespace, farm and agent); AGENT_PARALLEL for the agents.
run_case() {
  local label=$1 name=$2 parallel=$3; shift 3
  sql postgres "CREATE DATABASE $name" >/dev/null
  local db="postgres://ameba@/$name?host=$work/pg" total=0 agents=() others=() names=() spec site count holder
  dotnet "$cli" db migrate --db "$db" >/dev/null
  local empty; empty=$(sql "$name" "SELECT pg_database_size(current_database())")
  for spec in "$@"; do
    site=${spec%%:*}; count=${spec##*:}; total=$((total + count))
    scripts/netns-run sleep infinity & holder=$!; pids+=("$holder"); others+=("$holder"); names+=("$site")
    until [ "$(cat /proc/$holder/comm 2>/dev/null)" = sleep ]; do sleep 0.05; done
    nsenter --net="/proc/$holder/ns/net" dotnet "$cli" device farm --count "$count" --image "$work/v1.bin" --dir "$work/boards-$name-$site" \
      --name-prefix "$site" --base-ip 127.0.0.2 --interface lo >/dev/null 2>"$work/$name-$site.farm" & pids+=($!); others+=($!)
    nsenter --net="/proc/$holder/ns/net" dotnet "$cli" agent --db "$db" --site "$site" --interface lo --parallel "$parallel" 2>"$work/$name-$site.agent" &
    pids+=($!); agents+=($!)
  done
  dotnet "$cli" sites --db "$db" --wait-boards "$total" --timeout 600 >/dev/null
  echo "== $label: $total boards, agents at --parallel $parallel (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  python3 - "$cli" "$work/v2.bin" "$db" <<'PY'
import json, subprocess, sys, time
cli, image, db = sys.argv[1:4]
start = time.monotonic()
p = subprocess.run(["dotnet", cli, "fleet", "rollout", image, "--db", db, "--stages", "1,10%,50%,100%", "--wait-reboot", "30", "--json"],
                   capture_output=True, text=True)
wall = time.monotonic() - start
events = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
end = events[-1] if events else {}
stages = [e["boards"] for e in events if e.get("event") == "stage" and e.get("kind") == "started"]
print(f"rollout: exit {p.returncode}, {end.get('result')}: {end.get('success')} success, {end.get('failure')} failure in "
      f"{end.get('durationMs', 0) / 1000:.1f} s (stages of {', '.join(map(str, stages))} boards); whole process {wall:.1f} s")
if p.returncode != 0: print(p.stderr[-3000:], file=sys.stderr)
PY
  local grown; grown=$(sql "$name" "SELECT pg_database_size(current_database())")
  echo "database: $((grown / 1024)) KiB ($(((grown - empty) / 1024)) KiB more than the empty schema): $(sql "$name" "SELECT count(*) FROM uploads") uploads, $(sql "$name" "SELECT count(*) FROM jobs") jobs, $(sql "$name" "SELECT count(*) FROM audit") audit rows"
  echo "jobs run more than once (taken over): $(sql "$name" "SELECT count(*) FROM jobs WHERE runs > 1"); uploads per job at most $(sql "$name" "SELECT max(c) FROM (SELECT count(*) c FROM uploads GROUP BY job_id) x")"
  grep -h "taken over\|lost\|no longer" "$work/$name"-*.agent | head -n 5 || true
  local i; for i in "${!agents[@]}"; do echo "agent of ${names[$i]}: peak RSS $(awk '/VmHWM/ {printf "%.1f MiB", $2 / 1024}' "/proc/${agents[$i]}/status")"; done
  # From the request (the job's row committed and notified) to its agent opening the connection to the board (the upload's
  # row is written just before the connect; on loopback the header and first bytes follow within a millisecond).
  sql "$name" "
    WITH l AS (SELECT r.stage, EXTRACT(EPOCH FROM u.started_at - j.created_at) * 1000 AS ms,
                      row_number() OVER (PARTITION BY r.stage ORDER BY u.started_at) AS k
               FROM jobs j JOIN uploads u ON u.job_id = j.id JOIN rollout_boards r ON r.rollout_id = j.rollout_id AND r.board = j.board)
    SELECT 'request to connection: canary ' || round((SELECT ms FROM l WHERE stage = 1 AND k = 1)::numeric) || ' ms; first of each stage ' ||
           (SELECT string_agg(round(ms::numeric)::text, ', ' ORDER BY stage) FROM l WHERE k = 1) || ' ms; every job: median ' ||
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric) || ' ms, p95 ' ||
           round((percentile_cont(0.95) WITHIN GROUP (ORDER BY ms))::numeric) || ' ms (waiting for a free slot of --parallel included)' FROM l"
  # The next case runs alone: this one's agents, farms and namespaces stop.
  kill -TERM "${agents[@]}" "${others[@]}" 2>/dev/null || true
  for i in "${agents[@]}" "${others[@]}"; do wait "$i" 2>/dev/null || true; done
}

run_case "3 sites x $n" three 16 lab:"$n" field:"$n" ci:"$n"
run_case "1 site x $((3 * n))" one 16 plant:"$((3 * n))"
run_case "1 site x $((3 * n)), one agent as parallel as the three" onewide 48 plant:"$((3 * n))"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
