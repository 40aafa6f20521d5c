//! Discord voice: RTC packets starting 0x1337cafe, or the 74-byte IP discovery (type 1 request / 2 response,
//! length 70).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Discord = 58, "Discord", Collaborative;
}

/// Discord's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&discord),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Discord voice: RTC packets starting 0x1337cafe, or the 74-byte IP discovery (type 1 request / 2 response,
/// length 70).
fn discord(p: &Pkt) -> Verdict {
    let b = p.payload;
    if b.len() >= 8 && b[..4] == [0x13, 0x37, 0xca, 0xfe] {
        return Verdict::Yes(Proto::Discord);
    }
    if b.len() == 74 && b[0] == 0 && (b[1] == 1 || b[1] == 2) && b[2..4] == [0, 70] {
        return Verdict::Yes(Proto::Discord);
    }
    if crate::protocols::util::total_seen(p) < 2 {
        Verdict::NeedMore
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{hex, pkt};

    // First bytes of a flow in nDPI's regression capture discord.pcap.
    #[test]
    fn real_opening() {
        assert_eq!(
            discord(&pkt(&hex("1337cafe0e000000"), L4::Udp, 40000, 50004)),
            Verdict::Yes(Proto::Discord)
        );
    }
}
