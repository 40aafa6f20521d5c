//! The frame decoder: link layer → IP → L4, looking through tunnels to the inner flow.
//!
//! Each layer is read through the view of its own module; this file only chains them. Nothing here allocates,
//! and every slice it takes comes from a view whose length was checked.

use std::net::{IpAddr, Ipv4Addr};

use crate::ethernet::{self, ethertype};
use crate::tcp_flags;
use crate::{capwap, gre, gtp, icmp, ipv4, ipv6, mpls, null, pppoe, sctp, sll, tcp, udp, vxlan};
use crate::{chdlc, direction, frame_relay, ipnet, nflog, pflog, ppi, ppp, prism, radiotap, wlan};
use crate::{Decoded, Fragment, LinkType, Reject, Tunnel};

/// Tunnels looked through, one inside the other; one more is [`Reject::TooManyEncapsulations`]. Real traffic
/// nests two at most (e.g. GTP-U inside VXLAN); the bound keeps crafted nesting from costing stack or time.
pub const MAX_ENCAPSULATION_DEPTH: usize = 4;

const VXLAN_PORT: u16 = 4789;
const GTPU_PORT: u16 = 2152;
const CAPWAP_DATA_PORT: u16 = 5247;

mod ip_protocol {
    pub const TCP: u8 = 6;
    pub const UDP: u8 = 17;
    pub const GRE: u8 = 47;
    pub const IPV4_IN_IP: u8 = 4;
    pub const IPV6_IN_IP: u8 = 41;
    pub const SCTP: u8 = 132;
}

/// What a tunnel header says it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inner<'a> {
    /// A whole Ethernet frame.
    Ethernet(&'a [u8]),
    /// A packet of this ethertype: IP, or VLAN/MPLS/PPPoE in front of IP.
    EtherType(u16, &'a [u8]),
    /// An IP packet, version told by its first nibble.
    Ip(&'a [u8]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Network {
    V4,
    V6,
}

/// Decodes one captured frame into the flow fields. Never panics and never allocates, whatever the bytes.
///
/// Tunnels (GRE, VXLAN, GTP-U, CAPWAP) are looked through: the flow fields are those of the innermost packet,
/// [`Decoded::tunnel`] names the outermost tunnel, the MACs and VLAN stay those of the outer frame. When what
/// follows a tunnel header does not decode, the outer packet is the flow (a UDP datagram to port 4789 that is not
/// VXLAN is still a UDP flow).
///
/// # Errors
/// A [`Reject`] naming why the frame gives no flow: not IP ([`Reject::NonIp`]), or malformed at some layer.
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
        ip_facts: crate::syn::IpFacts::default(),
        payload: &[],
    };
    let (net, packet) = link_layer(link, frame, &mut d)?;
    network(net, packet, &mut d, 0)?;
    Ok(d)
}

