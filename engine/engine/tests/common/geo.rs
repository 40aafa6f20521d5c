//! Enrichment test material: pcaps/demo.pcap rewritten to public addresses, the GeoLite2 City file of PyPI's
//! maxminddb-geolite2, an ASN file written with PyPI's mmdb-writer, and `mmdblookup` as the reference.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{repo_root, tool};

/// demo.pcap's addresses → public ones (GB with a city, SE with a city, JP without one, US with one); its
/// link-local and multicast IPv6 addresses stay, and no file knows them.
pub const PNAT: &str = "10.77.0.1/32:81.2.69.142/32,10.77.0.2/32:89.160.20.112/32,\
                    [fd77::1/128]:[2001:218::1/128],[fd77::2/128]:[2001:4860:4860::8888/128]";

/// The GeoLite2 City file PyPI's maxminddb-geolite2 ships.
pub fn geolite_city() -> PathBuf {
    let dir = tool(
        "python3",
        &[
            "-c",
            "import os, _maxminddb_geolite2 as m; print(os.path.dirname(m.__file__))",
        ],
    );
    Path::new(dir.trim()).join("GeoLite2-City.mmdb")
}

/// `mmdblookup`'s value at `path` for `ip`, or None when the file has no entry or no such field.
pub fn mmdblookup(file: &Path, ip: &str, path: &[&str]) -> Option<String> {
    let out = Command::new("mmdblookup")
        .args(["-f", file.to_str().unwrap_or(""), "-i", ip])
        .args(path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run mmdblookup ({e}): apt-get install mmdb-bin"));
    if !out.status.success() {
        return None;
    }
    // `  "GB" <utf8_string>` or `  64496 <uint32>`.
    let text = String::from_utf8_lossy(&out.stdout);
    let value = text.trim().rsplit_once(" <")?.0.trim();
    Some(value.trim_matches('"').to_string())
}

/// `pcaps/demo.pcap` with its addresses rewritten by [`PNAT`] (and every frame tagged with `vlan`, when given), in
/// `dir`.
pub fn public_demo(dir: &Path, vlan: Option<u16>) -> PathBuf {
    let out = dir.join(format!("public-{}.pcap", vlan.unwrap_or(0)));
    let demo = repo_root().join("pcaps/demo.pcap");
    let pnat = format!("--pnat={PNAT}");
    let tag = vlan.map(|v| format!("--enet-vlan-tag={v}"));
    let mut args = vec![pnat.as_str(), "--fixcsum"];
    if let Some(t) = &tag {
        args.extend([
            "--enet-vlan=add",
            t.as_str(),
            "--enet-vlan-pri=0",
            "--enet-vlan-cfi=0",
        ]);
    }
    args.extend(["-i", demo.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    tool("tcprewrite", &args);
    out
}

/// The test ASN file (`tests/data/make_asn_mmdb.py`), written in `dir`.
pub fn asn_mmdb(dir: &Path) -> PathBuf {
    let out = dir.join("asn.mmdb");
    let script = repo_root().join("engine/engine/tests/data/make_asn_mmdb.py");
    tool(
        "python3",
        &[script.to_str().unwrap(), out.to_str().unwrap()],
    );
    out
}
