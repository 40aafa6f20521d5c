//! Elasticsearch transport protocol (TCP 9300): `ES`, a 4-byte message length, an 8-byte request id, a status byte
//! and a version.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Elasticsearch = 330, "Elasticsearch", System, tcp [9200];
}

/// Elasticsearch's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Tcp || !p.starts_with(b"ES") {
        return Verdict::No;
    }
    let (Some(len), Some(status)) = (p.u32_at(2), p.u8_at(14)) else {
        return Verdict::No;
    };
    // Ping: length 0xffffffff and nothing else.
    if len == 0xffff_ffff && p.len() == 6 {
        return Verdict::Yes(Proto::Elasticsearch);
    }
    let len_ok = usize::try_from(len)
        .is_ok_and(|l| l + 6 == p.len() || (l + 6 > p.len() && pkt.either_port(9300)));
    if len_ok && len >= 13 && status & 0xe0 == 0 {
        Verdict::Yes(Proto::Elasticsearch)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn handshake() {
        let p = hex("455300000013000000000000000109005cc6630000cbf6ae03");
        assert_eq!(
            detect(&pkt(&p, L4::Tcp, 40282, 9300)),
            Verdict::Yes(Proto::Elasticsearch)
        );
    }

    #[test]
    fn negatives() {
        let p = hex("455300000014000000000000000109005cc6630000cbf6ae03");
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40282, 9301)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(40, 1), L4::Tcp, 1, 9300)), Verdict::No);
    }
}
