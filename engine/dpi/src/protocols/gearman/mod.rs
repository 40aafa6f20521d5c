//! Gearman's binary protocol (gearman.org "Protocol"): packets `\0REQ` or `\0RES`, a packet type 1–42 and a
//! data size (big-endian) covering the rest of the packet (more packets may follow in the segment).

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Gearman = 394, "Gearman", Rpc, tcp [4730];
}

/// Gearman's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const HEADER: usize = 12;
/// Highest packet type (SUBMIT_JOB_EPOCH is 36; the protocol document lists up to 42).
const MAX_TYPE: u32 = 42;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let magic = p.starts_with(b"\0REQ") || p.starts_with(b"\0RES");
    let ok = magic
        && p.u32_at(4).is_some_and(|t| (1..=MAX_TYPE).contains(&t))
        && p.u32_at(8).and_then(|l| usize::try_from(l).ok()).is_some_and(|l| HEADER + l <= p.len());
    if ok {
        Verdict::Yes(Proto::Gearman)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, s0, HTTP_GET};
    use proptest::prelude::*;

    #[test]
    fn packets() {
        // CAN_DO "reverse" (type 1) and the server's NOOP (type 6, empty), from the protocol document.
        assert_eq!(detect(&c0(b"\0REQ\0\0\0\x01\0\0\0\x07reverse")), Verdict::Yes(Proto::Gearman));
        assert_eq!(detect(&s0(b"\0RES\0\0\0\x06\0\0\0\0")), Verdict::Yes(Proto::Gearman));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&c0(b"\0REQ\0\0\0\x01\0\0\0\x08reverse")), Verdict::No);
        assert_eq!(detect(&c0(b"\0REQ\0\0\0\x2b\0\0\0\0")), Verdict::No);
        assert_eq!(detect(&c0(b"\0REX\0\0\0\x01\0\0\0\0")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(20, 1))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(tail in proptest::collection::vec(any::<u8>(), 0..30)) {
            let mut p = b"\0REQ".to_vec();
            p.extend_from_slice(&tail);
            let _ = detect(&c0(&p));
        }
    }
}
