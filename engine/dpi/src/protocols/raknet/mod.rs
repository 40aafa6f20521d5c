//! RakNet offline messages: the 16-byte OFFLINE_MESSAGE_DATA_ID magic at the offset its message id implies.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    RakNet = 286, "RakNet", Game;
}

/// RakNet's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const MAGIC: [u8; 16] = [
    0x00, 0xff, 0xff, 0x00, 0xfe, 0xfe, 0xfe, 0xfe, 0xfd, 0xfd, 0xfd, 0xfd, 0x12, 0x34, 0x56, 0x78,
];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp {
        return Verdict::No;
    }
    let at = match p.u8_at(0) {
        // Unconnected ping (time 8): magic after the time.
        Some(0x01 | 0x02) => 9,
        // Open connection request/reply 1/2, incompatible protocol version (after the version byte).
        Some(0x05..=0x08) => 1,
        Some(0x19) => 2,
        // Unconnected pong: time (8), server GUID (8).
        Some(0x1c) => 17,
        _ => return Verdict::No,
    };
    if p.get(at..at + 16) == Some(&MAGIC[..]) {
        Verdict::Yes(Proto::RakNet)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn open_connection() {
        let p = hex("0600ffff00fefefefefdfdfdfd12345678000591a5360522200005d4");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 60030, 44501)),
            Verdict::Yes(Proto::RakNet)
        );
        let ping = hex("01000000000000abcd00ffff00fefefefefdfdfdfd123456780000000000000001");
        assert_eq!(
            detect(&pkt(&ping, L4::Udp, 44501, 19132)),
            Verdict::Yes(Proto::RakNet)
        );
    }

    #[test]
    fn negatives() {
        assert_eq!(detect(&pkt(&noise(60, 3), L4::Udp, 1, 19132)), Verdict::No);
        let p = hex("0500ffff00fefefefefdfdfdfd12345679");
        assert_eq!(detect(&pkt(&p, L4::Udp, 1, 19132)), Verdict::No);
    }
}
