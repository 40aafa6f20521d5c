//! BGP-4 (RFC 4271, TCP 179): the 16-byte all-ones marker, a length of 19..=4096, and message type 1..=5.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Bgp = 13, "BGP", Network, tcp [179];
}

/// BGP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let (Some(len), Some(kind)) = (p.u16_at(16), p.u8_at(18)) else {
        return Verdict::No;
    };
    if pkt.l4 == L4::Tcp
        && p[..16].iter().all(|&b| b == 0xff)
        && (19..=4096).contains(&len)
        && (1..=5).contains(&kind)
    {
        Verdict::Yes(Proto::Bgp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn keepalive() {
        let p = hex("ffffffffffffffffffffffffffffffff001304");
        assert_eq!(
            detect(&pkt(&p, L4::Tcp, 40000, 179)),
            Verdict::Yes(Proto::Bgp)
        );
    }

    #[test]
    fn negatives() {
        let p = hex("ffffffffffffffffffffffffffffffff001306");
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 179)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(19, 1), L4::Tcp, 1, 179)), Verdict::No);
    }
}
