//! Kismet's legacy client/server protocol (Kismet's "client protocol" documentation, TCP 2501): the server's
//! lines are `*SENTENCE: fields`, and it greets a client with `*KISMET: <version> <start time> …`.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Kismet = 309, "Kismet", Network;
}

/// Kismet's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.payload.starts_with(b"*KISMET: ") {
        Verdict::Yes(Proto::Kismet)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{noise, s0, HTTP_GET};
    use proptest::prelude::*;

    #[test]
    fn greeting() {
        let g = b"*KISMET: 0.0.0 1136227575 \x01Kismet\x01 \x01\x01 1 \n*PROTOCOLS: KISMET,ERROR,ACK\n";
        assert_eq!(detect(&s0(g)), Verdict::Yes(Proto::Kismet));
        assert_eq!(detect(&s0(b"*KISMET:x")), Verdict::No);
        assert_eq!(detect(&s0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&s0(&noise(20, 1))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..30)) {
            let _ = detect(&s0(&p));
        }
    }
}
