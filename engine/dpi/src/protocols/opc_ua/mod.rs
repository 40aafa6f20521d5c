//! OPC UA's binary TCP transport (OPC 10000-6 §7.1.2): every message chunk opens with a three-letter type (HEL,
//! ACK, ERR, RHE, OPN, MSG, CLO), a chunk type (`F` final; `C` intermediate and `A` abort for the secured OPN, MSG
//! and CLO) and a little-endian message size that covers at least this 8-byte header and the packet's first
//! chunk — a chunk may continue in the next segment, but never ends before the packet does unless another
//! chunk header follows.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    OpcUa = 360, "OPC-UA", IoTScada, tcp [4840];
}

/// OPC-UA's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const HEADER: usize = 8;
/// Shortest message (nDPI's bound; an ERR or CLO is at least this).
const MIN_LEN: usize = 16;
/// Largest chunk a stack negotiates (OPC 10000-6 allows the sender's buffer size; stacks stay far below this).
const MAX_CHUNK: usize = 16 << 20;

fn header_ok(p: &[u8]) -> Option<usize> {
    let (kind, chunk) = (p.get(..3)?, p.u8_at(3)?);
    let final_only = matches!(kind, b"HEL" | b"ACK" | b"ERR" | b"RHE");
    let secured = matches!(kind, b"OPN" | b"MSG" | b"CLO");
    let chunk_ok = chunk == b'F' || (secured && matches!(chunk, b'C' | b'A'));
    let size = usize::try_from(p.u32_le_at(4)?).ok()?;
    ((final_only || secured) && chunk_ok && (HEADER..=MAX_CHUNK).contains(&size)).then_some(size)
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = pkt.l4 == L4::Tcp
        && p.len() >= MIN_LEN
        && header_ok(p).is_some_and(|size| size >= p.len() || header_ok(&p[size..]).is_some());
    if ok {
        Verdict::Yes(Proto::OpcUa)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    /// A Hello (OPC 10000-6 §7.1.2.3): version 0, buffer sizes 65536, max message 0, max chunks 0, and the
    /// endpoint URL "opc.tcp://plc:4840".
    const HELLO: &str = "48454c46 32000000 00000000 00000100 00000100 00000000 00000000 12000000 \
                         6f70632e7463703a2f2f706c633a34383430";

    #[test]
    fn hello_and_a_secured_chunk() {
        let p = hex(HELLO);
        assert_eq!(p.len(), 0x32);
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 4840)), Verdict::Yes(Proto::OpcUa));
        // The first segment of a 1000-byte intermediate MSG chunk.
        let mut m = hex("4d534743 e8030000 01000000 02000000");
        m.extend_from_slice(&[0; 40]);
        assert_eq!(detect(&pkt(&m, L4::Tcp, 4840, 40000)), Verdict::Yes(Proto::OpcUa));
    }

    #[test]
    fn near_misses() {
        let mut p = hex(HELLO);
        p[3] = b'C'; // a Hello is never intermediate
        assert_eq!(detect(&pkt(&p, L4::Tcp, 1, 4840)), Verdict::No);
        let mut short = hex(HELLO);
        short[4] = 0x10; // ends inside the packet with no chunk after it
        assert_eq!(detect(&pkt(&short, L4::Tcp, 1, 4840)), Verdict::No);
        assert_eq!(detect(&pkt(b"HELF\x08\0\0\0", L4::Tcp, 1, 4840)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(40, 1), L4::Tcp, 1, 4840)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 4840));
        }
    }
}
