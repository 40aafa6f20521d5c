//! ZeroMQ's ZMTP (rfc.zeromq.org 23/ZMTP 3.0, 37/ZMTP 3.1, 15/ZMTP 2.0): the greeting's signature — 0xFF,
//! eight padding bytes, 0x7F — then the revision: ZMTP 2.0 (1) with a socket type 0–10, or ZMTP 3.x (major 3,
//! minor 0/1) with a security mechanism name (NULL, PLAIN, CURVE, GSSAPI) NUL-padded to 20 bytes.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    ZeroMq = 177, "ZeroMQ", Rpc;
}

/// ZeroMQ's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Mechanisms ZMTP 3 defines (23/ZMTP, 24/ZMTP-PLAIN, 26/CURVEZMQ, 38/ZMTP-GSSAPI).
const MECHANISMS: &[&[u8]] = &[b"NULL", b"PLAIN", b"CURVE", b"GSSAPI"];
/// Highest ZMTP 2.0 socket type (STREAM is 3.x only; XSUB is 10).
const MAX_SOCKET_TYPE: u8 = 10;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.u8_at(0) != Some(0xff) || p.u8_at(9) != Some(0x7f) {
        return Verdict::No;
    }
    let ok = match (p.u8_at(10), p.u8_at(11)) {
        (Some(3), Some(0 | 1)) => {
            let mech = p.clip(12, 32);
            let name_len = mech.iter().position(|&b| b == 0).unwrap_or(mech.len());
            let (name, pad) = mech.split_at(name_len);
            MECHANISMS.contains(&name) && pad.iter().all(|&b| b == 0)
        }
        (Some(1), Some(t)) => t <= MAX_SOCKET_TYPE,
        // The signature alone (a peer sends it, then waits to see the other's before the rest).
        (None, _) => p.len() == 10,
        _ => false,
    };
    if ok {
        Verdict::Yes(Proto::ZeroMq)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, HTTP_GET, TLS_HELLO};
    use proptest::prelude::*;

    /// A ZMTP 3.0 NULL greeting (23/ZMTP §"The Greeting": signature with padding 0…01, version 3.0, "NULL",
    /// as-server 0, 31 filler bytes).
    fn greeting() -> Vec<u8> {
        let mut g = b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f\x03\x00NULL".to_vec();
        g.resize(64, 0);
        g
    }

    #[test]
    fn greetings() {
        assert_eq!(detect(&c0(&greeting())), Verdict::Yes(Proto::ZeroMq));
        assert_eq!(detect(&c0(&greeting()[..10])), Verdict::Yes(Proto::ZeroMq));
        // ZMTP 2.0: revision 1, socket type DEALER (5), identity frame.
        assert_eq!(
            detect(&c0(b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f\x01\x05\x00\x00")),
            Verdict::Yes(Proto::ZeroMq)
        );
    }

    #[test]
    fn near_misses() {
        let mut g = greeting();
        g[12..16].copy_from_slice(b"NOPE");
        assert_eq!(detect(&c0(&g)), Verdict::No);
        let mut v = greeting();
        v[10] = 4;
        assert_eq!(detect(&c0(&v)), Verdict::No);
        for p in [HTTP_GET, TLS_HELLO] {
            assert_eq!(detect(&c0(p)), Verdict::No);
        }
        assert_eq!(detect(&c0(&noise(64, 4))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(tail in proptest::collection::vec(any::<u8>(), 0..80)) {
            let mut p = b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f".to_vec();
            p.extend_from_slice(&tail);
            let _ = detect(&c0(&p));
        }
    }
}
