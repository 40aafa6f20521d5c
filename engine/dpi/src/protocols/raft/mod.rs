//! Raft as C-raft/dqlite frame it (canonical's raft `uv` transport, the message header nDPI reads): a 16-byte
//! little-endian header — message type 1–6 (append entries, its result, request vote, its result, install
//! snapshot, timeout now) and the body length — whose length equals the rest of the packet. (nDPI also accepts
//! any valid type after three packets; we do not.)

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Raft = 392, "Raft", Network;
}

/// Raft's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const HEADER: usize = 16;
/// Highest message type (RAFT_IO_TIMEOUT_NOW).
const MAX_TYPE: u64 = 6;

fn little_u64(p: &[u8], at: usize) -> Option<u64> {
    p.array_at::<8>(at).map(u64::from_le_bytes)
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = little_u64(p, 0).is_some_and(|t| (1..=MAX_TYPE).contains(&t))
        && little_u64(p, 8).is_some_and(|l| l > 0 && usize::try_from(l).is_ok_and(|l| l + HEADER == p.len()));
    if ok {
        Verdict::Yes(Proto::Raft)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, HTTP_GET};
    use proptest::prelude::*;

    #[test]
    fn request_vote() {
        // Type 3, body of 32 bytes (term, candidate id, last log index and term).
        let mut p = vec![3, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0, 0, 0, 0, 0];
        p.resize(48, 1);
        assert_eq!(detect(&c0(&p)), Verdict::Yes(Proto::Raft));
        p.push(0);
        assert_eq!(detect(&c0(&p)), Verdict::No);
        p.truncate(48);
        p[0] = 7;
        assert_eq!(detect(&c0(&p)), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(detect(&c0(&noise(48, seed))), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..60)) {
            let _ = detect(&c0(&p));
        }
    }
}
