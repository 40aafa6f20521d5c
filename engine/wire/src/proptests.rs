//! Robustness of [`decode`] on every test packet of the crate, cut and mutated, and on arbitrary bytes: it must
//! never panic, and a payload it returns must lie inside the frame.

use proptest::prelude::*;

use crate::{decode, LinkType};

const LINK_TYPES: [LinkType; LinkType::ALL.len()] = LinkType::ALL;

// ---- PACKETS proptests
/// Every packet of the test modules, with its link type.
static SAMPLES: [(&str, LinkType, &[u8]); 100] = [
    (
        "IPV4_TCP_SYN",
        LinkType::Ethernet,
        &crate::ethernet::tests::IPV4_TCP_SYN,
    ),
    (
        "QINQ_UDP",
        LinkType::Ethernet,
        &crate::ethernet::tests::QINQ_UDP,
    ),
    (
        "PADDED_UDP",
        LinkType::Ethernet,
        &crate::ethernet::tests::PADDED_UDP,
    ),
    ("ARP", LinkType::Ethernet, &crate::ethernet::tests::ARP),
    (
        "STP_8023",
        LinkType::Ethernet,
        &crate::ethernet::tests::STP_8023,
    ),
    (
        "MPLS_TWO_LABELS",
        LinkType::Ethernet,
        &crate::mpls::tests::MPLS_TWO_LABELS,
    ),
    (
        "MPLS_IPV6",
        LinkType::Ethernet,
        &crate::mpls::tests::MPLS_IPV6,
    ),
    (
        "PPPOE_IPV4_TCP",
        LinkType::Ethernet,
        &crate::pppoe::tests::PPPOE_IPV4_TCP,
    ),
    (
        "PPPOE_IPV6_UDP",
        LinkType::Ethernet,
        &crate::pppoe::tests::PPPOE_IPV6_UDP,
    ),
    (
        "PPPOE_DISCOVERY",
        LinkType::Ethernet,
        &crate::pppoe::tests::PPPOE_DISCOVERY,
    ),
    (
        "SLL_IPV4_UDP",
        LinkType::LinuxSll,
        &crate::sll::tests::SLL_IPV4_UDP,
    ),
    (
        "SLL_VLAN_TCP",
        LinkType::LinuxSll,
        &crate::sll::tests::SLL_VLAN_TCP,
    ),
    (
        "SLL2_IPV6_TCP",
        LinkType::LinuxSll2,
        &crate::sll::tests::SLL2_IPV6_TCP,
    ),
    (
        "NULL_LE_IPV4_ICMP",
        LinkType::Null,
        &crate::null::tests::NULL_LE_IPV4_ICMP,
    ),
    (
        "NULL_BE_IPV6_UDP",
        LinkType::Null,
        &crate::null::tests::NULL_BE_IPV6_UDP,
    ),
    (
        "NULL_LE_IPV6_24",
        LinkType::Null,
        &crate::null::tests::NULL_LE_IPV6_24,
    ),
    (
        "LOOP_IPV4_TCP",
        LinkType::Loop,
        &crate::null::tests::LOOP_IPV4_TCP,
    ),
    (
        "IPV4_OPTIONS_UDP",
        LinkType::Ethernet,
        &crate::ipv4::tests::IPV4_OPTIONS_UDP,
    ),
    (
        "IPV4_FIRST_FRAGMENT",
        LinkType::Ethernet,
        &crate::ipv4::tests::IPV4_FIRST_FRAGMENT,
    ),
    (
        "IPV4_LATER_FRAGMENT",
        LinkType::Ethernet,
        &crate::ipv4::tests::IPV4_LATER_FRAGMENT,
    ),
    (
        "RAW_IPV4_TCP",
        LinkType::Raw,
        &crate::ipv4::tests::RAW_IPV4_TCP,
    ),
    (
        "RAW_IPV6_UDP",
        LinkType::Raw,
        &crate::ipv4::tests::RAW_IPV6_UDP,
    ),
    (
        "IPV4_OSPF",
        LinkType::Ethernet,
        &crate::ipv4::tests::IPV4_OSPF,
    ),
    (
        "IPV6_HBH_DEST_TCP",
        LinkType::Ethernet,
        &crate::ipv6::tests::IPV6_HBH_DEST_TCP,
    ),
    (
        "IPV6_ROUTING_AH_TCP",
        LinkType::Ethernet,
        &crate::ipv6::tests::IPV6_ROUTING_AH_TCP,
    ),
    (
        "IPV6_FIRST_FRAGMENT",
        LinkType::Ethernet,
        &crate::ipv6::tests::IPV6_FIRST_FRAGMENT,
    ),
    (
        "IPV6_LATER_FRAGMENT",
        LinkType::Ethernet,
        &crate::ipv6::tests::IPV6_LATER_FRAGMENT,
    ),
    (
        "IPV6_8_EXT_UDP",
        LinkType::Raw,
        &crate::ipv6::tests::IPV6_8_EXT_UDP,
    ),
    (
        "IPV6_9_EXT_UDP",
        LinkType::Raw,
        &crate::ipv6::tests::IPV6_9_EXT_UDP,
    ),
    ("IPV6_ESP", LinkType::Raw, &crate::ipv6::tests::IPV6_ESP),
    (
        "IPV6_NO_NEXT",
        LinkType::Raw,
        &crate::ipv6::tests::IPV6_NO_NEXT,
    ),
    (
        "IPV4_TCP_DATA",
        LinkType::Ethernet,
        &crate::tcp::tests::IPV4_TCP_DATA,
    ),
    (
        "IPV4_UDP_DNS",
        LinkType::Ethernet,
        &crate::udp::tests::IPV4_UDP_DNS,
    ),
    (
        "ICMP_ECHO",
        LinkType::Ethernet,
        &crate::icmp::tests::ICMP_ECHO,
    ),
    (
        "ICMP_UNREACHABLE",
        LinkType::Ethernet,
        &crate::icmp::tests::ICMP_UNREACHABLE,
    ),
    (
        "ICMPV6_ECHO",
        LinkType::Ethernet,
        &crate::icmp::tests::ICMPV6_ECHO,
    ),
    (
        "SCTP_INIT",
        LinkType::Ethernet,
        &crate::sctp::tests::SCTP_INIT,
    ),
    (
        "GRE_IPV4_TCP",
        LinkType::Ethernet,
        &crate::gre::tests::GRE_IPV4_TCP,
    ),
    (
        "GRE_KEY_SEQ_CSUM_IPV6",
        LinkType::Ethernet,
        &crate::gre::tests::GRE_KEY_SEQ_CSUM_IPV6,
    ),
    ("GRE_TEB", LinkType::Ethernet, &crate::gre::tests::GRE_TEB),
    (
        "GRE_ERSPAN_II",
        LinkType::Ethernet,
        &crate::gre::tests::GRE_ERSPAN_II,
    ),
    (
        "GRE_PPTP_IPV4",
        LinkType::Ethernet,
        &crate::gre::tests::GRE_PPTP_IPV4,
    ),
    ("GRE_ARP", LinkType::Ethernet, &crate::gre::tests::GRE_ARP),
    (
        "VXLAN_TCP",
        LinkType::Ethernet,
        &crate::vxlan::tests::VXLAN_TCP,
    ),
    (
        "VXLAN_IPV6_OUTER",
        LinkType::Ethernet,
        &crate::vxlan::tests::VXLAN_IPV6_OUTER,
    ),
    (
        "NOT_VXLAN",
        LinkType::Ethernet,
        &crate::vxlan::tests::NOT_VXLAN,
    ),
    (
        "VXLAN_NESTED_4",
        LinkType::Ethernet,
        &crate::vxlan::tests::VXLAN_NESTED_4,
    ),
    (
        "VXLAN_NESTED_5",
        LinkType::Ethernet,
        &crate::vxlan::tests::VXLAN_NESTED_5,
    ),
    (
        "GTPU_IPV4_UDP",
        LinkType::Ethernet,
        &crate::gtp::tests::GTPU_IPV4_UDP,
    ),
    (
        "GTPU_EXT_IPV6_TCP",
        LinkType::Ethernet,
        &crate::gtp::tests::GTPU_EXT_IPV6_TCP,
    ),
    ("GTP_ECHO", LinkType::Ethernet, &crate::gtp::tests::GTP_ECHO),
    (
        "CAPWAP_80211_QOS",
        LinkType::Ethernet,
        &crate::capwap::tests::CAPWAP_80211_QOS,
    ),
    (
        "CAPWAP_80211_WDS_RADIO_MAC",
        LinkType::Ethernet,
        &crate::capwap::tests::CAPWAP_80211_WDS_RADIO_MAC,
    ),
    (
        "CAPWAP_8023",
        LinkType::Ethernet,
        &crate::capwap::tests::CAPWAP_8023,
    ),
    (
        "CHDLC_IPV4_TCP",
        LinkType::CiscoHdlc,
        &crate::chdlc::tests::CHDLC_IPV4_TCP,
    ),
    (
        "CHDLC_IPV6_UDP",
        LinkType::CiscoHdlc,
        &crate::chdlc::tests::CHDLC_IPV6_UDP,
    ),
    (
        "CHDLC_MPLS_UDP",
        LinkType::CiscoHdlc,
        &crate::chdlc::tests::CHDLC_MPLS_UDP,
    ),
    (
        "CHDLC_SLARP",
        LinkType::CiscoHdlc,
        &crate::chdlc::tests::CHDLC_SLARP,
    ),
    (
        "CHDLC_CDP",
        LinkType::CiscoHdlc,
        &crate::chdlc::tests::CHDLC_CDP,
    ),
    (
        "CHDLC_DIR_IPV4_UDP",
        LinkType::CiscoHdlcWithDir,
        &crate::chdlc::tests::CHDLC_DIR_IPV4_UDP,
    ),
    (
        "PPP_HDLC_IPV4_UDP",
        LinkType::Ppp,
        &crate::ppp::tests::PPP_HDLC_IPV4_UDP,
    ),
    (
        "PPP_BARE_IPV6_TCP",
        LinkType::Ppp,
        &crate::ppp::tests::PPP_BARE_IPV6_TCP,
    ),
    (
        "PPP_PFC_IPV4_UDP",
        LinkType::Ppp,
        &crate::ppp::tests::PPP_PFC_IPV4_UDP,
    ),
    (
        "PPP_CHDLC_IPV4_UDP",
        LinkType::Ppp,
        &crate::ppp::tests::PPP_CHDLC_IPV4_UDP,
    ),
    (
        "PPP_MPLS_UDP",
        LinkType::Ppp,
        &crate::ppp::tests::PPP_MPLS_UDP,
    ),
    (
        "PPP_LCP_ECHO",
        LinkType::Ppp,
        &crate::ppp::tests::PPP_LCP_ECHO,
    ),
    (
        "PPP_DIR_IPV4_TCP",
        LinkType::PppWithDir,
        &crate::ppp::tests::PPP_DIR_IPV4_TCP,
    ),
    (
        "PPP_PPPD_IPV6_UDP",
        LinkType::PppPppd,
        &crate::ppp::tests::PPP_PPPD_IPV6_UDP,
    ),
    (
        "PPP_ETHER_IPV4_UDP",
        LinkType::PppEther,
        &crate::ppp::tests::PPP_ETHER_IPV4_UDP,
    ),
    (
        "FR_IPV4_UDP",
        LinkType::FrameRelay,
        &crate::frame_relay::tests::FR_IPV4_UDP,
    ),
    (
        "FR_SNAP_IPV6_TCP",
        LinkType::FrameRelay,
        &crate::frame_relay::tests::FR_SNAP_IPV6_TCP,
    ),
    (
        "FR_4BYTE_IPV6_UDP",
        LinkType::FrameRelay,
        &crate::frame_relay::tests::FR_4BYTE_IPV6_UDP,
    ),
    (
        "FR_PPP_IPV4_UDP",
        LinkType::FrameRelay,
        &crate::frame_relay::tests::FR_PPP_IPV4_UDP,
    ),
    (
        "FR_BRIDGED_IPV4_UDP",
        LinkType::FrameRelay,
        &crate::frame_relay::tests::FR_BRIDGED_IPV4_UDP,
    ),
    (
        "FR_CISCO_IPV4_TCP",
        LinkType::FrameRelay,
        &crate::frame_relay::tests::FR_CISCO_IPV4_TCP,
    ),
    (
        "FR_LMI",
        LinkType::FrameRelay,
        &crate::frame_relay::tests::FR_LMI,
    ),
    (
        "FR_DIR_IPV4_UDP",
        LinkType::FrameRelayWithDir,
        &crate::frame_relay::tests::FR_DIR_IPV4_UDP,
    ),
    (
        "PFLOG_IPV4_TCP",
        LinkType::Pflog,
        &crate::pflog::tests::PFLOG_IPV4_TCP,
    ),
    (
        "PFLOG_IPV6_UDP",
        LinkType::Pflog,
        &crate::pflog::tests::PFLOG_IPV6_UDP,
    ),
    (
        "PFLOG_61_IPV6_UDP",
        LinkType::Pflog,
        &crate::pflog::tests::PFLOG_61_IPV6_UDP,
    ),
    (
        "NFLOG_IPV4_UDP",
        LinkType::Nflog,
        &crate::nflog::tests::NFLOG_IPV4_UDP,
    ),
    (
        "NFLOG_BE_IPV6_TCP",
        LinkType::Nflog,
        &crate::nflog::tests::NFLOG_BE_IPV6_TCP,
    ),
    (
        "NFLOG_NO_PAYLOAD",
        LinkType::Nflog,
        &crate::nflog::tests::NFLOG_NO_PAYLOAD,
    ),
    (
        "IPNET_IPV4_UDP",
        LinkType::Ipnet,
        &crate::ipnet::tests::IPNET_IPV4_UDP,
    ),
    (
        "IPNET_IPV6_TCP",
        LinkType::Ipnet,
        &crate::ipnet::tests::IPNET_IPV6_TCP,
    ),
    (
        "WLAN_DATA_IPV4_UDP",
        LinkType::Ieee80211,
        &crate::wlan::tests::WLAN_DATA_IPV4_UDP,
    ),
    (
        "WLAN_QOS_IPV6_TCP",
        LinkType::Ieee80211,
        &crate::wlan::tests::WLAN_QOS_IPV6_TCP,
    ),
    (
        "WLAN_BEACON",
        LinkType::Ieee80211,
        &crate::wlan::tests::WLAN_BEACON,
    ),
    (
        "WLAN_PROTECTED",
        LinkType::Ieee80211,
        &crate::wlan::tests::WLAN_PROTECTED,
    ),
    (
        "WLAN_NULL",
        LinkType::Ieee80211,
        &crate::wlan::tests::WLAN_NULL,
    ),
    (
        "WLAN_ACK",
        LinkType::Ieee80211,
        &crate::wlan::tests::WLAN_ACK,
    ),
    (
        "RADIOTAP_IPV6_TCP",
        LinkType::Radiotap,
        &crate::radiotap::tests::RADIOTAP_IPV6_TCP,
    ),
    (
        "RADIOTAP_TSFT_FCS_IPV4_UDP",
        LinkType::Radiotap,
        &crate::radiotap::tests::RADIOTAP_TSFT_FCS_IPV4_UDP,
    ),
    (
        "RADIOTAP_EXT_IPV4_UDP",
        LinkType::Radiotap,
        &crate::radiotap::tests::RADIOTAP_EXT_IPV4_UDP,
    ),
    (
        "RADIOTAP_BAD_FCS",
        LinkType::Radiotap,
        &crate::radiotap::tests::RADIOTAP_BAD_FCS,
    ),
    (
        "RADIOTAP_BEACON",
        LinkType::Radiotap,
        &crate::radiotap::tests::RADIOTAP_BEACON,
    ),
    (
        "PRISM_IPV4_UDP",
        LinkType::Prism,
        &crate::prism::tests::PRISM_IPV4_UDP,
    ),
    (
        "AVS_IPV6_UDP",
        LinkType::Avs,
        &crate::prism::tests::AVS_IPV6_UDP,
    ),
    (
        "PPI_ETHERNET_IPV4_UDP",
        LinkType::Ppi,
        &crate::ppi::tests::PPI_ETHERNET_IPV4_UDP,
    ),
    (
        "PPI_80211_COMMON_IPV4_TCP",
        LinkType::Ppi,
        &crate::ppi::tests::PPI_80211_COMMON_IPV4_TCP,
    ),
];
// ---- END

