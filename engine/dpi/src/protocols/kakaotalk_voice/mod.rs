//! KakaoTalk_Voice (KakaoTalk's calls; nDPI's `kakaotalk_voice.c`): an RTCP sender report header (81 c8 00 0c) to
//! or from Kakao's voice relays, 1.201.0.0/16 (KINX, Korea). Address and content both: the header alone is any
//! RTCP.

use std::net::IpAddr;

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    KakaoTalkVoice = 194, "KakaoTalk_Voice", VoIp;
}

/// KakaoTalk_Voice's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&KakaoVoice),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const SENDER_REPORT: [u8; 4] = [0x81, 0xc8, 0x00, 0x0c];
/// The relays' network, 1.201.0.0/16.
const RELAYS: [u8; 2] = [1, 201];

struct KakaoVoice;

impl Dissector for KakaoVoice {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let relay = |a: IpAddr| matches!(a, IpAddr::V4(v4) if v4.octets()[..2] == RELAYS);
        let ep = flow.endpoints();
        if pkt.payload.starts_with(&SENDER_REPORT) && (relay(ep.client) || relay(ep.server)) {
            Verdict::Yes(Proto::KakaoTalkVoice)
        } else {
            Verdict::No
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, pkt};
    use proptest::prelude::*;

    #[test]
    fn sender_report_to_the_relays() {
        // RTCP SR (RFC 3550 §6.4.1): V=2, RC=1, PT=200, length 12 words.
        let sr = hex("81c8000c 11223344 00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000");
        let x = pkt(&sr, L4::Udp, 40000, 10000);
        let mut h = Harness::new(&x);
        assert_eq!(h.probe(&KakaoVoice, &x), Verdict::No, "10.0.0.2 is not a relay");
        h.set_server([1, 201, 3, 4].into(), 10000);
        assert_eq!(h.probe(&KakaoVoice, &x), Verdict::Yes(Proto::KakaoTalkVoice));
        let rr = hex("81c90007 11223344");
        assert_eq!(h.probe(&KakaoVoice, &pkt(&rr, L4::Udp, 40000, 10000)), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..80)) {
            let x = pkt(&p, L4::Udp, 1, 2);
            let mut h = Harness::new(&x);
            h.set_server([1, 201, 0, 1].into(), 2);
            let _ = h.probe(&KakaoVoice, &x);
        }
    }
}
