//! ATG, the serial-over-TCP command protocol of Veeder-Root automatic tank gauges (the TLS-3xx/4xx "serial
//! interface manual"): on port 10001, a command starts with SOH (0x01) and the function letter `I` (inquiry) or
//! `S` (set), in either case, and ends with CR LF — the same rule as nDPI's. Like nDPI, no port guess: 10001 is
//! shared with many other services.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    Atg = 423, "ATG", IoTScada;
}

/// ATG's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const PORT: u16 = 10001;
/// SOH, function letter, the 3-digit function code and its qualifier at least, then CR LF.
const MIN_LEN: usize = 8;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 == L4::Tcp
        && pkt.either_port(PORT)
        && p.len() >= MIN_LEN
        && p[0] == 0x01
        && matches!(p[1], b'I' | b'i' | b'S' | b's')
        && p.ends_with(b"\r\n")
    {
        Verdict::Yes(Proto::Atg)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};

    #[test]
    fn inquiry_and_reply() {
        // "In-tank inventory report, all tanks" (function I201, tank 00), as the manual writes commands.
        assert_eq!(detect(&pkt(b"\x01I20100\r\n", L4::Tcp, 3134, 10001)), Verdict::Yes(Proto::Atg));
        assert_eq!(detect(&pkt(b"\x01i20100\r\n", L4::Tcp, 3134, 10001)), Verdict::Yes(Proto::Atg));
        assert_eq!(detect(&pkt(b"\x01I20100\r\n", L4::Tcp, 3134, 10002)), Verdict::No);
        assert_eq!(detect(&pkt(b"\x01X20100\r\n", L4::Tcp, 3134, 10001)), Verdict::No);
        assert_eq!(detect(&pkt(b"\x01I20100", L4::Tcp, 3134, 10001)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(30, 1), L4::Tcp, 3134, 10001)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, PORT));
        }
    }
}
