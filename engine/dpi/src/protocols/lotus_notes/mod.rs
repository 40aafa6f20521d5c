//! HCL (Lotus) Notes' NRPC, as nDPI recognises it: the first packet of a flow seen from its start, longer than
//! 16 bytes, carries `00 00 02 00 00 40 02 0F` at offset 6 (the NRPC connection header).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::total_seen;
use crate::proto::Proto;

crate::proto::identities! {
    LotusNotes = 150, "LotusNotes", Collaborative, tcp [1352];
}

/// LotusNotes' registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// The connection header's bytes and where they sit.
const HEADER: &[u8] = &[0x00, 0x00, 0x02, 0x00, 0x00, 0x40, 0x02, 0x0f];
const AT: usize = 6;
/// Shortest first packet.
const MIN_LEN: usize = 17;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if total_seen(pkt) == 0 && p.len() >= MIN_LEN && p.get(AT..AT + HEADER.len()) == Some(HEADER) {
        Verdict::Yes(Proto::LotusNotes)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::test::{c0, noise, tcp, HTTP_GET};
    use proptest::prelude::*;

    /// A connection opening with the header at offset 6 (length and flags before it, a name after).
    const OPEN: &[u8] = b"\x26\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x40\x02\x0f\x00\x00\x03\x00notes";

    #[test]
    fn opening() {
        assert_eq!(detect(&c0(OPEN)), Verdict::Yes(Proto::LotusNotes));
        assert_eq!(detect(&tcp(OPEN, Dir::ToServer, [1, 1])), Verdict::No, "only the first packet");
        assert_eq!(detect(&c0(&OPEN[..16])), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(40, 2))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = detect(&c0(&p));
        }
    }
}
