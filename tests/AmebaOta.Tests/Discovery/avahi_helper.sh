#!/usr/bin/env bash
# Runs avahi-daemon (the system mDNS daemon of Debian) against our CLI in a nested private network namespace with only lo,
# and a private mount namespace (a tmpfs on /run for avahi's pid file and socket, a private D-Bus system bus), so it neither
# sees nor disturbs anything else, the machine's own daemons included.
#   avahi_helper.sh browse  CLI_DLL NAME IP   our `mdns advertise` on lo; prints avahi-browse's resolved line for NAME
#   avahi_helper.sh publish CLI_DLL NAME      avahi-publish advertises NAME; prints our `discover --device NAME --json`
# Exit 0: found; 1: not found; 3: avahi-daemon, avahi-utils or dbus-daemon missing; 4: cannot create the namespaces.
set -uo pipefail
for tool in avahi-daemon avahi-browse avahi-publish dbus-daemon unshare ip; do
  command -v "$tool" >/dev/null || { echo "avahi_helper: $tool is not installed (apt-get install avahi-daemon avahi-utils dbus; .ci/run does this)" >&2; exit 3; }
done
if [ -z "${AVAHI_HELPER_INSIDE:-}" ]; then
  AVAHI_HELPER_INSIDE=1 exec unshare --net --mount --propagation private -- bash "$0" "$@"
fi
mode=$1 cli=$2 name=$3
ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo || exit 4
mount -t tmpfs tmpfs /run || exit 4
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
cat >"$work/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=$work/bus</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/></policy></busconfig>
CONF
printf '[server]\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces=lo\nhost-name=avahitest\n[publish]\npublish-hinfo=no\npublish-workstation=no\n' >"$work/avahi.conf"
dbus-daemon --config-file="$work/bus.conf" --fork --print-pid >"$work/dbus.pid" || exit 4
pids+=("$(cat "$work/dbus.pid")")
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/bus"
avahi-daemon --file="$work/avahi.conf" --no-drop-root --no-chroot --no-rlimits >"$work/avahi.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do avahi-browse -tp _none._tcp >/dev/null 2>&1 && break; sleep 0.1; done

case "$mode" in
  browse)
    dotnet "$cli" mdns advertise --name "$name" --port 5000 --ip "$4" --interface lo >"$work/adv.out" 2>&1 &
    pids+=($!)
    for _ in $(seq 200); do grep -q advertising "$work/adv.out" && break; sleep 0.05; done
    for _ in $(seq 5); do
      line=$(timeout 10 avahi-browse -rpt _arduino._tcp 2>/dev/null | grep "^=;lo;IPv4;$name;")
      [ -n "$line" ] && { echo "$line"; exit 0; }
    done
    echo "avahi did not see $name; advertise said: $(cat "$work/adv.out"); avahi log:" >&2; tail -n 20 "$work/avahi.log" >&2
    exit 1 ;;
  publish)
    avahi-publish -s "$name" _arduino._tcp 5001 board=ameba_rtl8195a auth_upload=no tcp_check=no ssh_upload=no >"$work/pub.out" 2>&1 &
    pids+=($!)
    for _ in $(seq 200); do grep -q Established "$work/pub.out" && break; sleep 0.05; done
    dotnet "$cli" discover --interface lo --device "$name" --timeout 5 --json && exit 0
    echo "avahi-publish said: $(cat "$work/pub.out")" >&2
    exit 1 ;;
  *) echo "usage: avahi_helper.sh browse|publish CLI_DLL NAME [IP]" >&2; exit 2 ;;
esac
