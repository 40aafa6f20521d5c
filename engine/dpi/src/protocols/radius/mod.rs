//! RADIUS (RFC 2865/2866/5176) on its registered ports: code and a length equal to the payload.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Radius = 146, "Radius", Network, udp [1812, 1813, 1645, 1646];
}

/// Radius's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const PORTS: &[u16] = &[1812, 1813, 1645, 1646, 3799];

fn detect(pkt: &Pkt) -> Verdict {
    if !PORTS.iter().any(|&port| pkt.either_port(port)) {
        return Verdict::No;
    }
    let p = pkt.payload;
    let (Some(code), Some(len)) = (p.u8_at(0), p.u16_at(2)) else {
        return Verdict::No;
    };
    let code_ok = matches!(code, 1..=5 | 11..=13 | 40..=45);
    if code_ok && (20..=4096).contains(&len) && usize::from(len) == p.len() {
        Verdict::Yes(Proto::Radius)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    // Accounting-Response with one Proxy-State attribute (lifted from a real exchange, authenticator kept).
    const ACCT_RESPONSE: &str = "050b001ae53f0ee20454a6ada756b9573f2251092106aabbccdd";

    #[test]
    fn accounting_response() {
        let p = hex(ACCT_RESPONSE);
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 29200, 1813)),
            Verdict::Yes(Proto::Radius)
        );
    }

    #[test]
    fn access_request_real() {
        let p = hex(
            "0b0a0089233801169f99c3b95259d98164bf56b101353033317134383032373135313634383040776c616e2e6d6e6334383000",
        );
        // Truncated copy: the length no longer agrees, so no.
        assert_eq!(detect(&pkt(&p, L4::Udp, 1812, 29200)), Verdict::No);
    }

    #[test]
    fn negatives() {
        let p = hex(ACCT_RESPONSE);
        assert_eq!(detect(&pkt(&p, L4::Udp, 29200, 443)), Verdict::No);
        for seed in 1..200 {
            let n = noise(64, seed);
            assert_eq!(detect(&pkt(&n, L4::Udp, 5000, 1812)), Verdict::No);
        }
        let dhcp_start = hex("0101060012345678000000000000000000000000");
        assert_eq!(detect(&pkt(&dhcp_start, L4::Udp, 5000, 1812)), Verdict::No);
    }
}
