//! Cassandra native protocol v3+ (TCP 9042): version byte (requests 3..=5, responses 0x83..=0x85), flags, stream,
//! an opcode valid for the direction, and a body length equal to the rest.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Cassandra = 264, "Cassandra", Database, tcp [9042];
}

/// Cassandra's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let (Some(version), Some(flags), Some(opcode), Some(len)) =
        (p.u8_at(0), p.u8_at(1), p.u8_at(4), p.u32_at(5))
    else {
        return Verdict::No;
    };
    let op_ok = match version {
        3..=5 => matches!(
            opcode,
            0x01 | 0x05 | 0x07 | 0x09 | 0x0a | 0x0b | 0x0d | 0x0f
        ),
        0x83..=0x85 => matches!(
            opcode,
            0x00 | 0x02 | 0x03 | 0x06 | 0x08 | 0x0c | 0x0e | 0x10
        ),
        _ => false,
    };
    let len_ok = usize::try_from(len).is_ok_and(|l| l + 9 == p.len());
    if pkt.l4 == L4::Tcp && op_ok && flags & 0xe0 == 0 && len_ok {
        Verdict::Yes(Proto::Cassandra)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn options_and_startup() {
        assert_eq!(
            detect(&pkt(&hex("040000000500000000"), L4::Tcp, 46536, 9042)),
            Verdict::Yes(Proto::Cassandra)
        );
        let s = hex("0400000101000000160001000b43514c5f56455253494f4e0005332e332e31");
        assert_eq!(
            detect(&pkt(&s, L4::Tcp, 46536, 9042)),
            Verdict::Yes(Proto::Cassandra)
        );
    }

    #[test]
    fn negatives() {
        assert_eq!(
            detect(&pkt(&hex("040000000500000001"), L4::Tcp, 1, 9042)),
            Verdict::No
        );
        assert_eq!(
            detect(&pkt(&hex("840000000500000000"), L4::Tcp, 1, 9042)),
            Verdict::No
        );
        assert_eq!(detect(&pkt(&noise(30, 1), L4::Tcp, 1, 9042)), Verdict::No);
    }
}
