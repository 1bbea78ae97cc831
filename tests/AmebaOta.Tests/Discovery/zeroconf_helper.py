"""python3-zeroconf (Debian) as an independent mDNS implementation for the interop tests, pinned to loopback.

  zeroconf_helper.py resolve NAME TIMEOUT_MS      print the resolved service as JSON, exit 3 if not found
  zeroconf_helper.py register NAME PORT IP        register a service, print "registered NAME", unregister when stdin closes
"""
import json
import socket
import sys

try:
    from zeroconf import IPVersion, ServiceInfo, Zeroconf
except ImportError as e:  # the C# test turns this into a clear failure
    print(f"python3-zeroconf is not installed: {e}", file=sys.stderr)
    sys.exit(2)

TYPE = "_arduino._tcp.local."
TXT = {"board": "ameba_rtl8195a", "auth_upload": "no", "tcp_check": "no", "ssh_upload": "no"}


def main():
    zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    try:
        if sys.argv[1] == "resolve":
            name, timeout = sys.argv[2], int(sys.argv[3])
            info = zc.get_service_info(TYPE, f"{name}.{TYPE}", timeout=timeout)
            if info is None:
                print(f"zeroconf did not resolve {name}.{TYPE}", file=sys.stderr)
                return 3
            print(json.dumps({
                "name": info.name,
                "server": info.server,
                "port": info.port,
                "addresses": info.parsed_addresses(),
                "txt": {k.decode(): (v.decode() if v is not None else None) for k, v in info.properties.items()},
            }))
            return 0
        if sys.argv[1] == "register":
            name, port, ip = sys.argv[2], int(sys.argv[3]), sys.argv[4]
            info = ServiceInfo(TYPE, f"{name}.{TYPE}", addresses=[socket.inet_aton(ip)], port=port,
                               properties=TXT, server=f"{name.lower()}.local.")
            zc.register_service(info)
            print(f"registered {name}", flush=True)
            sys.stdin.read()
            zc.unregister_service(info)
            return 0
        print(__doc__, file=sys.stderr)
        return 2
    finally:
        zc.close()


if __name__ == "__main__":
    sys.exit(main())