/// Reads the link layer of a captured frame down to the IP packet it carries; fills the MACs and VLAN it finds.
fn link_layer<'a>(
    link: LinkType,
    frame: &'a [u8],
    d: &mut Decoded<'a>,
) -> Result<(Network, &'a [u8]), Reject> {
    match link {
        LinkType::Ethernet => carried(Inner::Ethernet(frame), d),
        LinkType::LinuxSll => {
            let sll = sll::Sll::new_checked(frame)?;
            d.src_mac = sll.src_mac();
            shims(sll.protocol(), sll.payload(), &mut d.vlan)
        }
        LinkType::LinuxSll2 => {
            let sll = sll::Sll2::new_checked(frame)?;
            d.src_mac = sll.src_mac();
            shims(sll.protocol(), sll.payload(), &mut d.vlan)
        }
        LinkType::Null | LinkType::Loop => {
            let header = null::Header::new_checked(frame)?;
            let net = match header.family(link == LinkType::Null) {
                Some(null::Family::Inet) => Network::V4,
                Some(null::Family::Inet6) => Network::V6,
                None => return Err(Reject::NonIp),
            };
            Ok((net, header.payload()))
        }
        LinkType::Raw => carried(Inner::Ip(frame), d),
        LinkType::Ipv4 => Ok((Network::V4, frame)),
        LinkType::Ipv6 => Ok((Network::V6, frame)),
        LinkType::Ppp => carried(ppp::hdlc_like(frame)?, d),
        LinkType::PppWithDir => carried(ppp::with_direction(frame)?, d),
        LinkType::PppPppd => carried(ppp::pppd(frame)?, d),
        LinkType::PppEther => carried(ppp::pppoe_session(frame)?, d),
        LinkType::CiscoHdlc => carried(chdlc::Header::new_checked(frame)?.inner(), d),
        LinkType::CiscoHdlcWithDir => {
            let frame = direction::Header::new_checked(frame)?.payload();
            carried(chdlc::Header::new_checked(frame)?.inner(), d)
        }
        LinkType::FrameRelay => carried(frame_relay::Frame::new_checked(frame)?.inner()?, d),
        LinkType::FrameRelayWithDir => {
            let frame = direction::Header::new_checked(frame)?.payload();
            carried(frame_relay::Frame::new_checked(frame)?.inner()?, d)
        }
        LinkType::Pflog => carried(pflog::Header::new_checked(frame)?.inner()?, d),
        LinkType::Nflog => carried(nflog::Message::new_checked(frame)?.inner()?, d),
        LinkType::Ipnet => carried(ipnet::Header::new_checked(frame)?.inner()?, d),
        LinkType::Ieee80211 => carried(wlan::frame(frame, false)?, d),
        LinkType::Radiotap => carried(radiotap::Header::new_checked(frame)?.inner()?, d),
        LinkType::Prism => carried(prism::prism(frame)?, d),
        LinkType::Avs => carried(prism::avs(frame)?, d),
        // `inner` never names PPI again, so this recurses once at most.
        LinkType::Ppi => {
            let (inner, frame) = ppi::Header::new_checked(frame)?.inner()?;
            link_layer(inner, frame, d)
        }
    }
}

/// Follows what a link layer says it carries to IP. An Ethernet frame's MACs are the frame's MACs.
fn carried<'a>(inner: Inner<'a>, d: &mut Decoded<'a>) -> Result<(Network, &'a [u8]), Reject> {
    match inner {
        Inner::Ethernet(frame) => {
            let eth = ethernet::Frame::new_checked(frame)?;
            d.dst_mac = Some(eth.dst_addr());
            d.src_mac = Some(eth.src_addr());
            shims(eth.ethertype(), eth.payload(), &mut d.vlan)
        }
        Inner::EtherType(et, packet) => shims(et, packet, &mut d.vlan),
        Inner::Ip(packet) => Ok((by_version(packet).ok_or(Reject::IpBadVersion)?, packet)),
    }
}

/// Follows an ethertype through VLAN tags, an MPLS label stack or a PPPoE session to IP. `vlan` receives each
/// tag's id, so the innermost one is left.
fn shims<'a>(mut et: u16, mut b: &'a [u8], vlan: &mut u16) -> Result<(Network, &'a [u8]), Reject> {
    // Each tag consumes 4 bytes, so the loop ends on any input.
    loop {
        match et {
            ethertype::IPV4 => return Ok((Network::V4, b)),
            ethertype::IPV6 => return Ok((Network::V6, b)),
            ethertype::VLAN | ethertype::QINQ | ethertype::QINQ_OLD => {
                let tag = ethernet::VlanTag::new_checked(b)?;
                *vlan = tag.vid();
                et = tag.ethertype();
                b = tag.payload();
            }
            ethertype::MPLS | ethertype::MPLS_MULTICAST => {
                // No type field after the stack: the version nibble tells, and anything else (an Ethernet
                // pseudowire's control word, say) is not IP we can find.
                let packet = mpls::payload_after_stack(b)?;
                return Ok((by_version(packet).ok_or(Reject::NonIp)?, packet));
            }
            ethertype::PPPOE_SESSION => {
                let session = pppoe::Header::new_checked(b)?;
                let (protocol, packet) =
                    pppoe::ppp_protocol(session.payload()).ok_or(Reject::PppoeTruncated)?;
                return match protocol {
                    pppoe::protocol::IPV4 => Ok((Network::V4, packet)),
                    pppoe::protocol::IPV6 => Ok((Network::V6, packet)),
                    _ => Err(Reject::NonIp),
                };
            }
            _ => return Err(Reject::NonIp),
        }
    }
}

