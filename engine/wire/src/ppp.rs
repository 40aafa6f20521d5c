//! PPP as captures hold it on point-to-point links (RFC 1661, RFC 1662): `LINKTYPE_PPP` (9), `LINKTYPE_PPP_HDLC`
//! (50), `LINKTYPE_PPP_WITH_DIR` (204), `LINKTYPE_PPP_PPPD` (166) and `LINKTYPE_PPP_ETHER` (51). PPPoE inside
//! Ethernet is in [`crate::pppoe`].
//!
//! The address and control bytes (0xff 0x03) are optional: RFC 1662's address-and-control-field compression drops
//! them, and libpcap keeps whatever the link gave. Both PPP link types may also hold Cisco HDLC frames, told apart
//! by their first byte ([`chdlc::is_address`]).

use crate::decode::Inner;
use crate::ethernet::ethertype;
use crate::pppoe::{self, protocol as ppp_protocol};
use crate::{chdlc, direction, Reject};

/// The HDLC "all stations" address of PPP in HDLC-like framing.
pub const ADDRESS: u8 = 0xff;
/// The HDLC unnumbered-information control byte.
pub const CONTROL: u8 = 0x03;

/// PPP protocol numbers for MPLS (RFC 3032 section 4.2).
pub mod protocol {
    pub const MPLS_UNICAST: u16 = 0x0281;
    pub const MPLS_MULTICAST: u16 = 0x0283;
}

/// A frame of `LINKTYPE_PPP` or `LINKTYPE_PPP_HDLC`: Cisco HDLC, or PPP with or without address and control.
///
/// # Errors
/// [`Reject::PppTruncated`] or [`Reject::ChdlcTruncated`] for a cut header, [`Reject::NonIp`] for PPP's own
/// control protocols (LCP, IPCP, CHAP …) and anything else that is not IP or MPLS.
pub fn hdlc_like(frame: &[u8]) -> Result<Inner<'_>, Reject> {
    match frame.first() {
        Some(&first) if chdlc::is_address(first) => Ok(chdlc::Header::new_checked(frame)?.inner()),
        _ => information(frame.strip_prefix(&[ADDRESS, CONTROL]).unwrap_or(frame)),
    }
}

/// A frame of `LINKTYPE_PPP_WITH_DIR`: a direction byte, then as [`hdlc_like`].
///
/// # Errors
/// As [`hdlc_like`]; [`Reject::CaptureHeaderMalformed`] for an empty frame.
pub fn with_direction(frame: &[u8]) -> Result<Inner<'_>, Reject> {
    hdlc_like(direction::Header::new_checked(frame)?.payload())
}

/// A frame of `LINKTYPE_PPP_PPPD`: PPP in HDLC-like framing whose address byte pppd replaced by the direction.
///
/// # Errors
/// As [`hdlc_like`].
pub fn pppd(frame: &[u8]) -> Result<Inner<'_>, Reject> {
    let body = direction::Header::new_checked(frame)?.payload();
    information(body.strip_prefix(&[CONTROL]).unwrap_or(body))
}

/// A frame of `LINKTYPE_PPP_ETHER`: a PPPoE session header without its Ethernet header.
///
/// # Errors
/// [`Reject::PppoeTruncated`] for a cut header, else as [`hdlc_like`].
pub fn pppoe_session(frame: &[u8]) -> Result<Inner<'_>, Reject> {
    let session = pppoe::Header::new_checked(frame)?;
    let (protocol, packet) =
        pppoe::ppp_protocol(session.payload()).ok_or(Reject::PppoeTruncated)?;
    carried(protocol, packet)
}

/// A PPP frame from its protocol field on (as Frame Relay carries it after NLPID 0xcf, RFC 1973).
///
/// # Errors
/// [`Reject::PppTruncated`] without a whole protocol field, [`Reject::NonIp`] for protocols other than IP and MPLS.
pub fn information(frame: &[u8]) -> Result<Inner<'_>, Reject> {
    let (protocol, packet) = pppoe::ppp_protocol(frame).ok_or(Reject::PppTruncated)?;
    carried(protocol, packet)
}

