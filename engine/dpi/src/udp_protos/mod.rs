//! Content dissectors for UDP-borne and industrial protocols.
//!
//! One file per protocol. Every dissector is zero-copy, bounds-checked and allocation-free; each checks magic
//! values, enumerations and length fields that must agree with the payload, and falls back to a port only when the
//! protocol has nothing else to recognise it by.

use crate::packet::Dissector;

mod bacnet;
mod bfd;
mod bgp;
mod capwap;
mod cassandra;
mod ceph;
mod dhcp;
mod dhcpv6;
mod dnp3;
mod elasticsearch;
mod ethereum;
mod hsrp;
mod iec60870;
mod ipsec;
mod kcp;
mod kerberos;
mod ldp;
mod memcached;
mod modbus;
mod munin;
mod netbios;
mod ntp;
mod openvpn;
mod ptpv2;
mod radius;
mod raknet;
mod rmcp;
mod roughtime;
mod rtp;
mod sip;
mod slp;
mod snmp;
mod source_engine;
mod ssdp;
mod stun;
mod syncthing;
mod syslog;
mod tftp;
mod tplink_shp;
mod tuya_lp;
mod ubntac2;
mod whois_das;
mod wireguard;
mod xdmcp;

/// Every dissector of this module.
pub const DISSECTORS: &[Dissector] = &[
    slp::DISSECTOR,
    netbios::DISSECTOR,
    radius::DISSECTOR,
    kerberos::DISSECTOR,
    ssdp::DISSECTOR,
    dhcp::DISSECTOR,
    dhcpv6::DISSECTOR,
    ntp::DISSECTOR,
    snmp::DISSECTOR,
    syslog::DISSECTOR,
    stun::DISSECTOR,
    sip::DISSECTOR,
    ipsec::DISSECTOR,
    openvpn::DISSECTOR,
    wireguard::DISSECTOR,
    tftp::DISSECTOR,
    memcached::DISSECTOR,
    bfd::DISSECTOR,
    hsrp::DISSECTOR,
    ldp::DISSECTOR,
    raknet::DISSECTOR,
    source_engine::DISSECTOR,
    tplink_shp::DISSECTOR,
    tuya_lp::DISSECTOR,
    ubntac2::DISSECTOR,
    capwap::DISSECTOR,
    bacnet::DISSECTOR,
    dnp3::DISSECTOR,
    modbus::DISSECTOR,
    iec60870::DISSECTOR,
    roughtime::DISSECTOR,
    rmcp::DISSECTOR,
    ptpv2::DISSECTOR,
    syncthing::DISSECTOR,
    kcp::DISSECTOR,
    whois_das::DISSECTOR,
    xdmcp::DISSECTOR,
    munin::DISSECTOR,
    elasticsearch::DISSECTOR,
    cassandra::DISSECTOR,
    bgp::DISSECTOR,
    ceph::DISSECTOR,
    ethereum::DISSECTOR,
    // Last: no magic, decided only after several packets.
    rtp::DISSECTOR,
];

/// Whether `needle` occurs in `hay`, ASCII case-insensitively.
pub(crate) fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// A NetBIOS first-level encoded name: 32 characters, each 'A'..='P'.
pub(crate) fn is_nb_encoded(p: &[u8]) -> bool {
    p.len() == 32 && p.iter().all(|c| (b'A'..=b'P').contains(c))
}

#[cfg(test)]
pub(crate) mod testutil {
    use crate::packet::{Dir, Pkt, L4};

    /// Hex string (whitespace ignored) to bytes.
    pub fn hex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s
            .bytes()
            .filter(u8::is_ascii_hexdigit)
            .map(|c| match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                _ => c - b'A' + 10,
            })
            .collect();
        digits
            .chunks(2)
            .map(|c| (c[0] << 4) | c.get(1).copied().unwrap_or_default())
            .collect()
    }

    /// A first client → server packet.
    pub fn pkt(payload: &[u8], l4: L4, client_port: u16, server_port: u16) -> Pkt<'_> {
        Pkt {
            payload,
            dir: Dir::ToServer,
            l4,
            client_port,
            server_port,
            seen: [0, 0],
        }
    }

    /// A packet with explicit direction and counts.
    pub fn pkt_at(
        payload: &[u8],
        l4: L4,
        client_port: u16,
        server_port: u16,
        dir: Dir,
        seen: [u16; 2],
    ) -> Pkt<'_> {
        Pkt {
            payload,
            dir,
            l4,
            client_port,
            server_port,
            seen,
        }
    }

    /// Pseudo-random bytes (xorshift), deterministic.
    pub fn noise(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::DISSECTORS;
    use crate::packet::{Dir, Pkt, L4};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn no_dissector_panics(
            payload in proptest::collection::vec(any::<u8>(), 1..600),
            tcp in any::<bool>(),
            cport in any::<u16>(),
            sport in prop_oneof![Just(0u16), any::<u16>(), proptest::sample::select(ALL_PORTS)],
            to_server in any::<bool>(),
            seen0 in 0u16..4,
            seen1 in 0u16..4,
        ) {
            let pkt = Pkt {
                payload: &payload,
                dir: if to_server { Dir::ToServer } else { Dir::ToClient },
                l4: if tcp { L4::Tcp } else { L4::Udp },
                client_port: cport,
                server_port: sport,
                seen: [seen0, seen1],
            };
            for d in DISSECTORS {
                let _ = (d.detect)(&pkt);
            }
        }
    }

    const ALL_PORTS: &[u16] = &[
        43, 67, 68, 69, 88, 123, 137, 138, 139, 161, 162, 177, 179, 319, 320, 427, 500, 502, 514,
        546, 547, 623, 646, 1194, 1645, 1646, 1812, 1813, 1900, 1985, 2002, 2029, 2404, 3478, 3784,
        4500, 4784, 4949, 5060, 5246, 5247, 6666, 6667, 6789, 9042, 9300, 9999, 10000, 10001,
        11211, 20000, 21027, 27015, 47808,
    ];

    #[test]
    fn dissector_entries_are_consistent() {
        for d in DISSECTORS {
            assert!(d.tcp || d.udp, "{:?} applies nowhere", d.proto);
        }
    }
}
