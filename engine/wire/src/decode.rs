//! The frame decoder: link layer → IP → L4, looking through tunnels to the inner flow.

use std::net::{IpAddr, Ipv4Addr};

use crate::bytes::{be16, be32};
use crate::ip::{ipv4, ipv6, L4Input};
use crate::link::{self, after_ethertype, by_version, ethernet, ethertype, Network};
use crate::{Decoded, Fragment, LinkType, Reject, TcpInfo, Tunnel};

/// Tunnels looked through, one inside the other, before the frame is rejected.
pub const MAX_ENCAPSULATION_DEPTH: usize = 4;
/// GTP-U extension headers followed.
const MAX_GTP_EXTENSIONS: usize = 8;

const VXLAN_PORT: u16 = 4789;
const GTPU_PORT: u16 = 2152;
const CAPWAP_DATA_PORT: u16 = 5247;

/// Decodes one captured frame. Never panics, never allocates.
///
/// # Errors
/// A [`Reject`] naming why the frame gives no flow.
pub fn decode(link: LinkType, frame: &[u8]) -> Result<Decoded<'_>, Reject> {
    let mut d = Decoded {
        vlan: 0,
        tunnel: Tunnel::None,
        src_mac: None,
        dst_mac: None,
        src: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        dst: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        proto: 0,
        src_port: 0,
        dst_port: 0,
        icmp: None,
        fragment: Fragment::None,
        tcp: None,
        payload: &[],
    };
    let (net, rest) = match link {
        LinkType::Ethernet => ethernet(frame, &mut d, true)?,
        LinkType::LinuxSll => {
            let (proto, rest) = link::sll(frame)?;
            after_ethertype(proto, rest, &mut d, true)?
        }
        LinkType::LinuxSll2 => {
            let (proto, rest) = link::sll2(frame)?;
            after_ethertype(proto, rest, &mut d, true)?
        }
        LinkType::Null => link::null(frame, true)?,
        LinkType::Loop => link::null(frame, false)?,
        LinkType::Raw => by_version(frame).map_err(|r| if r == Reject::NonIp { Reject::IpBadVersion } else { r })?,
        LinkType::Ipv4 => (Network::V4, frame),
        LinkType::Ipv6 => (Network::V6, frame),
    };
    network(net, rest, &mut d, 0)?;
    Ok(d)
}

/// Decodes an IP packet and what it carries into `d`.
fn network<'a>(net: Network, b: &'a [u8], d: &mut Decoded<'a>, depth: usize) -> Result<(), Reject> {
    let l4 = match net {
        Network::V4 => ipv4(b, d)?,
        Network::V6 => ipv6(b, d)?,
    };
    transport(&l4, d, depth)
}

fn transport<'a>(l4: &L4Input<'a>, d: &mut Decoded<'a>, depth: usize) -> Result<(), Reject> {
    d.src_port = 0;
    d.dst_port = 0;
    d.tcp = None;
    d.icmp = None;
    d.payload = &[];
    if l4.later_fragment {
        return Ok(());
    }
    let p = l4.payload;
    // A first fragment may end inside the L4 header: that is fragmentation, not a broken packet.
    let short = |reject| if l4.first_fragment { Ok(()) } else { Err(reject) };
    match l4.proto {
        6 => {
            if p.len() < 20 {
                return short(Reject::TcpTruncated);
            }
            let offset = usize::from(p[12] >> 4) * 4;
            if offset < 20 || offset > p.len() {
                return Err(Reject::TcpBadDataOffset);
            }
            d.src_port = be16(p, 0).unwrap_or(0);
            d.dst_port = be16(p, 2).unwrap_or(0);
            d.tcp = Some(TcpInfo {
                flags: p[13],
                seq: be32(p, 4).unwrap_or(0),
                ack: be32(p, 8).unwrap_or(0),
                window: be16(p, 14).unwrap_or(0),
            });
            d.payload = &p[offset..];
        }
        17 => {
            if p.len() < 8 {
                return short(Reject::UdpTruncated);
            }
            d.src_port = be16(p, 0).unwrap_or(0);
            d.dst_port = be16(p, 2).unwrap_or(0);
            let udp_len = usize::from(be16(p, 4).unwrap_or(0));
            let end = if udp_len >= 8 { udp_len.min(p.len()) } else { p.len() };
            d.payload = &p[8..end];
            udp_tunnel(d, depth)?;
        }
        132 => {
            if p.len() < 12 {
                return short(Reject::SctpTruncated);
            }
            d.src_port = be16(p, 0).unwrap_or(0);
            d.dst_port = be16(p, 2).unwrap_or(0);
            d.payload = &p[12..];
        }
        1 | 58 => {
            if p.len() < 4 {
                return short(Reject::IcmpTruncated);
            }
            d.icmp = Some((p[0], p[1]));
            d.payload = p.get(8..).unwrap_or(&[]);
        }
        47 => {
            d.payload = p;
            try_tunnel(d, depth, Tunnel::Gre, |inner| gre(p, inner, depth))?;
        }
        _ => d.payload = p,
    }
    Ok(())
}

