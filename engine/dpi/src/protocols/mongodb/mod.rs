//! MongoDB wire protocol (MongoDB's "Wire Protocol" spec): a 16-byte little-endian header — message length
//! covering at least the packet, request id, response-to (zero in a client's request), a known opcode — and a
//! body whose first fields agree: OP_MSG's flag bits and a section of kind 0 or 1 starting with a BSON length;
//! OP_QUERY's flags and a `db.collection` name; OP_COMPRESSED's original opcode.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Dir, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    MongoDb = 60, "MongoDB", Database, tcp [27017];
}

/// MongoDB's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// The message header's size.
const HEADER: usize = 16;
/// The server's default maxMessageSizeBytes (48 MB).
const MAX_MESSAGE: u32 = 48_000_000;
/// Smallest BSON document (length and terminator).
const MIN_BSON: u32 = 5;
/// Longest collection name read for OP_QUERY.
const MAX_NAME: usize = 255;

const OP_REPLY: u32 = 1;
const OP_QUERY: u32 = 2004;
const OP_COMPRESSED: u32 = 2012;
const OP_MSG: u32 = 2013;
/// Legacy opcodes with no body check: OP_UPDATE, OP_INSERT, OP_GET_MORE, OP_DELETE, OP_KILL_CURSORS.
const LEGACY: [u32; 5] = [2001, 2002, 2005, 2006, 2007];

/// Whether `p` starts with a MongoDB message.
fn message(p: &[u8]) -> bool {
    let (Some(len), Some(response_to), Some(op)) = (p.u32_le_at(0), p.u32_le_at(8), p.u32_le_at(12)) else {
        return false;
    };
    let whole = usize::try_from(len).is_ok_and(|l| l >= p.len() && l > HEADER) && len <= MAX_MESSAGE;
    if !whole {
        return false;
    }
    match op {
        OP_MSG => {
            // Flag bits: only checksumPresent (0), moreToCome (1), exhaustAllowed (16) are defined.
            let flags_ok = p.u32_le_at(16).is_some_and(|f| f & !0x0001_0003 == 0);
            let section = match p.u8_at(20) {
                Some(0) => p.u32_le_at(21).is_some_and(|b| b >= MIN_BSON && b <= len),
                Some(1) => p.u32_le_at(21).is_some_and(|s| s > 4 && s <= len),
                _ => false,
            };
            flags_ok && section
        }
        OP_QUERY => {
            let name = p.rest_at(20);
            let name = &name[..name.len().min(MAX_NAME)];
            response_to == 0
                && p.u32_le_at(16).is_some_and(|f| f & 1 == 0 && f < 0x100)
                && name.iter().position(|&b| b == 0).is_some_and(|end| {
                    end > 2 && name[..end].contains(&b'.') && name[..end].iter().all(u8::is_ascii_graphic)
                })
        }
        OP_REPLY => response_to != 0 && p.u32_le_at(16).is_some_and(|f| f < 0x10),
        OP_COMPRESSED => p
            .u32_le_at(16)
            .is_some_and(|orig| matches!(orig, OP_REPLY | OP_QUERY | OP_MSG) || LEGACY.contains(&orig)),
        _ => LEGACY.contains(&op) && response_to == 0,
    }
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if message(p) {
        // A client's request answers to nothing.
        if pkt.dir == Dir::ToServer && p.u32_le_at(8) != Some(0) && p.u32_le_at(12) != Some(OP_MSG) {
            return Verdict::No;
        }
        Verdict::Yes(Proto::MongoDb)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, s0, HTTP_GET, TLS_HELLO};
    use crate::protocols::util::testutil::hex;
    use proptest::prelude::*;

    /// OP_MSG `{hello: 1, $db: "admin"}` built from the wire protocol spec: header (length 0x34, request id 1,
    /// response-to 0, opcode 2013), flags 0, section kind 0 with the BSON document.
    const OP_MSG_HELLO: &str = "34000000 01000000 00000000 dd070000 00000000 00 \
         1f000000 10 68656c6c6f00 01000000 02 2464620006000000 61646d696e00 00";
    /// Legacy OP_QUERY `isMaster` on `admin.$cmd` (what drivers sent before OP_MSG): flags 0, name, skip 0,
    /// return -1, document `{isMaster: 1}`.
    const OP_QUERY_ISMASTER: &str = "3a000000 02000000 00000000 d4070000 00000000 \
         61646d696e2e24636d6400 00000000 ffffffff 13000000 10 69734d617374657200 01000000 00";

    #[test]
    fn requests_and_reply() {
        let msg = hex(OP_MSG_HELLO);
        assert_eq!(msg.len(), 0x34);
        assert_eq!(detect(&c0(&msg)), Verdict::Yes(Proto::MongoDb));
        let q = hex(OP_QUERY_ISMASTER);
        assert_eq!(q.len(), 0x3a);
        assert_eq!(detect(&c0(&q)), Verdict::Yes(Proto::MongoDb));
        // The server's OP_MSG reply answers request 1.
        let mut reply = msg.clone();
        reply[8] = 1;
        assert_eq!(detect(&s0(&reply)), Verdict::Yes(Proto::MongoDb));
    }

    #[test]
    fn near_misses() {
        let msg = hex(OP_MSG_HELLO);
        for (at, b) in [(0, 0x10u8), (12, 0xde), (16, 0x04), (20, 2), (21, 0x01)] {
            let mut m = msg.clone();
            m[at] = b;
            assert_eq!(detect(&c0(&m)), Verdict::No, "{at}");
        }
        let mut q = hex(OP_QUERY_ISMASTER);
        q[25] = b'_';
        assert_eq!(detect(&c0(&q)), Verdict::No, "no dot in the collection name");
        for p in [HTTP_GET, TLS_HELLO] {
            assert_eq!(detect(&c0(p)), Verdict::No);
        }
        for seed in 1..300 {
            assert_eq!(detect(&c0(&noise(64, seed))), Verdict::No);
        }
        for n in 0..22 {
            assert_eq!(detect(&c0(&msg[..n])), Verdict::No, "{n}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = detect(&c0(&p));
            let _ = detect(&s0(&p));
        }
    }
}
