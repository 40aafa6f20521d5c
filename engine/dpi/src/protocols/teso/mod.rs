//! TESO (The Elder Scrolls Online; format from nDPI's dissector): TCP messages of at least 600 bytes whose
//! big-endian 32-bit length counts the rest, carrying the `eso.live` realm name or the 8b789c01 marker (the offset
//! varies with the account name).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::find;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Teso = 408, "TES_Online", Game;
}

/// TESO's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const MIN_LEN: usize = 600;
const MARKER: [u8; 4] = [0x8b, 0x78, 0x9c, 0x01];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let framed = p.len() >= MIN_LEN && p.u32_at(0).is_some_and(|l| usize::try_from(l).is_ok_and(|l| l + 4 == p.len()));
    if framed && (find(p, b"eso.live").is_some() || find(p, &MARKER).is_some()) {
        Verdict::Yes(Proto::Teso)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    fn message(body: &[u8], len: usize) -> Vec<u8> {
        let mut p = u32::try_from(len - 4).unwrap_or(0).to_be_bytes().to_vec();
        p.extend_from_slice(body);
        p.resize(len, 0x20);
        p
    }

    #[test]
    fn login_message() {
        let p = message(b"\x00\x01account\x00eso.live\x00", 700);
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 24100)), Verdict::Yes(Proto::Teso));
        let mut q = p.clone();
        q.push(0);
        assert_eq!(detect(&pkt(&q, L4::Tcp, 40000, 24100)), Verdict::No);
        let r = message(b"\x00\x01account\x00nothing\x00", 700);
        assert_eq!(detect(&pkt(&r, L4::Tcp, 40000, 24100)), Verdict::No);
        for seed in 1..50 {
            assert_eq!(detect(&pkt(&noise(700, seed), L4::Tcp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(256)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..900)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 2));
        }
    }
}
