//! Checkmk's agent protocol: the monitored host's agent (TCP 6556) answers a connection with its plain-text
//! report, which opens with the section header `<<<check_mk>>>` (Checkmk agent output format).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    CheckMk = 138, "CHECKMK", DataTransfer, tcp [6556];
}

/// CHECKMK's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// The first section header of every agent report.
const HEADER: &[u8] = b"<<<check_mk>>>";

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.starts_with(HEADER) {
        Verdict::Yes(Proto::CheckMk)
    } else if HEADER.starts_with(p) {
        // The header cut by the segment.
        Verdict::NeedMore
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{noise, s0, HTTP_GET};
    use proptest::prelude::*;

    /// The start of `check_mk_agent`'s output (Checkmk 2.x agent for Linux).
    const REPORT: &[u8] = b"<<<check_mk>>>\nVersion: 2.2.0p14\nAgentOS: linux\nHostname: host1\n";

    #[test]
    fn report() {
        assert_eq!(detect(&s0(REPORT)), Verdict::Yes(Proto::CheckMk));
        assert_eq!(detect(&s0(&REPORT[..5])), Verdict::NeedMore);
        assert_eq!(detect(&s0(b"<<<df>>>\n")), Verdict::No);
        assert_eq!(detect(&s0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&s0(&noise(30, 1))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..60)) {
            let _ = detect(&s0(&p));
        }
    }
}
