//! Agora SD-RTN: the client's first datagram carries an "SNI" tag with the edge server's name.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    SdRtn = 171, "SD-RTN", Media;
}

/// SD-RTN's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&agora_sd_rtn),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Agora SD-RTN: the client's first datagram carries an "SNI" tag with the edge server's name.
fn agora_sd_rtn(p: &Pkt) -> Verdict {
    let b = p.payload;
    if b.len() > 19 && &b[11..17] == b"\x00\x04SNI\x00" {
        let n = usize::from(b.u16_le_at(17).unwrap_or(0));
        if b.len() >= 19 + n {
            return Verdict::Yes(Proto::SdRtn);
        }
    }
    Verdict::No
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{hex, pkt};

    // First bytes of a flow in nDPI's regression capture agora-sd-rtn.pcap.
    #[test]
    fn real_opening() {
        let agora = hex("005a384c000021000000000004534e49001c0032332d3234382d3138362d3137392e656467652e61676f72612e696f50444d44");
        assert_eq!(
            agora_sd_rtn(&pkt(&agora, L4::Udp, 40000, 8130)),
            Verdict::Yes(Proto::SdRtn)
        );
    }
}