#[inline]
fn by_version(packet: &[u8]) -> Option<Network> {
    match packet.first().map(|b| b >> 4) {
        Some(4) => Some(Network::V4),
        Some(6) => Some(Network::V6),
        _ => None,
    }
}

/// Decodes an IP packet and what it carries into `d`.
fn network<'a>(
    net: Network,
    packet: &'a [u8],
    d: &mut Decoded<'a>,
    depth: usize,
) -> Result<(), Reject> {
    let (protocol, payload, declared_len) = match net {
        Network::V4 => {
            let ip = ipv4::Packet::new_checked(packet)?;
            d.src = IpAddr::V4(ip.src_addr());
            d.dst = IpAddr::V4(ip.dst_addr());
            d.fragment = ip.fragment();
            d.ip_facts = crate::syn::IpFacts {
                ttl: ip.ttl(),
                df: ip.dont_frag(),
                id: ip.ident(),
                ecn: ip.dscp_ecn() & 3 != 0,
                v6: false,
            };
            (ip.protocol(), ip.payload(), ip.payload_len())
        }
        Network::V6 => {
            let ip = ipv6::Packet::new_checked(packet)?;
            d.src = IpAddr::V6(ip.src_addr());
            d.dst = IpAddr::V6(ip.dst_addr());
            let all = ip.payload();
            let upper = ipv6::upper_layer(ip.next_header(), all)?;
            d.ip_facts = crate::syn::IpFacts::v6(ip.hop_limit(), ip.traffic_class());
            d.fragment = upper.fragment;
            let headers_len = all.len().saturating_sub(upper.payload.len());
            (
                upper.protocol,
                upper.payload,
                ip.payload_len().saturating_sub(headers_len),
            )
        }
    };
    d.proto = protocol;
    transport(protocol, payload, declared_len, d, depth)
}

/// Decodes the L4 header into `d`. `p` is the captured L4 part; `declared_len` what the IP header announces
/// for it (more than `p.len()` when the snap length cut the packet).
fn transport<'a>(
    protocol: u8,
    p: &'a [u8],
    declared_len: usize,
    d: &mut Decoded<'a>,
    depth: usize,
) -> Result<(), Reject> {
    d.src_port = 0;
    d.dst_port = 0;
    d.tcp = None;
    d.icmp = None;
    d.payload = &[];
    let first_fragment = match d.fragment {
        Fragment::None => false,
        Fragment::First { .. } => true,
        // No L4 header in this packet.
        Fragment::Later { .. } => return Ok(()),
    };
    match protocol {
        ip_protocol::TCP => {
            let segment = tcp::Packet::new_unchecked(p);
            match segment.check_len(declared_len) {
                Ok(()) => {}
                // A first fragment may end inside the TCP header: that is fragmentation, not a broken packet.
                Err(Reject::TcpTruncated) if first_fragment => return Ok(()),
                Err(Reject::TcpBadDataOffset)
                    if first_fragment && segment.header_len() >= tcp::MIN_HEADER_LEN => {}
                Err(reject) => return Err(reject),
            }
            d.src_port = segment.src_port();
            d.dst_port = segment.dst_port();
            let mut info = segment.info();
            if info.flags & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN {
                info.syn = crate::syn::signature(d.ip_facts, p);
            }
            d.tcp = Some(info);
            d.payload = segment.payload();
        }
        ip_protocol::UDP => {
            let datagram = match udp::Packet::new_checked(p) {
                Ok(datagram) => datagram,
                Err(_) if first_fragment => return Ok(()),
                Err(reject) => return Err(reject),
            };
            d.src_port = datagram.src_port();
            d.dst_port = datagram.dst_port();
            d.payload = datagram.payload();
            // A fragment holds only part of the tunnelled packet, and its later fragments could not follow it.
            if !first_fragment {
                udp_tunnel(d, depth)?;
            }
        }
        icmp::PROTOCOL_ICMP | icmp::PROTOCOL_ICMPV6 => {
            let message = match icmp::Packet::new_checked(p) {
                Ok(message) => message,
                Err(_) if first_fragment => return Ok(()),
                Err(reject) => return Err(reject),
            };
            d.icmp = Some((message.msg_type(), message.msg_code()));
            d.payload = message.payload();
        }
        ip_protocol::SCTP => {
            let packet = match sctp::Packet::new_checked(p) {
                Ok(packet) => packet,
                Err(_) if first_fragment => return Ok(()),
                Err(reject) => return Err(reject),
            };
            d.src_port = packet.src_port();
            d.dst_port = packet.dst_port();
            d.payload = packet.payload();
        }
        ip_protocol::GRE => {
            d.payload = p;
            if !first_fragment {
                if let Some(inner) = gre::Packet::new_checked(p).and_then(|g| g.inner()) {
                    enter(d, depth, Tunnel::Gre, inner)?;
                }
            }
        }
        ip_protocol::IPV4_IN_IP | ip_protocol::IPV6_IN_IP => {
            d.payload = p;
            if !first_fragment {
                enter(d, depth, Tunnel::IpInIp, Inner::Ip(p))?;
            }
        }
        _ => d.payload = p,
    }
    Ok(())
}

