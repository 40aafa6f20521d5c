//! WhatsApp's chat connection: the client opens with the Noise prologue "ED\0\x01" or the older "WA" + version.

use crate::dissector::{Dir, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    WhatsApp = 142, "WhatsApp", Chat;
}

/// WhatsApp's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&whatsapp),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// WhatsApp's chat connection: the client opens with the Noise prologue "ED\0\x01" or the older "WA" + version.
fn whatsapp(p: &Pkt) -> Verdict {
    if p.dir != Dir::ToServer || p.seen[0] > 0 {
        return Verdict::No;
    }
    let b = p.payload;
    if b.starts_with(b"ED\x00\x01") || b.len() >= 4 && &b[..2] == b"WA" && (1..=6).contains(&b[2]) {
        Verdict::Yes(Proto::WhatsApp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{hex, pkt};

    // First bytes of a flow in nDPI's regression capture whatsapp.pcap.
    #[test]
    fn real_opening() {
        assert_eq!(
            whatsapp(&pkt(&hex("45440001"), L4::Tcp, 40000, 5222)),
            Verdict::Yes(Proto::WhatsApp)
        );
    }

    #[test]
    fn near_miss() {
        assert_eq!(
            whatsapp(&pkt(b"GET / HTTP/1.1\r\n", L4::Tcp, 40000, 5222)),
            Verdict::No
        );
    }
}
