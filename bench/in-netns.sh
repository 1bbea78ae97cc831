# Sourced by the bench scripts: builds the CLI, then re-runs the calling script inside a private network namespace with
# only loopback, and refuses to run networked code anywhere else. The namespace runner is scripts/netns-run when the
# repository has one, else the command named by AMEBAOTA_NETNS_RUN (it must run its arguments in a fresh network
# namespace with lo up and a multicast route).
if [ -z "${AMEBAOTA_IN_NETNS:-}" ]; then
  if [ -x scripts/netns-run ]; then netns_run=(scripts/netns-run)
  elif [ -n "${AMEBAOTA_NETNS_RUN:-}" ]; then netns_run=("$AMEBAOTA_NETNS_RUN")
  else
    echo "error: no network-namespace runner: set AMEBAOTA_NETNS_RUN to a command that runs its arguments in a private network namespace with only loopback (for example a wrapper around 'unshare --net' that brings lo up)" >&2
    exit 2
  fi
  dotnet build src/AmebaOta.Cli -c Release --verbosity quiet -nologo >/dev/null
  AMEBAOTA_IN_NETNS=1 exec "${netns_run[@]}" "$0" "$@"
fi
if ip -o link show 2>/dev/null | grep -v ': lo:' | grep -q .; then
  echo "error: this namespace has interfaces besides lo; the campaigns run on loopback only" >&2
  exit 2
fi
