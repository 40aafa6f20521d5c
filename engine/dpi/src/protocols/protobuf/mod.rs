//! Protobuf: bare Protocol Buffers messages (protobuf.dev's encoding guide), recognised as nDPI does, by walking
//! the packet as a sequence of fields: a varint tag with a field number above 0 and a wire type among VARINT,
//! I64, LEN and I32 (the deprecated group types and the unassigned 6/7 reject the flow, as does an empty LEN),
//! each value fitting. Up to 32 fields are read. It decides on one packet holding at least 8 fields, one of them
//! a LEN; or, from the flow's fourth packet on, on a packet of at least 2 fields. A packet that parsed without a
//! fault but did not decide asks for more, for at most 8 packets.
//!
//! It has no magic of its own, so it runs after every other dissector (`Order::Last`) and only takes flows none
//! of them claimed.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use crate::protocols::util::total_seen;

crate::proto::identities! {
    Protobuf = 353, "Protobuf", Network;
}

/// Protobuf's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Last,
    risks: &[],
};

/// Fields read per packet at most.
const MAX_FIELDS: usize = 32;
/// Fields a single packet needs (with at least one LEN) to decide.
const ONE_PACKET_FIELDS: usize = 8;
/// From this packet on, a packet with `FEW_FIELDS` fields decides.
const LATER_PACKET: u32 = 4;
const FEW_FIELDS: usize = 2;
/// Packets shown at most before giving up.
const MAX_PACKETS: u32 = 8;
/// Longest varint (a 64-bit value).
const MAX_VARINT: usize = 10;
/// Highest field number (2^29 - 1).
const MAX_FIELD: u64 = (1 << 29) - 1;

/// A varint and the bytes it used; `None` when the packet ends inside it.
fn varint(p: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &b) in p.iter().take(MAX_VARINT).enumerate() {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// What walking the packet found.
#[derive(Debug, PartialEq, Eq)]
enum Walk {
    /// Not Protobuf.
    Fault,
    /// Fields read, LEN fields among them, and whether the walk stayed within the packet.
    Fields { fields: usize, lens: usize, within: bool },
}

fn walk(p: &[u8]) -> Walk {
    let (mut at, mut fields, mut lens) = (0usize, 0usize, 0usize);
    while fields < MAX_FIELDS {
        let Some((tag, n)) = p.get(at..).and_then(varint) else {
            break; // the packet (or the message) ends here
        };
        at += n;
        if tag >> 3 == 0 || tag >> 3 > MAX_FIELD {
            return Walk::Fault;
        }
        match tag & 7 {
            0 => match p.get(at..).and_then(varint) {
                Some((_, n)) => at += n,
                None => return Walk::Fault,
            },
            1 | 5 => {
                let size = if tag & 7 == 1 { 8 } else { 4 };
                if p.len() < at + size {
                    return Walk::Fault;
                }
                at += size;
            }
            2 => {
                let Some((len, n)) = p.get(at..).and_then(varint) else {
                    break; // the length itself is cut: wait for the next packet
                };
                let Ok(len) = usize::try_from(len) else {
                    return Walk::Fault;
                };
                if len == 0 || len > i32::MAX as usize {
                    return Walk::Fault;
                }
                at = at.saturating_add(n).saturating_add(len);
                lens += 1;
            }
            _ => return Walk::Fault,
        }
        fields += 1;
    }
    Walk::Fields { fields, lens, within: at <= p.len() }
}

fn detect(pkt: &Pkt) -> Verdict {
    let packet = total_seen(pkt) + 1;
    match walk(pkt.payload) {
        Walk::Fields { fields, lens, .. }
            if (fields >= ONE_PACKET_FIELDS && lens > 0)
                || (packet >= LATER_PACKET && fields >= FEW_FIELDS) =>
        {
            Verdict::Yes(Proto::Protobuf)
        }
        Walk::Fields { fields, within: true, .. } if fields > 0 && packet < MAX_PACKETS => {
            Verdict::NeedMore
        }
        _ => Verdict::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};
    use crate::L4;

    /// A message encoded by hand from the encoding guide: 1: 150 (varint), 2: "testing" (LEN), 3: 1.0f (I32),
    /// 4: 7 (I64), 5: true, 6: "a", 7: 300, 8: "xy".
    const MESSAGE: &str = "08 9601 12 07 74657374696e67 1d 0000803f 21 0700000000000000 28 01 32 01 61 38 ac02 42 02 7879";

    #[test]
    fn one_rich_message_decides() {
        let p = hex(MESSAGE);
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 12345)), Verdict::Yes(Proto::Protobuf));
    }

    #[test]
    fn small_messages_decide_from_the_fourth_packet() {
        let small = hex("08 2a 12 03 616263");
        assert_eq!(detect(&pkt(&small, L4::Tcp, 1, 2)), Verdict::NeedMore);
        let fourth = pkt_at(&small, L4::Tcp, 1, 2, Dir::ToClient, [2, 1]);
        assert_eq!(detect(&fourth), Verdict::Yes(Proto::Protobuf));
        let one = hex("08 2a");
        let late = pkt_at(&one, L4::Tcp, 1, 2, Dir::ToClient, [4, 4]);
        assert_eq!(detect(&late), Verdict::No);
    }

    #[test]
    fn faults() {
        for bad in [
            "00 01",          // field 0
            "0b 01",          // start group
            "0e 01",          // wire type 6
            "12 00",          // empty LEN
            "0d 0000",        // I32 cut short
            "08 ffffffffffffffffffff01", // an 11-byte varint
        ] {
            assert_eq!(walk(&hex(bad)), Walk::Fault, "{bad}");
        }
        assert_eq!(detect(&pkt(b"GET / HTTP/1.1\r\n\r\n", L4::Tcp, 1, 80)), Verdict::No);
        let mut taken = 0;
        for seed in 1..400 {
            if detect(&pkt(&noise(120, seed), L4::Udp, 1, 2)) != Verdict::No {
                taken += 1;
            }
        }
        assert!(taken < 8, "{taken} of 399 noise packets kept");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300), n in 0u16..10) {
            let _ = detect(&pkt_at(&p, L4::Tcp, 1, 2, Dir::ToServer, [n, n]));
        }
    }
}
