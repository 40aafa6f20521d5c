//! DINGTALK (Alibaba's DingTalk client over TCP; format from nDPI's `dingtalk.c`): a message longer than 90 bytes
//! opening 0x10 with 87800100 00010200 02646b03 0020 at offset 2 (the client's fixed handshake header).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    DingTalk = 431, "DingTalk", Chat;
}

/// DINGTALK's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const MIN_LEN: usize = 91;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = p.len() >= MIN_LEN
        && p[0] == 0x10
        && p.u32_at(2) == Some(0x8780_0100)
        && p.u32_at(6) == Some(0x0100_0200)
        && p.u32_at(10) == Some(0x0264_6b03)
        && p.u16_at(14) == Some(0x0020);
    if ok {
        Verdict::Yes(Proto::DingTalk)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use proptest::prelude::*;

    #[test]
    fn handshake_header() {
        let mut p = hex("10 00 87800100 01000200 02646b03 0020");
        p.resize(120, 0x41);
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 443)), Verdict::Yes(Proto::DingTalk));
        assert_eq!(detect(&pkt(&p[..90], L4::Tcp, 40000, 443)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(120, seed), L4::Tcp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..200)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 2));
        }
    }
}