/// Samples on which `decode` rejects by design.
const REJECTED: [&str; 16] = [
    "ARP",
    "STP_8023",
    "PPPOE_DISCOVERY",
    "IPV6_9_EXT_UDP",
    "VXLAN_NESTED_5",
    "CHDLC_SLARP",
    "CHDLC_CDP",
    "PPP_LCP_ECHO",
    "FR_LMI",
    "NFLOG_NO_PAYLOAD",
    "WLAN_BEACON",
    "WLAN_PROTECTED",
    "WLAN_NULL",
    "WLAN_ACK",
    "RADIOTAP_BAD_FCS",
    "RADIOTAP_BEACON",
];

fn within(inner: &[u8], outer: &[u8]) -> bool {
    let (i, o) = (inner.as_ptr_range(), outer.as_ptr_range());
    inner.is_empty() || (o.start <= i.start && i.end <= o.end)
}

fn check(link: LinkType, frame: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(d) = decode(link, frame) {
        prop_assert!(
            within(d.payload, frame),
            "payload outside the frame: {link:?} {frame:02x?}"
        );
        prop_assert!(d.payload.len() <= frame.len());
    }
    Ok(())
}

#[test]
fn every_sample_decodes_as_intended() {
    for (name, link, bytes) in SAMPLES {
        let result = decode(link, bytes);
        assert_eq!(
            result.is_err(),
            REJECTED.contains(&name),
            "{name}: {result:?}"
        );
    }
}

#[test]
fn every_prefix_of_every_sample_under_every_link_type() {
    for (name, _, bytes) in SAMPLES {
        for len in 0..=bytes.len() {
            for link in LINK_TYPES {
                let frame = &bytes[..len];
                if let Ok(d) = decode(link, frame) {
                    assert!(within(d.payload, frame), "{name}[..{len}] as {link:?}");
                }
            }
        }
    }
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
    #![proptest_config(ProptestConfig::with_cases(cases(2000)))]

    #[test]
    fn arbitrary_bytes(link in prop::sample::select(&LINK_TYPES[..]), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        check(link, &bytes)?;
    }

    #[test]
    fn mutated_and_truncated_samples(
        sample in 0..SAMPLES.len(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let (_, link, original) = SAMPLES[sample];
        let mut bytes = original.to_vec();
        for (at, xor) in flips {
            bytes[at.index(original.len())] ^= xor;
        }
        let len = cut.map_or(bytes.len(), |c| c.index(bytes.len() + 1));
        check(link, &bytes[..len])?;
    }
}