/// Replaces the outer flow in `d` by the inner one when `inner` decodes; keeps the outer flow when the bytes are
/// not really that tunnel. Only too deep a nesting is an error.
fn try_tunnel<'a>(
    d: &mut Decoded<'a>,
    depth: usize,
    tunnel: Tunnel,
    inner: impl FnOnce(&mut Decoded<'a>) -> Result<(), Reject>,
) -> Result<(), Reject> {
    if depth >= MAX_ENCAPSULATION_DEPTH {
        return Err(Reject::TooManyEncapsulations);
    }
    let mut candidate = *d;
    if candidate.tunnel == Tunnel::None {
        candidate.tunnel = tunnel;
    }
    candidate.fragment = Fragment::None;
    match inner(&mut candidate) {
        Ok(()) => {
            *d = candidate;
            Ok(())
        }
        Err(Reject::TooManyEncapsulations) => Err(Reject::TooManyEncapsulations),
        Err(_) => Ok(()),
    }
}

fn udp_tunnel<'a>(d: &mut Decoded<'a>, depth: usize) -> Result<(), Reject> {
    let p = d.payload;
    let (sp, dp) = (d.src_port, d.dst_port);
    let on = |port| sp == port || dp == port;
    if dp == VXLAN_PORT {
        try_tunnel(d, depth, Tunnel::Vxlan, |inner| vxlan(p, inner, depth))
    } else if on(GTPU_PORT) {
        try_tunnel(d, depth, Tunnel::GtpU, |inner| gtpu(p, inner, depth))
    } else if on(CAPWAP_DATA_PORT) {
        try_tunnel(d, depth, Tunnel::Capwap, |inner| capwap(p, inner, depth))
    } else {
        Ok(())
    }
}

/// An inner Ethernet frame (its MACs and VLAN do not replace the outer ones).
fn inner_ethernet<'a>(b: &'a [u8], d: &mut Decoded<'a>, depth: usize) -> Result<(), Reject> {
    let (net, rest) = ethernet(b, d, false)?;
    network(net, rest, d, depth + 1)
}

/// GRE (RFC 2784/2890) and enhanced GRE (PPTP, RFC 2637).
fn gre<'a>(b: &'a [u8], d: &mut Decoded<'a>, depth: usize) -> Result<(), Reject> {
    let flags = be16(b, 0).ok_or(Reject::NonIp)?;
    let proto = be16(b, 2).ok_or(Reject::NonIp)?;
    let version = flags & 0x7;
    let mut len = 4;
    if flags & 0xc000 != 0 {
        len += 4; // checksum (+ reserved), also present when the legacy routing bit is set
    }
    if flags & 0x2000 != 0 {
        len += 4; // key
    }
    if flags & 0x1000 != 0 {
        len += 4; // sequence number
    }
    if version == 1 && flags & 0x0080 != 0 {
        len += 4; // acknowledgment number
    }
    let rest = b.get(len..).ok_or(Reject::NonIp)?;
    match (version, proto) {
        (0, ethertype::TEB) => inner_ethernet(rest, d, depth),
        // ERSPAN type II: an 8-byte header before the mirrored frame.
        (0, 0x88be) => inner_ethernet(rest.get(8..).ok_or(Reject::NonIp)?, d, depth),
        (0, et) => {
            let (net, rest) = after_ethertype(et, rest, d, false)?;
            network(net, rest, d, depth + 1)
        }
        (1, 0x880b) => {
            // PPP in enhanced GRE: optional address/control bytes, then a 1- or 2-byte protocol.
            let ppp = if rest.starts_with(&[0xff, 0x03]) { &rest[2..] } else { rest };
            let (proto, skip) = match ppp.first() {
                Some(&p) if p & 1 == 1 => (u16::from(p), 1),
                _ => (be16(ppp, 0).ok_or(Reject::NonIp)?, 2),
            };
            let (net, rest) = link::ppp_protocol(proto, ppp.get(skip..).unwrap_or(&[]))?;
            network(net, rest, d, depth + 1)
        }
        _ => Err(Reject::NonIp),
    }
}

