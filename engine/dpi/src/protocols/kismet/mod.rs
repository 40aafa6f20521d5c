//! Kismet, the wireless sniffer's legacy client/server protocol (Kismet's `kismet_server`, port 2501): every
//! server line starts with `*KEYWORD: `; the first one a client sees is `*KISMET: ` (version, start time, server
//! name), which nDPI reads. A client's `!<id> ENABLE …` request is also accepted when it names a protocol.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use crate::protocols::util::decimal;

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

/// Digits of a client command id.
const MAX_ID_DIGITS: usize = 10;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Tcp {
        return Verdict::No;
    }
    if p.starts_with(b"*KISMET: ") {
        return Verdict::Yes(Proto::Kismet);
    }
    // "!1 ENABLE NETWORK bssid,type\n"
    if let Some(rest) = p.strip_prefix(b"!") {
        if let Some((_, n)) = decimal(rest, MAX_ID_DIGITS) {
            if rest[n..].starts_with(b" ENABLE ") && p.ends_with(b"\n") {
                return Verdict::Yes(Proto::Kismet);
            }
        }
    }
    Verdict::No
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};

    #[test]
    fn server_banner_and_client_enable() {
        let banner = b"*KISMET: 0.0.0 1356098312 \x01Kismet\x01 \x01\x01 0 \n*PROTOCOLS: KISMET,ERROR,ACK\n";
        assert_eq!(detect(&pkt(banner, L4::Tcp, 2501, 34065)), Verdict::Yes(Proto::Kismet));
        assert_eq!(detect(&pkt(b"!1 ENABLE NETWORK bssid,type\n", L4::Tcp, 1, 2501)), Verdict::Yes(Proto::Kismet));
    }

    #[test]
    fn near_misses() {
        for bad in [&b"*KISMET:0.0.0"[..], b"*PROTOCOLS: KISMET\n", b"! ENABLE NETWORK x\n", b"!1 ENABLE NETWORK x"] {
            assert_eq!(detect(&pkt(bad, L4::Tcp, 1, 2501)), Verdict::No, "{bad:?}");
        }
        assert_eq!(detect(&pkt(&noise(40, 3), L4::Tcp, 1, 2501)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 2501));
        }
    }
}
