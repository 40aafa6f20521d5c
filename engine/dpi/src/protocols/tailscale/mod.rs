//! Tailscale's disco messages (tailscale's `disco/disco.go`): the magic `TS💬` (`54 53 f0 9f 92 ac`), the
//! sender's 32-byte disco public key, a 24-byte nonce and a NaCl box (at least its 16-byte tag). nDPI also insists
//! on port 41641; the six-byte magic plus the fixed layout stand on their own, since clients pick other ports
//! when 41641 is taken.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    Tailscale = 24, "Tailscale", Vpn, udp [41641];
}

/// Tailscale's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const MAGIC: &[u8; 6] = b"TS\xf0\x9f\x92\xac";
/// Magic, sender key, nonce and the box's authentication tag.
const MIN_LEN: usize = 6 + 32 + 24 + 16;

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.l4 == L4::Udp && pkt.payload.len() >= MIN_LEN && pkt.payload.starts_with(MAGIC) {
        Verdict::Yes(Proto::Tailscale)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};

    fn ping() -> Vec<u8> {
        // A disco ping's layout: magic, key, nonce, then the sealed ping (type, version, txid, node key: 1+1+12+32
        // bytes) with its tag. The key, nonce and box are random bytes here.
        let mut p = MAGIC.to_vec();
        p.extend(noise(32 + 24 + 46 + 16, 9));
        p
    }

    #[test]
    fn disco_ping_on_any_port() {
        assert_eq!(detect(&pkt(&ping(), L4::Udp, 41641, 41641)), Verdict::Yes(Proto::Tailscale));
        assert_eq!(detect(&pkt(&ping(), L4::Udp, 50000, 60000)), Verdict::Yes(Proto::Tailscale));
    }

    #[test]
    fn near_misses() {
        let p = ping();
        assert_eq!(detect(&pkt(&p[..MIN_LEN - 1], L4::Udp, 41641, 41641)), Verdict::No);
        assert_eq!(detect(&pkt(&p, L4::Tcp, 41641, 41641)), Verdict::No);
        let mut q = p.clone();
        q[5] = 0xad;
        assert_eq!(detect(&pkt(&q, L4::Udp, 41641, 41641)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 41641));
        }
    }
}
