//! Valve Source Engine server queries (A2S): the 0xFFFFFFFF header, then `TSource Engine Query\0` on any port, or
//! another query/answer type (`U`, `V`, `W`, `A`, `I`, `D`, `E`, `i`) on the game ports 27015..=27020.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    SourceEngine = 333, "Source_Engine", Game, udp [27015];
}

/// Source_Engine's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp || !p.starts_with(&[0xff; 4]) {
        return Verdict::No;
    }
    let info_query = p[4..].starts_with(b"TSource Engine Query\0");
    let game_port =
        (27015..=27020).contains(&pkt.server_port) || (27015..=27020).contains(&pkt.client_port);
    let other = game_port
        && match p.u8_at(4) {
            // Player/rules queries and challenges carry a 4-byte challenge.
            Some(b'U' | b'V' | b'W' | b'A') => p.len() == 9,
            // Info / player / rules answers, ping answer.
            Some(b'I') => p.u8_at(5).is_some_and(|proto| proto >= 7) && p.len() > 10,
            Some(b'D' | b'E') => p.len() > 6,
            Some(b'i') => p.len() <= 20,
            _ => false,
        };
    if info_query || other {
        Verdict::Yes(Proto::SourceEngine)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn info_query() {
        let p = hex("ffffffff54536f7572636520456e67696e6520517565727900");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 20595, 27015)),
            Verdict::Yes(Proto::SourceEngine)
        );
        let challenge = hex("ffffffff5500000000");
        assert_eq!(
            detect(&pkt(&challenge, L4::Udp, 20595, 27015)),
            Verdict::Yes(Proto::SourceEngine)
        );
    }

    #[test]
    fn negatives() {
        let challenge = hex("ffffffff5500000000");
        assert_eq!(detect(&pkt(&challenge, L4::Udp, 20595, 5000)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(25, 1), L4::Udp, 1, 27015)), Verdict::No);
    }
}