/// VXLAN (RFC 7348): 8-byte header with the I flag, then Ethernet.
fn vxlan<'a>(b: &'a [u8], d: &mut Decoded<'a>, depth: usize) -> Result<(), Reject> {
    if b.len() < 8 || b[0] & 0x08 == 0 {
        return Err(Reject::NonIp);
    }
    inner_ethernet(&b[8..], d, depth)
}

/// GTPv1-U G-PDU (3GPP TS 29.281), with its optional fields and extension headers, then IP.
fn gtpu<'a>(b: &'a [u8], d: &mut Decoded<'a>, depth: usize) -> Result<(), Reject> {
    let (&flags, &msg) = (b.first().ok_or(Reject::NonIp)?, b.get(1).ok_or(Reject::NonIp)?);
    if flags >> 5 != 1 || flags & 0x10 == 0 || msg != 0xff {
        return Err(Reject::NonIp);
    }
    let mut len = 8;
    if flags & 0x07 != 0 {
        len += 4; // sequence number, N-PDU number, next extension header type
        let mut next = *b.get(11).ok_or(Reject::NonIp)?;
        let mut count = 0;
        while next != 0 {
            count += 1;
            let units = usize::from(*b.get(len).ok_or(Reject::NonIp)?);
            if units == 0 || count > MAX_GTP_EXTENSIONS {
                return Err(Reject::NonIp);
            }
            len += units * 4;
            next = *b.get(len - 1).ok_or(Reject::NonIp)?;
        }
    }
    let (net, rest) = by_version(b.get(len..).ok_or(Reject::NonIp)?)?;
    network(net, rest, d, depth + 1)
}

/// CAPWAP data channel (RFC 5415/5416): 802.11 frames (T=1, WBID=1) or Ethernet (T=0).
fn capwap<'a>(b: &'a [u8], d: &mut Decoded<'a>, depth: usize) -> Result<(), Reject> {
    let preamble = *b.first().ok_or(Reject::NonIp)?;
    if preamble != 0 {
        return Err(Reject::NonIp); // version 0, type 0 (type 1 is DTLS-encrypted)
    }
    let word = be32(b, 0).ok_or(Reject::NonIp)?;
    let hlen = ((word >> 19) & 0x1f) as usize * 4;
    let wbid = (word >> 9) & 0x1f;
    let native = word & 0x100 != 0;
    let frame = b.get(hlen..).ok_or(Reject::NonIp)?;
    if !native {
        return inner_ethernet(frame, d, depth);
    }
    if wbid != 1 {
        return Err(Reject::NonIp);
    }
    let fc0 = *frame.first().ok_or(Reject::NonIp)?;
    let fc1 = *frame.get(1).ok_or(Reject::NonIp)?;
    if (fc0 >> 2) & 0x3 != 2 {
        return Err(Reject::NonIp); // not a data frame
    }
    let mut len = 24;
    if fc1 & 0x03 == 0x03 {
        len += 6; // fourth address (WDS)
    }
    if fc0 & 0x80 != 0 {
        len += 2; // QoS control
    }
    let llc = frame.get(len..len + 8).ok_or(Reject::NonIp)?;
    if llc[..6] != [0xaa, 0xaa, 0x03, 0, 0, 0] {
        return Err(Reject::NonIp);
    }
    let et = be16(llc, 6).ok_or(Reject::NonIp)?;
    let (net, rest) = after_ethertype(et, frame.get(len + 8..).unwrap_or(&[]), d, false)?;
    network(net, rest, d, depth + 1)
}
