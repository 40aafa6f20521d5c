#!/usr/bin/env bash
# Prepares a NIC for xntop on a span port: one RX queue per worker, a symmetric RSS key (both directions of a flow
# on the same queue), each queue's interrupt on the core of the worker that polls it, offloads that merge packets
# off, promiscuous mode on.
#
#   sudo bash deploy/nic-setup.sh IFACE CORES            e.g. deploy/nic-setup.sh eth1 2-7
#   sudo bash deploy/nic-setup.sh --dry-run IFACE CORES  print the commands only
#
# CORES uses xntop's -g syntax (list and ranges); give xntop the same -g. Stop irqbalance first, or it will move the
# interrupts again: `systemctl disable --now irqbalance`.
set -euo pipefail

dry=0
if [[ ${1:-} == --dry-run ]]; then
  dry=1
  shift
fi
[[ $# -eq 2 ]] || { echo "usage: $0 [--dry-run] IFACE CORES" >&2; exit 2; }
iface=$1
spec=$2

run() {
  echo "+ $*"
  if ((dry == 0)); then "$@"; fi
}

[[ -e /sys/class/net/$iface ]] || { echo "$0: no interface $iface" >&2; exit 1; }

cores=()
IFS=, read -ra parts <<<"$spec"
for p in "${parts[@]}"; do
  if [[ $p =~ ^([0-9]+)-([0-9]+)$ ]]; then
    for ((c = BASH_REMATCH[1]; c <= BASH_REMATCH[2]; c++)); do cores+=("$c"); done
  elif [[ $p =~ ^[0-9]+$ ]]; then
    cores+=("$p")
  else
    echo "$0: bad core list '$spec'" >&2
    exit 2
  fi
done
n=${#cores[@]}
echo "# $iface: $n queue(s) for cores ${cores[*]}"

# 1. One combined channel (RX+TX queue pair) per worker.
run ethtool -L "$iface" combined "$n" || echo "# (driver cannot change its channel count: keep xntop's --queues at the current count)"

# 2. Symmetric RSS: a Toeplitz key of one repeated 16-bit pattern hashes (a,b) and (b,a) alike. The key length is
#    the driver's (40 or 52 bytes on most NICs): read it back from ethtool -x.
keylen=$(ethtool -x "$iface" 2>/dev/null | awk '/RSS hash key/{getline; print (length($0)+1)/3; exit}' || true)
if [[ -n ${keylen:-} && $keylen -gt 0 ]]; then
  key=$(for ((i = 0; i < keylen / 2; i++)); do printf '6d:5a:'; done)
  run ethtool -X "$iface" hkey "${key%:}" equal "$n"
else
  echo "# (no RSS hash key reported: nothing to make symmetric)"
fi

# 3. Hash on addresses and ports for TCP and UDP, both families.
for t in tcp4 udp4 tcp6 udp6; do
  run ethtool -N "$iface" rx-flow-hash "$t" sdfn || true
done

# 4. Offloads that merge or reshape packets would make xntop count what the NIC built, not what was on the wire.
run ethtool -K "$iface" gro off lro off rx-gro-hw off 2>/dev/null || true

# 5. Each queue's interrupt on its worker's core.
mapfile -t irqs < <(awk -v ifc="$iface" '$0 ~ ifc {sub(":", "", $1); print $1}' /proc/interrupts)
for i in "${!irqs[@]}"; do
  ((i < n)) || break
  run sh -c "echo ${cores[$i]} > /proc/irq/${irqs[$i]}/smp_affinity_list"
done
((${#irqs[@]} > 0)) || echo "# (no per-queue interrupts of $iface in /proc/interrupts, e.g. a virtual NIC)"

# 6. See every frame on the span port.
run ip link set "$iface" promisc on
echo "# done: start xntop with -i $iface -g $spec"
