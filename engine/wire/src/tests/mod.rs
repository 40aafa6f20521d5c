//! Decoder tests from packet bytes (see `vectors.rs` for their provenance) and a property test over arbitrary and
//! mutated input.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod vectors;

use std::net::IpAddr;

use proptest::prelude::*;
use vectors::*;

use crate::{decode, tcp_flags, Decoded, Fragment, LinkType, Reject, Tunnel};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn eth(v: &str) -> Vec<u8> {
    hex(v)
}

fn ok(link: LinkType, frame: &[u8]) -> Decoded<'_> {
    decode(link, frame).unwrap_or_else(|r| panic!("rejected: {r:?}"))
}

fn tuple(d: &Decoded<'_>) -> (IpAddr, u16, IpAddr, u16, u8) {
    (d.src, d.src_port, d.dst, d.dst_port, d.proto)
}

#[test]
fn ethernet_ipv4_tcp_syn() {
    let f = eth(ETH_V4_TCP_SYN);
    let d = ok(LinkType::Ethernet, &f);
    assert_eq!(tuple(&d), (ip("10.1.1.1"), 40000, ip("10.2.2.2"), 443, 6));
    let tcp = d.tcp.unwrap();
    assert_eq!(tcp.flags, tcp_flags::SYN);
    assert_eq!(tcp.seq, 1000);
    assert_eq!(d.src_mac, Some([2, 0, 0, 0, 0, 1]));
    assert_eq!(d.dst_mac, Some([2, 0, 0, 0, 0, 2]));
    assert!(d.payload.is_empty());
    assert_eq!(
        (d.vlan, d.tunnel, d.fragment),
        (0, Tunnel::None, Fragment::None)
    );
}

#[test]
fn ethernet_padding_is_not_payload() {
    let f = eth(ETH_V4_UDP_PADDED);
    assert_eq!(f.len(), 60);
    let d = ok(LinkType::Ethernet, &f);
    assert_eq!(d.payload, b"ab");
}

#[test]
fn ipv4_options_are_skipped() {
    let f = eth(ETH_V4_OPTIONS_TCP);
    let d = ok(LinkType::Ethernet, &f);
    assert_eq!(tuple(&d), (ip("10.1.1.1"), 1, ip("10.2.2.2"), 2, 6));
    assert_eq!(d.payload, b"hello");
}

#[test]
fn ipv6_extension_headers_are_walked() {
    let f = eth(ETH_V6_EXT_TCP);
    let d = ok(LinkType::Ethernet, &f);
    assert_eq!(
        tuple(&d),
        (ip("2001:db8::1"), 50000, ip("2001:db8::2"), 80, 6)
    );
}

#[test]
fn qinq_keeps_the_inner_vlan() {
    let f = eth(QINQ_V4_UDP);
    let d = ok(LinkType::Ethernet, &f);
    assert_eq!(d.vlan, 200);
    assert_eq!(tuple(&d), (ip("10.1.1.1"), 1000, ip("10.2.2.2"), 2000, 17));
    assert_eq!(d.payload, b"x");
}

#[test]
fn mpls_and_pppoe_reach_ip() {
    let f = eth(MPLS2_V4_TCP);
    assert_eq!(
        tuple(&ok(LinkType::Ethernet, &f)),
        (ip("10.1.1.1"), 3, ip("10.2.2.2"), 4, 6)
    );
    let f = eth(PPPOE_V4_UDP);
    let d = ok(LinkType::Ethernet, &f);
    assert_eq!(tuple(&d), (ip("10.1.1.1"), 5, ip("10.2.2.2"), 6, 17));
    assert_eq!(d.payload, b"yy");
}

