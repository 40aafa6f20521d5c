//! Protocols named by their IP protocol number alone (ICMP, IGMP, GRE, OSPF, VRRP, SCTP, EGP, IP-in-IP, PGM,
//! PIM), as nDPI names them: no payload to inspect.

use crate::dissector::{Order, Protocol, Transport};

crate::proto::identities! {
    Icmp = 81, "ICMP", Network, ip [1];
    IcmpV6 = 102, "ICMPV6", Network, ip [58];
    Igmp = 82, "IGMP", Network, ip [2];
    Gre = 80, "GRE", Network, ip [47];
    Ospf = 85, "OSPF", Network, tcp [2604], ip [89];
    Vrrp = 73, "VRRP", Network, ip [112];
    Sctp = 84, "SCTP", Network, ip [132];
    Egp = 83, "EGP", Network, ip [8];
    IpInIp = 86, "IP_in_IP", Network, ip [4];
    Pgm = 296, "PGM", Network, ip [113];
    IpPim = 297, "IP_PIM", Network, ip [103];
}

/// ICMP's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: None,
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};
