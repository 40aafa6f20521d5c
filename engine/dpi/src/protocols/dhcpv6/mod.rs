//! DHCPv6 (RFC 8415) on UDP 546/547: message type 1..=13, then options that tile the payload exactly.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    DhcpV6 = 103, "DHCPV6", Network, udp [546, 547];
}

/// DHCPV6's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.l4 != L4::Udp || !(pkt.either_port(546) || pkt.either_port(547)) {
        return Verdict::No;
    }
    let p = pkt.payload;
    let options_at = match p.u8_at(0) {
        Some(1..=11) => 4,
        // Relay-forward / relay-reply: hop count, link address, peer address.
        Some(12 | 13) => 34,
        _ => return Verdict::No,
    };
    match p.get(options_at..) {
        Some(opts) if !opts.is_empty() && options_ok(opts) => Verdict::Yes(Proto::DhcpV6),
        _ => Verdict::No,
    }
}

/// Option code (2), length (2), value: the chain must end exactly at the payload's end.
fn options_ok(mut o: &[u8]) -> bool {
    while !o.is_empty() {
        let (Some(code), Some(len)) = (o.u16_at(0), o.u16_at(2)) else {
            return false;
        };
        if code == 0 {
            return false;
        }
        let Some(rest) = o.get(4 + usize::from(len)..) else {
            return false;
        };
        o = rest;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn information_request() {
        let p = hex("0b27731d0001000e000100011db8e6fb703eacf0f0070006000400170018000800020000");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 546, 547)),
            Verdict::Yes(Proto::DhcpV6)
        );
    }

    #[test]
    fn negatives() {
        let p = hex("0b27731d0001000e000100011db8e6fb703eacf0f0070006000400170018000800020000");
        assert_eq!(detect(&pkt(&p, L4::Udp, 5000, 5001)), Verdict::No);
        assert_eq!(
            detect(&pkt(&p[..p.len() - 1], L4::Udp, 546, 547)),
            Verdict::No
        );
        for seed in 1..200 {
            assert_eq!(
                detect(&pkt(&noise(36, seed), L4::Udp, 546, 547)),
                Verdict::No
            );
        }
    }
}