#[test]
fn cooked_null_loop_and_raw_links() {
    let ip4 = hex(IP4_TCP);
    let ip6 = hex(IP6_TCP);
    let want4 = (ip("10.1.1.1"), 40000, ip("10.2.2.2"), 443, 6);
    let want6 = (ip("2001:db8::1"), 50000, ip("2001:db8::2"), 80, 6);

    let mut sll = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 0, 1, 0, 0x08, 0x00];
    sll.extend_from_slice(&ip4);
    assert_eq!(tuple(&ok(LinkType::LinuxSll, &sll)), want4);

    let mut sll2 = vec![
        0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 0, 0, 0,
    ];
    sll2.extend_from_slice(&ip6);
    assert_eq!(tuple(&ok(LinkType::LinuxSll2, &sll2)), want6);

    for family in [[2u8, 0, 0, 0], [0, 0, 0, 2]] {
        let mut null = family.to_vec();
        null.extend_from_slice(&ip4);
        assert_eq!(tuple(&ok(LinkType::Null, &null)), want4);
    }
    for family in [[30u8, 0, 0, 0], [0, 0, 0, 24]] {
        let mut null = family.to_vec();
        null.extend_from_slice(&ip6);
        assert_eq!(tuple(&ok(LinkType::Null, &null)), want6);
    }
    let mut lo = vec![0, 0, 0, 2];
    lo.extend_from_slice(&ip4);
    assert_eq!(tuple(&ok(LinkType::Loop, &lo)), want4);
    lo[..4].copy_from_slice(&[2, 0, 0, 0]);
    assert_eq!(decode(LinkType::Loop, &lo), Err(Reject::NonIp));

    assert_eq!(tuple(&ok(LinkType::Raw, &ip4)), want4);
    assert_eq!(tuple(&ok(LinkType::Raw, &ip6)), want6);
    assert_eq!(tuple(&ok(LinkType::Ipv4, &ip4)), want4);
    assert_eq!(tuple(&ok(LinkType::Ipv6, &ip6)), want6);
    assert_eq!(
        decode(LinkType::Raw, &[0x50, 0, 0]),
        Err(Reject::IpBadVersion)
    );

    let mut ppp = vec![0xff, 0x03, 0x00, 0x21];
    ppp.extend_from_slice(&ip4);
    assert_eq!(tuple(&ok(LinkType::Ppp, &ppp)), want4);
    let mut ppp6 = vec![0x00, 0x57];
    ppp6.extend_from_slice(&ip6);
    assert_eq!(tuple(&ok(LinkType::Ppp, &ppp6)), want6);
}

#[test]
fn fragments() {
    let f = eth(V4_FRAG_FIRST);
    let d = ok(LinkType::Ethernet, &f);
    assert_eq!(d.fragment, Fragment::First { id: 9 });
    assert_eq!((d.src_port, d.dst_port, d.proto), (7, 8, 17));
    let f = eth(V4_FRAG_LATER);
    let d = ok(LinkType::Ethernet, &f);
    assert_eq!(d.fragment, Fragment::Later { id: 9 });
    assert_eq!((d.src_port, d.dst_port, d.proto), (0, 0, 17));
    assert!(d.payload.is_empty());
    let f = eth(V6_FRAG_LATER);
    let d = ok(LinkType::Ethernet, &f);
    assert_eq!(d.fragment, Fragment::Later { id: 0x1234 });
    assert_eq!(d.proto, 17);
}

#[test]
fn icmp_and_sctp() {
    let f = eth(V4_ICMP_ECHO);
    let d = ok(LinkType::Ethernet, &f);
    assert_eq!(
        (d.proto, d.icmp, d.payload),
        (1, Some((8, 0)), &b"ping"[..])
    );
    let f = eth(V6_ICMPV6_ECHO);
    let d = ok(LinkType::Ethernet, &f);
    assert_eq!((d.proto, d.icmp), (58, Some((128, 0))));
    let f = eth(V4_SCTP);
    let d = ok(LinkType::Ethernet, &f);
    assert_eq!((d.proto, d.src_port, d.dst_port), (132, 2905, 2905));
}

