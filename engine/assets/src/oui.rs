//! Vendors of Ethernet addresses from the IEEE's MA-L (OUI) registry, embedded as a compact table
//! (`data/oui.tsv`, built from Debian's ieee-data; see `data/README.md`).

use std::sync::OnceLock;

static TABLE_TEXT: &str = include_str!("../data/oui.tsv");

/// `(OUI, organisation)` sorted by OUI, parsed once on first use.
fn table() -> &'static [(u32, &'static str)] {
    static TABLE: OnceLock<Vec<(u32, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut v: Vec<(u32, &'static str)> = TABLE_TEXT
            .lines()
            .filter_map(|l| {
                let (hex, name) = l.split_once('\t')?;
                Some((u32::from_str_radix(hex, 16).ok()?, name))
            })
            .collect();
        v.sort_unstable_by_key(|e| e.0);
        v
    })
}

/// Assignments in the table.
#[must_use]
pub fn len() -> usize {
    table().len()
}

/// What the first three bytes of a MAC say about who made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vendor {
    /// An IEEE assignment.
    Registered(&'static str),
    /// The locally administered bit is set: an address the host chose (randomised Wi-Fi addresses, VMs,
    /// containers, veth pairs), no vendor.
    LocallyAdministered,
    /// A group (multicast) address.
    Group,
    /// Not in the table.
    Unknown,
}

/// The vendor of `mac`.
#[must_use]
pub fn vendor(mac: [u8; 6]) -> Vendor {
    if mac[0] & 1 != 0 {
        return Vendor::Group;
    }
    if mac[0] & 2 != 0 {
        return Vendor::LocallyAdministered;
    }
    let oui = u32::from_be_bytes([0, mac[0], mac[1], mac[2]]);
    let t = table();
    match t.binary_search_by_key(&oui, |e| e.0) {
        Ok(i) => Vendor::Registered(t[i].1),
        Err(_) => Vendor::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vendors_and_special_bits() {
        assert!(len() > 30_000);
        assert_eq!(
            vendor([0xb8, 0x27, 0xeb, 1, 2, 3]),
            Vendor::Registered("Raspberry Pi Foundation")
        );
        assert_eq!(
            vendor([0x00, 0x1c, 0x42, 0, 0, 1]),
            Vendor::Registered("Parallels, Inc.")
        );
        assert_eq!(vendor([0x02, 0, 0, 0, 0, 1]), Vendor::LocallyAdministered);
        assert_eq!(vendor([0x01, 0x00, 0x5e, 0, 0, 1]), Vendor::Group);
        // 00:00:00 is Xerox's; an unassigned block is unknown.
        assert_eq!(vendor([0xfc, 0xff, 0xff, 0, 0, 0]), Vendor::Unknown);
    }

    /// Every line of Debian's own oui.csv that the table holds gives the same organisation (when ieee-data is
    /// installed; test.sh installs it).
    #[test]
    fn agrees_with_ieee_data_when_installed() {
        let Ok(text) = std::fs::read_to_string("/usr/share/ieee-data/oui.txt") else {
            eprintln!("skipped: /usr/share/ieee-data/oui.txt missing (apt-get install ieee-data)");
            return;
        };
        // A few OUIs were assigned twice (08:00:30): any of the registered names will do.
        let mut registered: std::collections::HashMap<u32, Vec<String>> =
            std::collections::HashMap::new();
        for line in text.lines().filter(|l| l.contains("(base 16)")) {
            let mut parts = line.split("(base 16)");
            let hex = parts.next().unwrap_or("").trim();
            let org = parts
                .next()
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let Ok(oui) = u32::from_str_radix(hex, 16) else {
                continue;
            };
            // oui.txt drops the quotes oui.csv keeps (`JSC "MASSA-K"`).
            let name: String = org.chars().take(64).collect();
            registered
                .entry(oui)
                .or_default()
                .push(name.trim().replace('"', ""));
        }
        let mut checked = 0;
        for (oui, names) in &registered {
            let b = oui.to_be_bytes();
            if b[1] & 3 != 0 || names.iter().all(String::is_empty) {
                continue;
            }
            let got = match vendor([b[1], b[2], b[3], 0, 0, 0]) {
                Vendor::Registered(v) => v.replace('"', ""),
                other => panic!("{oui:06X}: {other:?}"),
            };
            assert!(names.contains(&got), "{oui:06X}: {got} not in {names:?}");
            checked += 1;
        }
        assert!(checked > 30_000, "{checked}");
    }
}
