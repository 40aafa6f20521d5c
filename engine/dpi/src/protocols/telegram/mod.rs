//! Telegram calls through its reflectors: a 16-byte peer tag then twelve 0xff bytes and a 0xfe/0xff marker.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Telegram = 185, "Telegram", Chat;
}

/// Telegram's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&telegram_voip),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Telegram calls through its reflectors: a 16-byte peer tag then twelve 0xff bytes and a 0xfe/0xff marker.
fn telegram_voip(p: &Pkt) -> Verdict {
    let b = p.payload;
    if b.len() >= 32 && b[16..28].iter().all(|&x| x == 0xff) && (b[28] == 0xfe || b[28] == 0xff) {
        return Verdict::Yes(Proto::Telegram);
    }
    Verdict::No
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{hex, pkt};

    // First bytes of a flow in nDPI's regression capture telegram.pcap.
    #[test]
    fn real_opening() {
        let tg =
            hex("2fe49fa76c4eb433cbcd82a1bbea621efffffffffffffffffffffffffeffffff127fb2abab6d515d");
        assert_eq!(
            telegram_voip(&pkt(&tg, L4::Udp, 40000, 529)),
            Verdict::Yes(Proto::Telegram)
        );
    }
}
