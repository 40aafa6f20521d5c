//! CAPWAP (RFC 5415) on UDP 5246 (control) / 5247 (data): preamble version 0; type 1 wraps a DTLS record, type 0
//! a header whose length fits the payload, and on the control port a known message type.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Capwap = 247, "CAPWAP", Network, udp [5246, 5247];
}

/// CAPWAP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let control = pkt.either_port(5246);
    if pkt.l4 != L4::Udp || !(control || pkt.either_port(5247)) {
        return Verdict::No;
    }
    let ok = match p.u8_at(0) {
        // DTLS-protected: reserved 24 bits, then a DTLS record (content type, version 0xfeff/0xfefd).
        Some(0x01) => {
            p.get(1..4) == Some(&[0, 0, 0][..])
                && matches!(p.u8_at(4), Some(0x14..=0x17))
                && matches!(p.get(5..7), Some([0xfe, 0xff | 0xfd]))
        }
        Some(0x00) => {
            let Some(b1) = p.u8_at(1) else {
                return Verdict::No;
            };
            let hlen = usize::from(b1 >> 3) * 4;
            let wbid = p.u8_at(2).map(|b2| (b2 >> 1) & 0x1f);
            let header_ok = hlen >= 8 && hlen <= p.len() && matches!(wbid, Some(0 | 1 | 3));
            // Control messages: enterprise 0 message type 1..=26 (RFC 5415/5416).
            let msg_ok = !control || p.u32_at(hlen).is_some_and(|t| (1..=26).contains(&t));
            header_ok && msg_ok
        }
        _ => false,
    };
    if ok {
        Verdict::Yes(Proto::Capwap)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn discovery_request_and_dtls() {
        let p = hex(
            "002002100000000006580a20690e20e800000001000066000014000100002700280202000100409600",
        );
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 12380, 5246)),
            Verdict::Yes(Proto::Capwap)
        );
        let d = hex(
            "0100000015feff0001000000000001003091525de0381a81cffbbc5c495068756e8580383b27a1c2ff",
        );
        assert_eq!(
            detect(&pkt(&d, L4::Udp, 12379, 5246)),
            Verdict::Yes(Proto::Capwap)
        );
    }

    #[test]
    fn negatives() {
        let p = hex(
            "002002100000000006580a20690e20e800000001000066000014000100002700280202000100409600",
        );
        assert_eq!(detect(&pkt(&p, L4::Udp, 12380, 5000)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(60, 1), L4::Udp, 1, 5246)), Verdict::No);
    }
}
