#!/usr/bin/env bash
# Records pcaps/devices/devices.pcap: real programs on a bridged segment of network namespaces, each client with a
# MAC we set, for the asset-inventory tests (engine/engine/tests/devices.rs).
#
#   xnd-gw   10.78.0.1  bridge br0; dnsmasq (DHCP server, no DNS), python3 http.server on :80
#   xnd-pi   b8:27:eb:…  (Raspberry Pi Foundation OUI)  BusyBox udhcpc -x hostname:kitchen-pi, then BusyBox wget
#   xnd-lap  f0:d5:bf:…  (Intel OUI)                    ISC dhclient (send host-name "work-laptop"), then curl and
#                                                        python3 urllib
#   xnd-prn  00:80:77:…  (Brother OUI)                  static 10.78.0.20, avahi-daemon host-name brother-printer
#                                                        (its _workstation._tcp service), then curl
#
# tcpdump captures on br0 (every frame of the segment). Needs root; nothing leaves the namespaces.
# Usage: sudo bash pcaps/devices/record.sh   (rewrites devices.pcap and prints the versions used)
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" -eq 0 ] || { echo "record.sh: needs root (network namespaces)" >&2; exit 1; }
for p in busybox dnsmasq isc-dhcp-client avahi-daemon curl tcpdump python3 iproute2; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

GW=xnd-gw
NS=(xnd-pi xnd-lap xnd-prn)
declare -A MAC=([xnd-pi]=b8:27:eb:5a:01:02 [xnd-lap]=f0:d5:bf:4c:03:04 [xnd-prn]=00:80:77:2e:05:06)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for n in "$GW" "${NS[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  sleep 0.2
  for n in "$GW" "${NS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cleanup_ns() { for n in "$GW" "${NS[@]}"; do ip netns del "$n" 2>/dev/null || true; done; }
cleanup_ns

ip netns add "$GW"
ip -n "$GW" link set lo up
ip -n "$GW" link add br0 type bridge
ip -n "$GW" link set br0 up
ip -n "$GW" addr add 10.78.0.1/24 dev br0
for n in "${NS[@]}"; do
  ip netns add "$n"
  ip -n "$n" link set lo up
  ip -n "$GW" link add "v-$n" type veth peer name eth0 netns "$n"
  ip -n "$GW" link set "v-$n" master br0 up
  ip -n "$n" link set eth0 address "${MAC[$n]}"
  ip -n "$n" link set eth0 up
done
# IPv6 router solicitations and DAD would add noise that does not matter here.
for n in "$GW" "${NS[@]}"; do ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done

ip netns exec "$GW" tcpdump -i br0 -s 0 -U -w "$work/devices.pcap" 2>/dev/null &
pids+=($!)
sleep 1
ip netns exec "$GW" dnsmasq --keep-in-foreground --port=0 --interface=br0 --bind-interfaces \
  --dhcp-range=10.78.0.100,10.78.0.150,1h --dhcp-leasefile="$work/leases" --pid-file="$work/dnsmasq.pid" \
  --conf-file=/dev/null &
pids+=($!)
mkdir -p "$work/www" && echo hello > "$work/www/index.html"
ip netns exec "$GW" python3 -m http.server 80 --bind 10.78.0.1 --directory "$work/www" >/dev/null 2>&1 &
pids+=($!)
sleep 1

# The Pi: BusyBox udhcpc gets a lease (its script configures it), then BusyBox wget fetches a page.
cat > "$work/udhcpc.script" <<'S'
#!/bin/sh
case "$1" in
  bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/${mask:-24}" dev "$interface" ;;
esac
S
chmod +x "$work/udhcpc.script"
ip netns exec xnd-pi busybox udhcpc -i eth0 -n -q -t 5 -T 1 -x hostname:kitchen-pi -s "$work/udhcpc.script"
ip netns exec xnd-pi busybox wget -q -O /dev/null http://10.78.0.1/

# The laptop: ISC dhclient (its own dhclient-script configures the address), then curl and python3's urllib.
cat > "$work/dhclient.conf" <<'C'
send host-name "work-laptop";
C
ip netns exec xnd-lap dhclient -1 -v -cf "$work/dhclient.conf" -lf "$work/dhclient.leases" \
  -pf "$work/dhclient.pid" eth0 2>/dev/null
ip netns exec xnd-lap curl -s -o /dev/null http://10.78.0.1/
ip netns exec xnd-lap python3 -c 'import urllib.request; urllib.request.urlopen("http://10.78.0.1/").read()'

# The printer: a static address and avahi-daemon announcing its workstation service, named after the host, over
# mDNS (no D-Bus, no IPv6; address records unpublished, so the service is what it probes for first).
ip -n xnd-prn addr add 10.78.0.20/24 dev eth0
cat > "$work/avahi.conf" <<'A'
[server]
host-name=brother-printer
use-ipv4=yes
use-ipv6=no
allow-interfaces=eth0
enable-dbus=no
[publish]
publish-addresses=no
publish-workstation=yes
A
ip netns exec xnd-prn avahi-daemon --no-drop-root --no-chroot --no-rlimits -f "$work/avahi.conf" >/dev/null 2>&1 &
pids+=($!)
sleep 5
ip netns exec xnd-prn curl -s -o /dev/null http://10.78.0.1/

sleep 1
kill "${pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true
pids=()
cp "$work/devices.pcap" devices.pcap
echo "versions: busybox $(dpkg-query -W -f='${Version}' busybox), dnsmasq $(dpkg-query -W -f='${Version}' dnsmasq),"\
  "isc-dhcp-client $(dpkg-query -W -f='${Version}' isc-dhcp-client), avahi-daemon $(dpkg-query -W -f='${Version}' avahi-daemon),"\
  "curl $(dpkg-query -W -f='${Version}' curl), python3 $(dpkg-query -W -f='${Version}' python3),"\
  "tcpdump $(dpkg-query -W -f='${Version}' tcpdump), kernel $(uname -r)"
capinfos -c -d devices.pcap 2>/dev/null | tail -2 || true
