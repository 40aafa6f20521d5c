//! Link layers and the shims between them and IP: Ethernet, 802.1Q/802.1ad VLAN stacks, MPLS, PPPoE, Linux SLL and
//! SLL2, BSD null/loop.

use crate::bytes::{be16, be32};
use crate::{Decoded, Reject};

/// VLAN tags, MPLS labels or PPPoE shims followed before giving up on a frame.
pub const MAX_SHIMS: usize = 16;

/// The network layer a link header announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Network {
    V4,
    V6,
}

pub mod ethertype {
    pub const IPV4: u16 = 0x0800;
    pub const IPV6: u16 = 0x86dd;
    pub const VLAN: u16 = 0x8100;
    pub const QINQ: u16 = 0x88a8;
    pub const QINQ_OLD: u16 = 0x9100;
    pub const MPLS: u16 = 0x8847;
    pub const MPLS_MULTICAST: u16 = 0x8848;
    pub const PPPOE_SESSION: u16 = 0x8864;
    pub const TEB: u16 = 0x6558;
}

mod field {
    use core::ops::Range;
    pub const DST_MAC: Range<usize> = 0..6;
    pub const SRC_MAC: Range<usize> = 6..12;
    pub const ETHERTYPE: usize = 12;
    pub const ETHERNET_LEN: usize = 14;
    pub const SLL_PROTOCOL: usize = 14;
    pub const SLL_LEN: usize = 16;
    pub const SLL2_PROTOCOL: usize = 0;
    pub const SLL2_LEN: usize = 20;
}

/// Reads an Ethernet header. With `outer`, its MACs and VLAN go into `d`; inner (tunnelled) frames leave them.
pub fn ethernet<'a>(frame: &'a [u8], d: &mut Decoded<'a>, outer: bool) -> Result<(Network, &'a [u8]), Reject> {
    if frame.len() < field::ETHERNET_LEN {
        return Err(Reject::EthernetTruncated);
    }
    if outer {
        d.dst_mac = frame.get(field::DST_MAC).and_then(|m| m.try_into().ok());
        d.src_mac = frame.get(field::SRC_MAC).and_then(|m| m.try_into().ok());
    }
    let et = be16(frame, field::ETHERTYPE).ok_or(Reject::EthernetTruncated)?;
    let rest = frame.get(field::ETHERNET_LEN..).unwrap_or(&[]);
    after_ethertype(et, rest, d, outer)
}

/// Follows an ethertype through VLAN tags, MPLS labels and PPPoE to IPv4 or IPv6.
pub fn after_ethertype<'a>(
    mut et: u16,
    mut rest: &'a [u8],
    d: &mut Decoded<'a>,
    outer: bool,
) -> Result<(Network, &'a [u8]), Reject> {
    for _ in 0..MAX_SHIMS {
        match et {
            ethertype::IPV4 => return Ok((Network::V4, rest)),
            ethertype::IPV6 => return Ok((Network::V6, rest)),
            ethertype::VLAN | ethertype::QINQ | ethertype::QINQ_OLD => {
                let tci = be16(rest, 0).ok_or(Reject::VlanTruncated)?;
                et = be16(rest, 2).ok_or(Reject::VlanTruncated)?;
                if outer {
                    d.vlan = tci & 0x0fff;
                }
                rest = rest.get(4..).unwrap_or(&[]);
            }
            ethertype::MPLS | ethertype::MPLS_MULTICAST => return mpls(rest),
            ethertype::PPPOE_SESSION => {
                // 6-byte PPPoE header, then the PPP protocol field.
                let proto = be16(rest, 6).ok_or(Reject::PppoeTruncated)?;
                return ppp_protocol(proto, rest.get(8..).unwrap_or(&[]));
            }
            _ => return Err(Reject::NonIp),
        }
    }
    Err(Reject::VlanTruncated)
}

fn mpls(mut rest: &[u8]) -> Result<(Network, &[u8]), Reject> {
    for _ in 0..MAX_SHIMS {
        let label = be32(rest, 0).ok_or(Reject::MplsTruncated)?;
        rest = rest.get(4..).unwrap_or(&[]);
        if label & 0x100 != 0 {
            return by_version(rest);
        }
    }
    Err(Reject::MplsTruncated)
}

/// Picks IPv4 or IPv6 by the version nibble (MPLS, raw IP and GTP-U carry no type field).
pub fn by_version(rest: &[u8]) -> Result<(Network, &[u8]), Reject> {
    match rest.first().map(|b| b >> 4) {
        Some(4) => Ok((Network::V4, rest)),
        Some(6) => Ok((Network::V6, rest)),
        Some(_) => Err(Reject::NonIp),
        None => Err(Reject::IpBadVersion),
    }
}

/// Maps a PPP protocol number to the network layer.
pub fn ppp_protocol(proto: u16, rest: &[u8]) -> Result<(Network, &[u8]), Reject> {
    match proto {
        0x0021 => Ok((Network::V4, rest)),
        0x0057 => Ok((Network::V6, rest)),
        _ => Err(Reject::NonIp),
    }
}

pub fn sll(frame: &[u8]) -> Result<(u16, &[u8]), Reject> {
    let proto = be16(frame, field::SLL_PROTOCOL).ok_or(Reject::SllTruncated)?;
    Ok((proto, frame.get(field::SLL_LEN..).ok_or(Reject::SllTruncated)?))
}

pub fn sll2(frame: &[u8]) -> Result<(u16, &[u8]), Reject> {
    let proto = be16(frame, field::SLL2_PROTOCOL).ok_or(Reject::SllTruncated)?;
    Ok((proto, frame.get(field::SLL2_LEN..).ok_or(Reject::SllTruncated)?))
}

/// BSD null/loop: a 4-byte address family. `any_order` accepts both byte orders (DLT_NULL is in the capturing
/// host's order, which the file does not record).
pub fn null(frame: &[u8], any_order: bool) -> Result<(Network, &[u8]), Reject> {
    let be = be32(frame, 0).ok_or(Reject::NullTruncated)?;
    let rest = frame.get(4..).unwrap_or(&[]);
    let family = |v: u32| match v {
        2 => Some(Network::V4),
        24 | 28 | 30 => Some(Network::V6),
        _ => None,
    };
    let net = family(be).or_else(|| if any_order { family(be.swap_bytes()) } else { None });
    net.map(|n| (n, rest)).ok_or(Reject::NonIp)
}
