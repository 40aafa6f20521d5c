//! Icecast's source protocol (Icecast 2 docs): a streaming source connects with `SOURCE /mount HTTP/1.0` (or
//! `ICE/1.0`), a request plain HTTP does not know; the `http` folder leaves it here.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::first_line;
use crate::proto::Proto;

crate::proto::identities! {
    IceCast = 52, "IceCast", Media;
}

/// IceCast's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let ok = first_line(pkt.payload).is_some_and(|l| {
        l.starts_with(b"SOURCE /")
            && (l.ends_with(b" HTTP/1.0") || l.ends_with(b" HTTP/1.1") || l.ends_with(b" ICE/1.0"))
    });
    if ok {
        Verdict::Yes(Proto::IceCast)
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
    fn source() {
        let s = b"SOURCE /live.ogg HTTP/1.0\r\nAuthorization: Basic c291cmNlOmhhY2ttZQ==\r\nContent-Type: application/ogg\r\n\r\n";
        assert_eq!(detect(&c0(s)), Verdict::Yes(Proto::IceCast));
        assert_eq!(detect(&c0(b"SOURCE /live.ogg ICE/1.0\r\n")), Verdict::Yes(Proto::IceCast));
        assert_eq!(detect(&c0(b"SOURCE /live.ogg\r\n")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(30, 1))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..60)) {
            let _ = detect(&c0(&p));
        }
    }
}