fn udp_tunnel<'a>(d: &mut Decoded<'a>, depth: usize) -> Result<(), Reject> {
    let on = |port| d.src_port == port || d.dst_port == port;
    let (tunnel, inner) = if d.dst_port == VXLAN_PORT {
        (
            Tunnel::Vxlan,
            vxlan::Header::new_checked(d.payload).and_then(|h| h.inner()),
        )
    } else if on(GTPU_PORT) {
        (
            Tunnel::GtpU,
            gtp::Header::new_checked(d.payload).and_then(|h| h.inner()),
        )
    } else if on(CAPWAP_DATA_PORT) {
        (
            Tunnel::Capwap,
            capwap::Header::new_checked(d.payload).and_then(|h| h.inner()),
        )
    } else {
        return Ok(());
    };
    match inner {
        Some(inner) => enter(d, depth, tunnel, inner),
        None => Ok(()),
    }
}

/// Replaces the outer flow in `d` by the tunnel's inner one when that decodes. Otherwise the outer flow stays:
/// bytes that only look like a tunnel header are not an error. Only nesting past the bound is.
fn enter<'a>(
    d: &mut Decoded<'a>,
    depth: usize,
    tunnel: Tunnel,
    inner: Inner<'a>,
) -> Result<(), Reject> {
    if depth >= MAX_ENCAPSULATION_DEPTH {
        return Err(Reject::TooManyEncapsulations);
    }
    let mut candidate = *d;
    if candidate.tunnel == Tunnel::None {
        candidate.tunnel = tunnel;
    }
    // The inner frame's VLAN tags are not the capture's VLAN.
    let mut inner_vlan = 0;
    let result = match inner {
        Inner::Ethernet(frame) => ethernet::Frame::new_checked(frame)
            .and_then(|eth| shims(eth.ethertype(), eth.payload(), &mut inner_vlan)),
        Inner::EtherType(et, packet) => shims(et, packet, &mut inner_vlan),
        Inner::Ip(packet) => by_version(packet)
            .map(|net| (net, packet))
            .ok_or(Reject::IpBadVersion),
    }
    .and_then(|(net, packet)| network(net, packet, &mut candidate, depth + 1));
    match result {
        Ok(()) => {
            *d = candidate;
            Ok(())
        }
        Err(Reject::TooManyEncapsulations) => Err(Reject::TooManyEncapsulations),
        Err(_) => Ok(()),
    }
}