#[test]
fn tunnels_give_the_inner_flow() {
    let cases = [
        (
            GRE_KEY_V4,
            Tunnel::Gre,
            (ip("192.168.9.1"), 11, ip("192.168.9.2"), 12, 17),
        ),
        (
            GRE_TEB,
            Tunnel::Gre,
            (ip("192.168.9.1"), 1234, ip("192.168.9.2"), 80, 6),
        ),
        (
            VXLAN,
            Tunnel::Vxlan,
            (ip("192.168.9.1"), 1234, ip("192.168.9.2"), 80, 6),
        ),
        (
            GTPU,
            Tunnel::GtpU,
            (ip("172.20.0.1"), 3333, ip("8.8.8.8"), 53, 17),
        ),
        (
            GTPU_EXT,
            Tunnel::GtpU,
            (ip("172.20.0.1"), 4444, ip("8.8.4.4"), 443, 6),
        ),
        (
            CAPWAP_80211,
            Tunnel::Capwap,
            (ip("192.168.50.5"), 5555, ip("192.168.50.6"), 22, 6),
        ),
        (
            CAPWAP_8023,
            Tunnel::Capwap,
            (ip("192.168.9.1"), 1234, ip("192.168.9.2"), 80, 6),
        ),
        (
            IP6_IN_IP4,
            Tunnel::IpInIp,
            (ip("2001:db8::1"), 50000, ip("2001:db8::2"), 80, 6),
        ),
    ];
    for (hexed, tunnel, want) in cases {
        let f = eth(hexed);
        let d = ok(LinkType::Ethernet, &f);
        assert_eq!((d.tunnel, tuple(&d)), (tunnel, want));
        // The outer frame's MACs stay.
        assert_eq!(d.src_mac, Some([2, 0, 0, 0, 0, 1]));
    }
    let f = eth(GTPU);
    assert_eq!(ok(LinkType::Ethernet, &f).payload, b"q");
}

#[test]
fn a_udp_flow_on_a_tunnel_port_that_is_not_a_tunnel_stays_udp() {
    let f = eth(VXLAN_GARBAGE);
    let d = ok(LinkType::Ethernet, &f);
    assert_eq!((d.tunnel, d.proto, d.dst_port), (Tunnel::None, 17, 4789));
    assert_eq!(d.payload, b"not vxlan");
}

#[test]
fn nesting_is_bounded() {
    let f = eth(VXLAN_NESTED5);
    assert_eq!(
        decode(LinkType::Ethernet, &f),
        Err(Reject::TooManyEncapsulations)
    );
}

#[test]
fn rejects_name_their_reason() {
    let syn = eth(ETH_V4_TCP_SYN);
    assert_eq!(decode(LinkType::Ethernet, &eth(ARP)), Err(Reject::NonIp));
    assert_eq!(
        decode(LinkType::Ethernet, &syn[..10]),
        Err(Reject::EthernetTruncated)
    );
    assert_eq!(
        decode(LinkType::Ethernet, &syn[..20]),
        Err(Reject::Ipv4Truncated)
    );
    let mut ihl = syn.clone();
    ihl[14] = 0x44;
    assert_eq!(
        decode(LinkType::Ethernet, &ihl),
        Err(Reject::Ipv4BadHeaderLength)
    );
    let mut total = syn.clone();
    total[16..18].copy_from_slice(&10u16.to_be_bytes());
    assert_eq!(
        decode(LinkType::Ethernet, &total),
        Err(Reject::Ipv4BadTotalLength)
    );
    let mut doff = syn.clone();
    doff[14 + 20 + 12] = 0xf0;
    assert_eq!(
        decode(LinkType::Ethernet, &doff),
        Err(Reject::TcpBadDataOffset)
    );
    // A TCP header cut by the capture: IP says 40 bytes, 30 were captured.
    assert_eq!(
        decode(LinkType::Ethernet, &syn[..44]),
        Err(Reject::TcpTruncated)
    );
    let qinq = eth(QINQ_V4_UDP);
    assert_eq!(
        decode(LinkType::Ethernet, &qinq[..16]),
        Err(Reject::VlanTruncated)
    );
    let mpls = eth(MPLS2_V4_TCP);
    assert_eq!(
        decode(LinkType::Ethernet, &mpls[..16]),
        Err(Reject::MplsTruncated)
    );
    let pppoe = eth(PPPOE_V4_UDP);
    assert_eq!(
        decode(LinkType::Ethernet, &pppoe[..18]),
        Err(Reject::PppoeTruncated)
    );
    let v6 = eth(ETH_V6_EXT_TCP);
    assert_eq!(
        decode(LinkType::Ethernet, &v6[..40]),
        Err(Reject::Ipv6Truncated)
    );
    assert_eq!(
        decode(LinkType::Ethernet, &v6[..14 + 40 + 4]),
        Err(Reject::Ipv6BadExtensionHeader)
    );
    let udp = eth(ETH_V4_UDP_PADDED);
    assert_eq!(
        decode(LinkType::Raw, &udp[14..14 + 24]),
        Err(Reject::UdpTruncated)
    );
    let icmp = eth(V4_ICMP_ECHO);
    assert_eq!(
        decode(LinkType::Raw, &icmp[14..14 + 22]),
        Err(Reject::IcmpTruncated)
    );
    let sctp = eth(V4_SCTP);
    assert_eq!(
        decode(LinkType::Raw, &sctp[14..14 + 28]),
        Err(Reject::SctpTruncated)
    );
    assert_eq!(
        decode(LinkType::LinuxSll, &[0; 10]),
        Err(Reject::SllTruncated)
    );
    assert_eq!(decode(LinkType::Null, &[2, 0]), Err(Reject::NullTruncated));
}

