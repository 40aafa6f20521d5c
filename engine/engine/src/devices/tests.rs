#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use super::*;
use xntop_wire::syn::{signature, IpFacts};

const S: u64 = 1_000_000_000;
const PI: Mac = [0xb8, 0x27, 0xeb, 1, 2, 3];
const ROUTER: Mac = [0x00, 0x1c, 0x42, 9, 9, 9];

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn fact(ipa: &str, mac: Mac, at: u64, kind: FactKind, v: &str) -> Fact {
    Fact {
        ip: ip(ipa),
        mac,
        ts_ns: at * S,
        kind,
        value: v.into(),
    }
}

fn touch(client: (&str, Mac), server: (&str, Mac), port: u16, at: u64, new: bool) -> FlowTouch {
    FlowTouch {
        client: (ip(client.0), client.1),
        server: (ip(server.0), server.1),
        proto: 6,
        server_port: port,
        app: xntop_dpi::NameParts {
            master: xntop_dpi::Proto::Http,
            app: xntop_dpi::Proto::Http,
        },
        bytes: [100, 1000],
        new,
        answered: true,
        ts_ns: at * S,
        eligible: [true, true],
    }
}

fn device<'a>(v: &'a [DeviceView], id: &str) -> &'a DeviceView {
    v.iter()
        .find(|d| d.id == id)
        .unwrap_or_else(|| panic!("no device {id}: {v:?}"))
}

/// A DHCP client with no address yet is known by its MAC; its later traffic joins the same device; the vendor comes
/// from the OUI; OS and type from the vendor class, each with its evidence.
#[test]
fn dhcp_then_traffic_make_one_device() {
    let mut inv = Inventory::new(vec!["10.0.0.0/24".parse().unwrap()], 100);
    inv.fact(&fact(
        "0.0.0.0",
        PI,
        1,
        FactKind::DhcpHostname,
        "kitchen-pi",
    ));
    inv.fact(&fact(
        "0.0.0.0",
        PI,
        1,
        FactKind::DhcpVendorClass,
        "udhcp 1.35.0",
    ));
    inv.fact(&fact(
        "0.0.0.0",
        PI,
        1,
        FactKind::DhcpFingerprint,
        "1,3,6,12,15,28,42",
    ));
    inv.flow(&touch(("10.0.0.7", PI), ("10.0.0.1", ROUTER), 80, 2, true));
    let (v, stats) = inv.views(|_| None);
    assert_eq!(stats.devices, 2);
    let pi = device(&v, "b8:27:eb:01:02:03");
    assert_eq!(pi.vendor.as_deref(), Some("Raspberry Pi Foundation"));
    assert_eq!(pi.os.as_deref(), Some("Linux"));
    assert_eq!(pi.names[0].name, "kitchen-pi");
    assert_eq!(pi.names[0].source, "dhcp");
    assert_eq!(pi.addresses.len(), 1);
    assert_eq!(pi.addresses[0].ip, ip("10.0.0.7"));
    assert_eq!(pi.services_used, vec![("HTTP".to_string(), 1)]);
    assert!(pi
        .evidence
        .iter()
        .any(|e| e.source == "dhcp_vendor_class" && e.value == "udhcp 1.35.0"));
    assert!(pi.evidence.iter().any(|e| e.source == "oui"));
    assert_eq!(pi.changes[0].kind, "new_device");
    assert!(pi.changes[0].alert);
    // The server offers HTTP on 80: a new-service alert.
    let server = device(&v, "00:1c:42:09:09:09");
    assert_eq!(server.services_offered.len(), 1);
    assert_eq!(server.services_offered[0].port, 80);
    assert!(server
        .changes
        .iter()
        .any(|c| c.kind == "new_service" && c.alert));
}

/// A second address and a second name are changes with alerts; a known one is not.
#[test]
fn changes_and_alerts() {
    let mut inv = Inventory::new(Vec::new(), 100);
    inv.flow(&touch(
        ("192.168.1.5", PI),
        ("192.168.1.1", ROUTER),
        53,
        1,
        true,
    ));
    inv.flow(&touch(
        ("192.168.1.5", PI),
        ("192.168.1.1", ROUTER),
        53,
        2,
        false,
    ));
    inv.flow(&touch(
        ("192.168.1.6", PI),
        ("192.168.1.1", ROUTER),
        53,
        3,
        true,
    ));
    inv.fact(&fact("192.168.1.6", PI, 4, FactKind::MdnsName, "pi.local"));
    inv.fact(&fact("192.168.1.6", PI, 5, FactKind::DhcpHostname, "pi2"));
    let (v, _) = inv.views(|_| None);
    let pi = device(&v, "b8:27:eb:01:02:03");
    let kinds: Vec<(&str, bool)> = pi
        .changes
        .iter()
        .map(|c| (c.kind.as_str(), c.alert))
        .collect();
    assert_eq!(
        kinds,
        [
            ("new_device", true),
            ("new_address", true),
            ("new_name", false),
            ("new_name", true)
        ]
    );
    assert_eq!(pi.addresses[0].ip, ip("192.168.1.6"), "most recent first");
    assert!(pi.addresses[0].dhcp, "a DHCP message came from it");
    assert_eq!(pi.names[0].name, "pi2");
    assert_eq!(pi.names[1].name, "pi");
    // Without -m, public addresses are not devices.
    let mut inv = Inventory::new(Vec::new(), 100);
    inv.flow(&FlowTouch {
        eligible: [false, false],
        ..touch(("8.8.8.8", [0; 6]), ("1.1.1.1", [0; 6]), 53, 1, true)
    });
    assert!(
        !inv.eligible(ip("8.8.8.8")) && inv.eligible(ip("fe80::1")) && inv.eligible(ip("fd00::1"))
    );
    assert_eq!(inv.views(|_| None).0.len(), 0);
}

