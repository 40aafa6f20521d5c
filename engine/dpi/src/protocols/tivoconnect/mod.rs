//! TiVo Connect discovery (TiVo's "TiVo Connect Automatic Machine Discovery Protocol", UDP and TCP 2190): a
//! beacon of `name=value` lines opening with `tivoconnect=1`.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::{first_line, starts_ci, text_lines};
use crate::proto::Proto;

crate::proto::identities! {
    TiVoConnect = 308, "TiVoConnect", Network, tcp [2190], udp [2190];
}

/// TiVoConnect's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = first_line(p).is_some_and(|l| starts_ci(l, b"tivoconnect=")) && text_lines(p);
    if ok {
        Verdict::Yes(Proto::TiVoConnect)
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

    #[test]
    fn beacon() {
        // The beacon layout of TiVo's discovery document.
        let b = b"tivoconnect=1\nswversion=20.7.4\nmethod=broadcast\nidentity=tsn:0001234\nmachine=Living Room\nplatform=tcd/Series4\nservices=TiVoMediaServer:80/http\n";
        assert_eq!(detect(&pkt(b, L4::Udp, 2190, 2190)), Verdict::Yes(Proto::TiVoConnect));
        assert_eq!(detect(&pkt(b"tivoconnect=1", L4::Udp, 1, 2190)), Verdict::No, "no line end");
        assert_eq!(detect(&pkt(b"tivo=1\n", L4::Udp, 1, 2190)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(30, 1), L4::Udp, 1, 2190)), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..60)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2190));
        }
    }
}
