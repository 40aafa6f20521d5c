//! MGCP (RFC 3435 §3.2): a command line `VERB transaction-id endpoint@domain MGCP 1.0[ NCS 1.0]` with one of
//! the protocol's verbs, or a response line `code transaction-id [comment]` answering one (the code alone is
//! too little, so responses wait for a command).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::{decimal, first_line, find};
use crate::proto::Proto;

crate::proto::identities! {
    Mgcp = 94, "MGCP", VoIp, udp [2427, 2727];
}

/// MGCP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// The verbs (§2.3) and the MESG/extension verb of NCS.
const VERBS: &[&[u8]] = &[
    b"EPCF", b"CRCX", b"MDCX", b"DLCX", b"RQNT", b"NTFY", b"AUEP", b"AUCX", b"RSIP", b"MESG",
];
/// Digits of a transaction id (1–999999999, §3.2.1).
const MAX_TID_DIGITS: usize = 9;

fn command(line: &[u8]) -> bool {
    let Some(rest) = VERBS.iter().find_map(|v| line.strip_prefix(*v).and_then(|r| r.strip_prefix(b" "))) else {
        return false;
    };
    let Some((_, n)) = decimal(rest, MAX_TID_DIGITS) else {
        return false;
    };
    let rest = &rest[n..];
    rest.first() == Some(&b' ')
        && find(rest, b"@").is_some()
        && (find(rest, b" MGCP 1.0").is_some() || find(rest, b" MGCP 0.1").is_some())
}

fn detect(pkt: &Pkt) -> Verdict {
    match first_line(pkt.payload) {
        Some(line) if command(line) => Verdict::Yes(Proto::Mgcp),
        _ => Verdict::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn commands() {
        // RFC 3435 §2.3.5 and Appendix E examples.
        let crcx = b"CRCX 1204 aaln/1@rgw-2567.whatever.net MGCP 1.0\r\nC: A3C47F21456789F0\r\nL: p:10, a:PCMU\r\nM: recvonly\r\n";
        let rsip = b"RSIP 2005 aaln/1@rgw-2567.whatever.net MGCP 1.0 NCS 1.0\nRM: restart\n";
        assert_eq!(detect(&pkt(crcx, L4::Udp, 2727, 2427)), Verdict::Yes(Proto::Mgcp));
        assert_eq!(detect(&pkt(rsip, L4::Udp, 2427, 2727)), Verdict::Yes(Proto::Mgcp));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&pkt(b"200 1204 OK\r\n", L4::Udp, 2427, 2727)), Verdict::No);
        assert_eq!(detect(&pkt(b"CRCX 1204 aaln/1@gw SIP/2.0\r\n", L4::Udp, 1, 2427)), Verdict::No);
        assert_eq!(detect(&pkt(b"CRCX x aaln/1@gw MGCP 1.0\r\n", L4::Udp, 1, 2427)), Verdict::No);
        assert_eq!(detect(&pkt(b"INVITE sip:a@b SIP/2.0\r\n", L4::Udp, 1, 5060)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(30, 1), L4::Udp, 1, 2427)), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(tail in proptest::collection::vec(any::<u8>(), 0..60)) {
            let mut p = b"CRCX ".to_vec();
            p.extend_from_slice(&tail);
            let _ = detect(&pkt(&p, L4::Udp, 1, 2427));
        }
    }
}