#[test]
fn an_ipv6_chain_longer_than_the_bound_is_malformed() {
    // Nine destination-options headers (8 bytes each), then no next header.
    let n = crate::MAX_EXTENSION_HEADERS + 1;
    let mut p = vec![0x60, 0, 0, 0];
    p.extend_from_slice(&u16::try_from(n * 8).unwrap().to_be_bytes());
    p.extend_from_slice(&[60, 64]);
    p.extend_from_slice(&[0; 32]);
    for i in 0..n {
        p.extend_from_slice(&[if i + 1 == n { 59 } else { 60 }, 0, 0, 0, 0, 0, 0, 0]);
    }
    assert_eq!(
        decode(LinkType::Raw, &p),
        Err(Reject::Ipv6BadExtensionHeader)
    );
    // Eight are fine.
    let mut q = p.clone();
    q.truncate(40 + 8 * (n - 1));
    q[4..6].copy_from_slice(&u16::try_from((n - 1) * 8).unwrap().to_be_bytes());
    let last = q.len() - 8;
    q[last] = 59;
    assert_eq!(decode(LinkType::Raw, &q).map(|d| d.proto), Ok(59));
}

fn all_vectors() -> Vec<Vec<u8>> {
    [
        ETH_V4_TCP_SYN,
        ETH_V4_UDP_PADDED,
        ETH_V4_OPTIONS_TCP,
        ETH_V6_EXT_TCP,
        QINQ_V4_UDP,
        MPLS2_V4_TCP,
        PPPOE_V4_UDP,
        V4_FRAG_FIRST,
        V4_FRAG_LATER,
        V6_FRAG_LATER,
        V4_ICMP_ECHO,
        V6_ICMPV6_ECHO,
        V4_SCTP,
        GRE_KEY_V4,
        GRE_TEB,
        VXLAN,
        GTPU,
        GTPU_EXT,
        CAPWAP_80211,
        CAPWAP_8023,
        VXLAN_GARBAGE,
        VXLAN_NESTED5,
        ARP,
    ]
    .iter()
    .map(|h| hex(h))
    .collect()
}

const LINKS: [LinkType; LinkType::ALL.len()] = LinkType::ALL;

fn is_subslice(inner: &[u8], outer: &[u8]) -> bool {
    let (o, i) = (outer.as_ptr() as usize, inner.as_ptr() as usize);
    inner.is_empty() || (i >= o && i + inner.len() <= o + outer.len())
}

/// Cases per property: a few thousand in `cargo test`, as many as `PROPTEST_CASES` says in the long fuzz run
/// (`bench/fuzz.sh`).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(3000)))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), link in 0usize..LINKS.len()) {
        if let Ok(d) = decode(LINKS[link], &bytes) {
            prop_assert!(is_subslice(d.payload, &bytes));
        }
    }

    #[test]
    fn mutated_packets_never_panic(
        which in 0usize..23,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in any::<usize>(),
        link in 0usize..LINKS.len(),
    ) {
        let mut f = all_vectors().swap_remove(which);
        for (at, v) in flips {
            let n = f.len();
            f[at % n] ^= v;
        }
        let keep = cut % (f.len() + 1);
        f.truncate(keep);
        // Ethernet frames read under every link type: mostly garbage to the others, which is the point.
        if let Ok(d) = decode(LINKS[link], &f) {
            prop_assert!(is_subslice(d.payload, &f));
        }
    }
}
