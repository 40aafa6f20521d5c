//! AMQP: the 8-byte protocol header "AMQP" + 0 0 9 1 (0-9-1), 1 1 0 9/10 (0-8/0-9) or id 0..=3 + 1 0 0 (1.0).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Amqp = 192, "AMQP", Rpc, tcp [5672];
}

/// AMQP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = p.len() == 8
        && p.starts_with(b"AMQP")
        && matches!(
            &p[4..],
            [0, 0, 9, 1] | [1, 1, 0, 9] | [1, 1, 0, 10] | [1, 1, 8, 0] | [0..=3, 1, 0, 0]
        );
    // The server may answer a mismatching header with its own; either side counts.
    if ok && (pkt.dir == Dir::ToServer || pkt.seen[0] > 0) {
        Verdict::Yes(Proto::Amqp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn header() {
        assert_eq!(
            detect(&c0(b"AMQP\x00\x00\x09\x01")),
            Verdict::Yes(Proto::Amqp)
        );
        assert_eq!(
            detect(&c0(b"AMQP\x03\x01\x00\x00")),
            Verdict::Yes(Proto::Amqp)
        );
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(b"AMQP\x00\x00\x09\x01\x01")), Verdict::No);
        assert_eq!(detect(&c0(b"AMQP\x07\x07\x07\x07")), Verdict::No);
        assert_eq!(detect(&c0(&noise(8, 29))), Verdict::No);
    }
}