/// A SYN names the OS (p0f-style), with the signature as evidence; hosts behind a router are devices by address.
#[test]
fn syn_fingerprint_and_routed_hosts() {
    let mut inv = Inventory::new(vec!["10.0.0.0/8".parse().unwrap()], 100);
    let mut h = vec![0u8; 20];
    h[4] = 1;
    h[12] = 0xa0;
    h[13] = 0x02;
    h.extend_from_slice(&[
        2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
    ]);
    let sig = signature(
        IpFacts {
            ttl: 64,
            df: true,
            id: 9,
            ecn: false,
            v6: false,
        },
        &h,
    );
    inv.syn(&SynSample {
        ip: ip("10.0.0.7"),
        mac: PI,
        ts_ns: S,
        sig,
        window: 64240,
        payload: false,
    });
    // Nine addresses behind one MAC: from the ninth on, devices by address.
    for i in 1..=10u8 {
        inv.flow(&touch(
            (&format!("10.1.0.{i}"), ROUTER),
            ("10.0.0.7", PI),
            22,
            2,
            true,
        ));
    }
    let (v, _) =
        inv.views(|ip| (ip == "10.0.0.7".parse::<IpAddr>().unwrap()).then(|| "pi.lan".into()));
    let pi = device(&v, "b8:27:eb:01:02:03");
    assert_eq!(pi.os.as_deref(), Some("Linux"));
    assert_eq!(pi.os_detail.as_deref(), Some("4.19 and newer"));
    let e = pi.evidence.iter().find(|e| e.source == "tcp_syn").unwrap();
    assert_eq!(e.value, "4:64+0:0:1460:64240,7:mss,sok,ts,nop,ws:df,id+:0");
    assert_eq!(e.verdict, "Linux 4.19 and newer");
    assert!(pi
        .names
        .iter()
        .any(|n| n.name == "pi.lan" && n.source == "dns"));
    let router = device(&v, "00:1c:42:09:09:09");
    assert_eq!(router.addresses.len(), ROUTER_ADDRESSES);
    assert!(v.iter().any(|d| d.id == "10.1.0.9" && d.mac.is_none()));
    assert!(v.iter().any(|d| d.id == "10.1.0.10"));
}

/// The inventory is bounded (idlest evicted, counted) and survives a restart through the data directory.
#[test]
fn bounded_and_persistent() {
    let mut inv = Inventory::new(Vec::new(), 10);
    for i in 0..30u8 {
        inv.flow(&FlowTouch {
            eligible: [true, false],
            ..touch(
                (&format!("10.0.0.{i}"), [0; 6]),
                ("8.8.8.8", [0; 6]),
                53,
                u64::from(i) + 1,
                true,
            )
        });
    }
    let (v, stats) = inv.views(|_| None);
    assert!(v.len() <= 10, "{}", v.len());
    assert!(stats.evicted >= 20);
    assert_eq!(v[0].id, "10.0.0.29", "the newest stay");

    let dir = std::env::temp_dir().join(format!("xntop-devices-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut a = Inventory::new(Vec::new(), 100);
    a.persist(dir.clone());
    a.fact(&fact("10.0.0.9", PI, 1, FactKind::DhcpHostname, "keeper"));
    a.save();
    let mode = std::fs::metadata(dir.join(store::FILE_NAME)).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
        0o600
    );
    let mut b = Inventory::new(Vec::new(), 100);
    b.persist(dir.clone());
    b.flow(&touch(("10.0.0.9", PI), ("10.0.0.1", ROUTER), 80, 5, true));
    let (v, stats) = b.views(|_| None);
    assert_eq!(stats.restored, 1);
    let pi = device(&v, "b8:27:eb:01:02:03");
    assert_eq!(pi.names[0].name, "keeper");
    assert_eq!(pi.first_seen, 1.0);
    assert_eq!(
        pi.changes.iter().filter(|c| c.kind == "new_device").count(),
        1,
        "not new again after a restart"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
