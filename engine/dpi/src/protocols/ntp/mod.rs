//! NTP (RFC 5905) on UDP 123: version 1..=4, a mode, and the length its mode requires. NTP has no magic, so the
//! port is required.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Ntp = 9, "NTP", System, udp [123];
}

/// NTP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.l4 != L4::Udp || !pkt.either_port(123) {
        return Verdict::No;
    }
    let p = pkt.payload;
    let Some(b0) = p.u8_at(0) else {
        return Verdict::No;
    };
    let version = (b0 >> 3) & 0x07;
    let mode = b0 & 0x07;
    let ok = (1..=4).contains(&version)
        && match mode {
            // Symmetric, client, server, broadcast: 48-byte header, then extensions or a MAC.
            1..=5 => p.len() >= 48 && p.u8_at(1).is_some_and(|stratum| stratum <= 16),
            // Control messages: 12-byte header; the data count must fit in the payload.
            6 => p
                .u16_at(10)
                .is_some_and(|count| usize::from(count) + 12 <= p.len() && count <= 468),
            // Private (ntpdc) messages: 8-byte header.
            7 => p.len() >= 8,
            _ => false,
        };
    if ok {
        Verdict::Yes(Proto::Ntp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn client_request() {
        let p = hex(
            "230206ec000026200000f6c911fd1a7ddb4a7e8f3d3ee739db4a8184a643c768db4a8184b424877edb4a81ec3f3a0000000000",
        );
        assert_eq!(p.len(), 51);
        assert_eq!(
            detect(&pkt(&p[..48], L4::Udp, 123, 123)),
            Verdict::Yes(Proto::Ntp)
        );
    }

    #[test]
    fn private_mode7() {
        let p = hex("970e032a00050048000000000000103a000000000000018848ef596dac100c65");
        assert_eq!(detect(&pkt(&p, L4::Udp, 123, 80)), Verdict::Yes(Proto::Ntp));
    }

    #[test]
    fn negatives() {
        let p = hex("230206ec000026200000f6c911fd1a7ddb4a7e8f3d3ee739db4a8184a643c768db4a8184b424877edb4a81ec3f");
        assert_eq!(detect(&pkt(&p, L4::Udp, 5000, 5001)), Verdict::No);
        assert_eq!(detect(&pkt(&p[..20], L4::Udp, 5000, 123)), Verdict::No);
        let v0 = [0x03u8; 48];
        assert_eq!(detect(&pkt(&v0, L4::Udp, 5000, 123)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(48, 1), L4::Tcp, 5000, 123)), Verdict::No);
    }
}