/// The packet a PPP protocol number names, as the ethertype that names it elsewhere.
fn carried(protocol: u16, packet: &[u8]) -> Result<Inner<'_>, Reject> {
    let et = match protocol {
        ppp_protocol::IPV4 => ethertype::IPV4,
        ppp_protocol::IPV6 => ethertype::IPV6,
        protocol::MPLS_UNICAST => ethertype::MPLS,
        protocol::MPLS_MULTICAST => ethertype::MPLS_MULTICAST,
        _ => return Err(Reject::NonIp),
    };
    Ok(Inner::EtherType(et, packet))
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::{decode, LinkType, Reject};

    // ---- PACKETS ppp
    /// HDLC / PPP / IP / UDP 192.0.2.1:5010 > 198.51.100.2:5011 / Raw (ppp_hdlc)
    pub(crate) static PPP_HDLC_IPV4_UDP: [u8; 36] = [
        0xff, 0x03, 0x00, 0x21, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x8e,
        0x95, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0x92, 0x13, 0x93, 0x00, 0x0c,
        0x17, 0xb2, 0x68, 0x64, 0x6c, 0x63,
    ];
    /// PPP / IPv6 / TCP 2001:db8::1:40021 > 2001:db8::2:https S (ppp)
    pub(crate) static PPP_BARE_IPV6_TCP: [u8; 82] = [
        0x00, 0x57, 0x60, 0x00, 0x00, 0x00, 0x00, 0x28, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c, 0x55, 0x01,
        0xbb, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x4f, 0xa1,
        0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    /// Raw / IP / UDP 192.0.2.1:5012 > 198.51.100.2:5013 / Raw (ppp)
    pub(crate) static PPP_PFC_IPV4_UDP: [u8; 32] = [
        0x21, 0x45, 0x00, 0x00, 0x1f, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x8e, 0x96, 0xc0, 0x00,
        0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0x94, 0x13, 0x95, 0x00, 0x0b, 0x19, 0x11, 0x70,
        0x66, 0x63,
    ];
    /// CHDLC / IP / UDP 192.0.2.1:5014 > 198.51.100.2:5015 / Raw (ppp)
    pub(crate) static PPP_CHDLC_IPV4_UDP: [u8; 37] = [
        0x0f, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x8e,
        0x94, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0x96, 0x13, 0x97, 0x00, 0x0d,
        0xa6, 0xa2, 0x63, 0x69, 0x73, 0x63, 0x6f,
    ];
    /// HDLC / PPP / MPLS / IP / UDP 192.0.2.1:5016 > 198.51.100.2:5017 / Raw (ppp_hdlc)
    pub(crate) static PPP_MPLS_UDP: [u8; 40] = [
        0xff, 0x03, 0x02, 0x81, 0x00, 0x01, 0x11, 0x40, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00,
        0x00, 0x40, 0x11, 0x8e, 0x95, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0x98,
        0x13, 0x99, 0x00, 0x0c, 0x12, 0x8a, 0x6d, 0x70, 0x6c, 0x73,
    ];
    /// HDLC / PPP / LCP Echo-Request (ppp_hdlc)
    pub(crate) static PPP_LCP_ECHO: [u8; 12] = [
        0xff, 0x03, 0xc0, 0x21, 0x09, 0x01, 0x00, 0x08, 0x00, 0x00, 0x12, 0x34,
    ];
    /// DIR_PPP / HDLC / PPP / IP / TCP 192.0.2.1:40022 > 198.51.100.2:ssh S (ppp_with_dir)
    pub(crate) static PPP_DIR_IPV4_TCP: [u8; 65] = [
        0x01, 0xff, 0x03, 0x00, 0x21, 0x45, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06,
        0x8e, 0x84, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x56, 0x00, 0x16, 0x00,
        0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0xc0, 0x82, 0x00, 0x00,
        0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    /// Raw / PPP / IPv6 / UDP 2001:db8::1:5018 > 2001:db8::2:5019 / Raw (ppp_pppd)
    pub(crate) static PPP_PPPD_IPV6_UDP: [u8; 56] = [
        0x01, 0x03, 0x00, 0x57, 0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x11, 0x40, 0x20, 0x01, 0x0d,
        0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01,
        0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x13,
        0x9a, 0x13, 0x9b, 0x00, 0x0c, 0x9c, 0x57, 0x70, 0x70, 0x70, 0x64,
    ];
    /// PPPoE / PPP / IP / UDP 192.0.2.1:5020 > 198.51.100.2:5021 / Raw (ppp_ether)
    pub(crate) static PPP_ETHER_IPV4_UDP: [u8; 41] = [
        0x11, 0x00, 0x00, 0x11, 0x00, 0x23, 0x00, 0x21, 0x45, 0x00, 0x00, 0x21, 0x00, 0x01, 0x00,
        0x00, 0x40, 0x11, 0x8e, 0x94, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0x9c,
        0x13, 0x9d, 0x00, 0x0d, 0xa6, 0x83, 0x70, 0x70, 0x70, 0x6f, 0x65,
    ];
    // ---- END

    #[test]
    fn hdlc_framing_and_its_compressions() {
        let d = decode(LinkType::Ppp, &PPP_HDLC_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5011, &b"hdlc"[..]));
        let d = decode(LinkType::Ppp, &PPP_BARE_IPV6_TCP).expect("decodes");
        assert!(d.src.is_ipv6());
        assert_eq!((d.proto, d.dst_port), (6, 443));
        // Protocol-field compression: one byte, 0x21.
        let d = decode(LinkType::Ppp, &PPP_PFC_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5013, &b"pfc"[..]));
    }

    #[test]
    fn cisco_hdlc_in_a_ppp_capture() {
        let d = decode(LinkType::Ppp, &PPP_CHDLC_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port), (17, 5015));
        assert_eq!(
            decode(LinkType::Ppp, &PPP_CHDLC_IPV4_UDP),
            decode(LinkType::CiscoHdlc, &PPP_CHDLC_IPV4_UDP)
        );
    }

    #[test]
    fn mpls_over_ppp() {
        let d = decode(LinkType::Ppp, &PPP_MPLS_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5017, &b"mpls"[..]));
    }

    #[test]
    fn control_protocols_are_not_ip() {
        assert_eq!(decode(LinkType::Ppp, &PPP_LCP_ECHO), Err(Reject::NonIp));
    }

    #[test]
    fn direction_pppd_and_pppoe_forms() {
        let d = decode(LinkType::PppWithDir, &PPP_DIR_IPV4_TCP).expect("decodes");
        assert_eq!((d.proto, d.dst_port), (6, 22));
        let d = decode(LinkType::PppPppd, &PPP_PPPD_IPV6_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5019, &b"pppd"[..]));
        let d = decode(LinkType::PppEther, &PPP_ETHER_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5021, &b"pppoe"[..]));
    }

    #[test]
    fn truncated() {
        assert_eq!(
            decode(LinkType::Ppp, &[0xff, 0x03, 0x00]),
            Err(Reject::PppTruncated)
        );
        assert_eq!(decode(LinkType::Ppp, &[]), Err(Reject::PppTruncated));
        assert_eq!(
            decode(LinkType::Ppp, &[0x0f, 0x00]),
            Err(Reject::ChdlcTruncated)
        );
        assert_eq!(
            decode(LinkType::PppWithDir, &[]),
            Err(Reject::CaptureHeaderMalformed)
        );
        assert_eq!(
            decode(LinkType::PppEther, &PPP_ETHER_IPV4_UDP[..5]),
            Err(Reject::PppoeTruncated)
        );
    }
}
