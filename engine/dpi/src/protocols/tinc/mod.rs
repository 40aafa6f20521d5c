//! tinc VPN's meta connection (tinc's `protocol.h`/`protocol_auth.c`, protocol 17): each side opens with an ID
//! request, `0 <name> 17[.<minor>]\n`, then sends its METAKEY, `1 <cipher> <digest> <maclen> <compression>
//! <hex key>\n`. An ID line alone asks for more; a METAKEY line after it (either direction) decides. Like nDPI,
//! the UDP data channel is not named: it is encrypted from its first byte.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use crate::protocols::util::{decimal, total_seen};

crate::proto::identities! {
    Tinc = 209, "TINC", Vpn, tcp [655], udp [655];
}

/// TINC's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Longest node name accepted.
const MAX_NAME: usize = 64;
/// Digits in a METAKEY number field.
const MAX_DIGITS: usize = 5;
/// Shortest hex key (a 1024-bit RSA-encrypted key is 256 hex digits; tinc 1.1's legacy mode sends the same).
const MIN_KEY: usize = 64;

/// `0 <name> 17[.<minor>]\n`
fn id_line(p: &[u8]) -> bool {
    let Some(rest) = p.strip_prefix(b"0 ") else {
        return false;
    };
    let name = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    if name == 0 || name > MAX_NAME {
        return false;
    }
    let Some(ver) = rest[name..].strip_prefix(b" 17") else {
        return false;
    };
    match ver {
        b"\n" => true,
        [b'.', minor @ ..] => {
            let digits = minor.iter().take_while(|b| b.is_ascii_digit()).count();
            digits > 0 && &minor[digits..] == b"\n"
        }
        _ => false,
    }
}

/// `1 <n> <n> <n> <n> <HEX>\n`
fn metakey_line(p: &[u8]) -> bool {
    let Some(mut rest) = p.strip_prefix(b"1 ") else {
        return false;
    };
    for _ in 0..4 {
        let Some((_, n)) = decimal(rest, MAX_DIGITS) else {
            return false;
        };
        let Some(r) = rest[n..].strip_prefix(b" ") else {
            return false;
        };
        rest = r;
    }
    let key = rest
        .iter()
        .take_while(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b))
        .count();
    key >= MIN_KEY && &rest[key..] == b"\n"
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Tcp {
        return Verdict::No;
    }
    if id_line(p) {
        return Verdict::NeedMore;
    }
    if total_seen(pkt) > 0 && metakey_line(p) {
        return Verdict::Yes(Proto::Tinc);
    }
    Verdict::No
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::testutil::{noise, pkt, pkt_at};

    fn metakey() -> Vec<u8> {
        // Cipher 91 (aes-256-cbc's NID), digest 64 (sha1), MAC length 4, no compression, then the RSA-encrypted key
        // in upper-case hex, as tinc 1.0's send_metakey() prints it.
        let mut m = b"1 427 64 4 0 ".to_vec();
        m.extend(std::iter::repeat_n(b'A', 256));
        m.push(b'\n');
        m
    }

    #[test]
    fn handshake() {
        let id = b"0 alpha 17\n";
        assert_eq!(detect(&pkt(id, L4::Tcp, 40000, 655)), Verdict::NeedMore);
        assert_eq!(detect(&pkt(b"0 beta_2 17.7\n", L4::Tcp, 40000, 655)), Verdict::NeedMore);
        let mk = metakey();
        let later = pkt_at(&mk, L4::Tcp, 40000, 655, Dir::ToClient, [1, 1]);
        assert_eq!(detect(&later), Verdict::Yes(Proto::Tinc));
    }

    #[test]
    fn near_misses() {
        let mk = metakey();
        // A METAKEY-looking first packet is not enough.
        assert_eq!(detect(&pkt(&mk, L4::Tcp, 40000, 655)), Verdict::No);
        for bad in [&b"0 alpha 16\n"[..], b"0  17\n", b"0 alpha 17", b"0 al pha 17\n", b"0 alpha 17.\n"] {
            assert_eq!(detect(&pkt(bad, L4::Tcp, 1, 655)), Verdict::No, "{bad:?}");
        }
        let short = b"1 427 64 4 0 ABCDEF\n";
        assert_eq!(
            detect(&pkt_at(short, L4::Tcp, 1, 655, Dir::ToClient, [1, 1])),
            Verdict::No
        );
        for seed in 1..50 {
            let n = noise(80, seed);
            assert_eq!(detect(&pkt_at(&n, L4::Tcp, 1, 655, Dir::ToServer, [1, 1])), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let _ = detect(&pkt_at(&p, L4::Tcp, 1, 655, Dir::ToServer, [1, 1]));
        }
    }
}
