//! Tests over the whole registry: every dissector survives any input, and the registration list stays in shape.

use proptest::prelude::*;

use super::util::harness::Harness;
use super::ALL;
use crate::dissector::{Dir, Order, Pkt, Verdict, L4};

/// Runs `pkt` through every registered dissector: probe, and follow when the probe asked for it.
fn through_all(pkt: &Pkt) {
    for p in ALL {
        if let Some(d) = p.dissector {
            let mut h = Harness::new(pkt);
            if let Verdict::Follow { .. } = h.probe(d, pkt) {
                let _ = h.follow(d, pkt);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
    /// Any payload, direction, transport, ports and history, through every dissector: no panic.
    #[test]
    fn no_dissector_panics(
        payload in proptest::collection::vec(any::<u8>(), 1..1600),
        to_server in any::<bool>(),
        udp in any::<bool>(),
        seen in (0u16..4, 0u16..4),
        ports in (any::<u16>(), prop_oneof![any::<u16>(), proptest::sample::select(registered_ports())]),
    ) {
        through_all(&Pkt {
            payload: &payload,
            dir: if to_server { Dir::ToServer } else { Dir::ToClient },
            l4: if udp { L4::Udp } else { L4::Tcp },
            client_port: ports.0,
            server_port: ports.1,
            seen: [seen.0, seen.1],
        });
    }

    /// Real-looking starts followed by garbage reach the deeper parsers.
    #[test]
    fn no_panic_on_prefixed_random_bytes(
        idx in 0usize..64,
        tail in proptest::collection::vec(any::<u8>(), 0..64),
        seen in any::<[u16; 2]>(),
        udp in any::<bool>(),
    ) {
        const HEADS: &[&[u8]] = &[
            b"SSH-2.0-", b"220 ", b"+OK ", b"* OK ", b"*3\r\n$3\r\n", b"\x00\x00\x00\x08\x04\xd2\x16\x2f",
            b"\x03\x00\x00", b"\x10", b"\x30\x84", b"\x05\x01", b"\x04\x01", b"RFB 003.008\n", b"\x12\x34",
            b"\x05\x00\x0b", b"\xff\xfb", b"\x13BitTorrent protocol", b"0032git-upload-pack ", b"JRMI",
            b"AMQP", b"ZBXD\x01", b"d1:ad2:id20:", b"\x80\x00\x00", b"\x00\x00", b"\x01\x01\x00",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", b"GET / HTTP/1.1\r\n", b"HTTP/1.1 200 OK\r\n",
            b"\x16\xfe\xfd\x00\x00\x00\x00\x00\x00\x00\x00", b"\xc0\x00\x00\x00\x01\x08", b"\x00\x01\x00\x00\x21\x12\xa4\x42",
        ];
        let head = HEADS[idx % HEADS.len()];
        let mut payload = head.to_vec();
        payload.extend_from_slice(&tail);
        for dir in [Dir::ToServer, Dir::ToClient] {
            let l4 = if udp { L4::Udp } else { L4::Tcp };
            through_all(&Pkt { payload: &payload, dir, l4, client_port: 1, server_port: 2, seen });
        }
    }
}

/// Every port some identity registers (so the random ports often hit a dissector's own).
fn registered_ports() -> Vec<u16> {
    let mut v: Vec<u16> = ALL
        .iter()
        .flat_map(|p| p.identities)
        .flat_map(|i| i.tcp_ports.iter().chain(i.udp_ports))
        .copied()
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[test]
fn registration_list_is_sorted_and_every_folder_declares_itself() {
    let names: Vec<&str> = ALL.iter().map(|p| p.proto().name()).collect();
    for (i, p) in ALL.iter().enumerate() {
        assert!(!p.identities.is_empty(), "entry {i} declares no identity");
        assert!(
            ALL[i + 1..].iter().all(|q| q.proto() != p.proto()),
            "{} registered twice",
            names[i]
        );
    }
    let source = include_str!("mod.rs");
    let list: Vec<&str> = source
        .split("register! {")
        .nth(1)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().strip_suffix(','))
        .collect();
    assert_eq!(list.len(), ALL.len());
    let mut sorted = list.clone();
    sorted.sort_unstable();
    assert_eq!(
        list, sorted,
        "keep the registration list sorted (fewer merge conflicts)"
    );
}

#[test]
fn first_ranks_are_distinct() {
    let mut ranks: Vec<u8> = ALL
        .iter()
        .filter_map(|p| match p.order {
            Order::First(r) => Some(r),
            _ => None,
        })
        .collect();
    let n = ranks.len();
    ranks.sort_unstable();
    ranks.dedup();
    assert_eq!(ranks.len(), n);
}
