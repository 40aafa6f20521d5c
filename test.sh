#!/usr/bin/env bash
# Runs every test of xntop: formatting, lints, unit and property tests, and the integration tests that compare
# xntop against tshark/capinfos on the captures in pcaps/. Installs the Debian packages the tests use (as root).
set -euo pipefail
cd "$(dirname "$0")"

# tcpreplay and iproute2 feed the live-capture tests (veth pairs in namespaces), ping, python3 (http.server) and curl
# the host-traffic test; clang-16/llvm-16/clang-format-16 rebuild the XDP program to check the committed object
# against its source.
# mmdb-bin (mmdblookup), p0f and ieee-data are the references of the enrichment and inventory tests; python3-pip
# installs their PyPI data below.
packages=(python3-jsonschema tshark wireshark-common tcpdump nfdump softflowd redis-server redis-tools chromium tcpreplay iproute2
  clang-16 llvm-16 clang-format-16 libbpf-dev systemd curl openssl iputils-ping python3 python3-pip mmdb-bin p0f
  ieee-data)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The browser test (web/e2e) needs node >= 18 and npm: Debian's nodejs and npm unless a node is already installed
# (e.g. NodeSource's nodejs, which carries its own npm and conflicts with Debian's).
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "test.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The enrichment tests read PyPI's maxminddb-geolite2 (a GeoLite2 City file) and write an ASN file with mmdb-writer.
if ! python3 -c 'import _maxminddb_geolite2, mmdb_writer' 2>/dev/null; then
  echo "test.sh: pip install maxminddb-geolite2 mmdb-writer"
  python3 -m pip install --quiet maxminddb-geolite2 mmdb-writer 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages maxminddb-geolite2 mmdb-writer
fi
if ! command -v cargo >/dev/null; then
  echo "test.sh: cargo not found: install a Rust toolchain (rustup) first" >&2
  exit 1
fi
rustup component list --installed 2>/dev/null | grep -q rustfmt || rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== ebpf/check.sh (the embedded XDP object rebuilds from its source)"
sh ebpf/check.sh
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test"
cargo test --workspace 2>&1
