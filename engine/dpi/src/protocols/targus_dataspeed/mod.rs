//! TargusDataspeed: nDPI's name for speed-test traffic on ports 5001 and 5201 — which is what iperf (2 on 5001,
//! 3 on 5201) uses. nDPI names it from the ports alone; those ports give the `port` guess here. By content, an
//! iperf3 control connection opens with the client's 36-character session cookie (iperf3's `make_cookie`: letters
//! a-z and digits 2-7) and its NUL terminator, a 37-byte packet, which decides on any port.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    TargusDataspeed = 243, "TargusDataspeed", Network, tcp [5001, 5201], udp [5001, 5201];
}

/// TargusDataspeed's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// iperf3's COOKIE_SIZE: 36 characters and the NUL.
const COOKIE: usize = 37;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let cookie = p.len() == COOKIE
        && p[COOKIE - 1] == 0
        && p[..COOKIE - 1].iter().all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(b));
    if pkt.l4 == L4::Tcp && pkt.dir == Dir::ToServer && pkt.seen == [0, 0] && cookie {
        Verdict::Yes(Proto::TargusDataspeed)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::pkt;

    #[test]
    fn iperf3_cookie() {
        // iperf 3.12's client (`iperf3 -c 127.0.0.1 -p 5203 -n 100K`, loopback), its first segment.
        let c = b"tiipffupou3i3jcmi24orj2fzdjphezynxez\0";
        assert_eq!(c.len(), COOKIE);
        assert_eq!(detect(&pkt(c, L4::Tcp, 40000, 5201)), Verdict::Yes(Proto::TargusDataspeed));
        assert_eq!(detect(&pkt(c, L4::Tcp, 40000, 6000)), Verdict::Yes(Proto::TargusDataspeed));
        assert_eq!(detect(&pkt(b"Q5FF2A3ZHKW7JHSPDJBS6M4IVFV7Q2GVO3QE\0", L4::Tcp, 1, 5201)), Verdict::No);
        assert_eq!(detect(&pkt(&c[..36], L4::Tcp, 1, 5201)), Verdict::No);
        assert_eq!(detect(&pkt(b"q5ff2a3zhkw7jhspdjbs6m4ivfv7q2gvo3q1\0", L4::Tcp, 1, 5201)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 5201));
        }
    }
}
