//! Megaco/H.248 text encoding (RFC 3525 Annex B): a message opens with the protocol token and version — `MEGACO/1`
//! or its compact form `!/1` (versions 1–3) — then whitespace and the sender's mId (`[address]:port`, a domain
//! name in `<…>`, or a device name).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::starts_ci;
use crate::proto::Proto;

crate::proto::identities! {
    Megaco = 181, "Megaco", VoIp, udp [2944];
}

/// Megaco's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let rest = if starts_ci(p, b"MEGACO/") {
        &p[7..]
    } else if let Some(r) = p.strip_prefix(b"!/") {
        r
    } else {
        return Verdict::No;
    };
    let ok = matches!(rest.first(), Some(b'1'..=b'3'))
        && matches!(rest.get(1), Some(b' ' | b'\t' | b'\r' | b'\n'))
        && rest[2..].iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|&c| c == b'[' || c == b'<' || c.is_ascii_alphanumeric());
    if ok {
        Verdict::Yes(Proto::Megaco)
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
    fn messages() {
        // RFC 3525 Appendix A.1's first ServiceChange, long and compact forms.
        let long = b"MEGACO/1 [124.124.124.222]:55555\nTransaction = 9998 {\n Context = - {\n";
        let compact = b"!/1 [124.124.124.222]:55555 T=9998{C=-{SC=ROOT{SV{MT=RS,RE=\"901\"}}}}";
        assert_eq!(detect(&pkt(long, L4::Udp, 55555, 2944)), Verdict::Yes(Proto::Megaco));
        assert_eq!(detect(&pkt(compact, L4::Udp, 55555, 2944)), Verdict::Yes(Proto::Megaco));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&pkt(b"MEGACO/9 [1.2.3.4]", L4::Udp, 1, 2944)), Verdict::No);
        assert_eq!(detect(&pkt(b"!/1", L4::Udp, 1, 2944)), Verdict::No);
        assert_eq!(detect(&pkt(b"!/1x[1.2.3.4]", L4::Udp, 1, 2944)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(30, 1), L4::Udp, 1, 2944)), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(tail in proptest::collection::vec(any::<u8>(), 0..30)) {
            let mut p = b"!/".to_vec();
            p.extend_from_slice(&tail);
            let _ = detect(&pkt(&p, L4::Udp, 1, 2944));
        }
    }
}
