//! tinc VPN's meta connection (tinc's `protocol.h`/`protocol_auth.c`, protocol 17): each side opens with an ID
//! request, `0 <name> 17[.<minor>]\n`, then sends its METAKEY, `1 <cipher> <digest> <maclen> <compression>
//! <hex key>\n` — often in the same segment as its ID line, as tincd 1.0.36 sends them. An ID line alone asks for
//! more; a METAKEY line after it (in that packet or a later one, either direction) decides. Like nDPI, the UDP
//! data channel is not named: it is encrypted from its first byte.

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

/// `0 <name> 17[.<minor>]` (without its line end)
fn id_line(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"0 ") else {
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
        b"" => true,
        [b'.', minor @ ..] => !minor.is_empty() && minor.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// `1 <n> <n> <n> <n> <HEX>` (without its line end)
fn metakey_line(line: &[u8]) -> bool {
    let Some(mut rest) = line.strip_prefix(b"1 ") else {
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
    rest.len() >= MIN_KEY && rest.iter().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b))
}

/// The first complete line of `p` (without its `\n`) and what follows it.
fn line(p: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = p.iter().position(|&b| b == b'\n')?;
    Some((&p[..end], &p[end + 1..]))
}

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.l4 != L4::Tcp {
        return Verdict::No;
    }
    let Some((first, rest)) = line(pkt.payload) else {
        return Verdict::No;
    };
    if id_line(first) {
        return match line(rest) {
            Some((next, _)) if metakey_line(next) => Verdict::Yes(Proto::Tinc),
            // The METAKEY may be cut by the segment: wait for it.
            None => Verdict::NeedMore,
            Some(_) => Verdict::No,
        };
    }
    if total_seen(pkt) > 0 && metakey_line(first) {
        return Verdict::Yes(Proto::Tinc);
    }
    Verdict::No
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};

    /// tincd 1.0.36's server side (`tincd -c beta -D`, two nodes on loopback, 2048-bit keys): its ID line and its
    /// METAKEY (cipher 429, digest 672) in one segment, answering the client's "0 alpha 17\\n".
    const REPLY: &str = "3020626574612031370a312034323920363732203020302036363845353538334431343941383339434546454433344441464631443130463236324438313737334430363733354531453543444336373234434431413644303345383831413633424231414541353234454138333843343135373832334443333241384334423436444430373445433443303841413346323144333043374537413833393741444134463443383736333036373946453330424333314637304644343836353932304139343931443436323237454639423336433733353634313334413736394630353931393438363931333239364143443530423639424646303041324439343635353844324538304241413041443334393943434632464341364538453436333935464339333743313034394230363433454633333643423445433135453141413432323136313842444641383430304234363032433742353136463532354638373434424530383134463239324638443334313637454445394435374235443333354631464145304139424432383939334336353436343139374136363830343743424439464644353839374341413145454243303744384333333032434146434531383335453935364237333542334537373046454141453043453936444433453933364538323133423444433330314544393131363246423145313142443835413635433444393532423735453936453545420a";

    fn metakey() -> Vec<u8> {
        let reply = hex(REPLY);
        reply[b"0 beta 17\n".len()..].to_vec()
    }

    #[test]
    fn handshake() {
        // tincd 1.0.36's client side.
        assert_eq!(detect(&pkt(b"0 alpha 17\n", L4::Tcp, 35957, 6656)), Verdict::NeedMore);
        assert_eq!(detect(&pkt(b"0 beta_2 17.7\n", L4::Tcp, 40000, 655)), Verdict::NeedMore);
        let reply = hex(REPLY);
        let answer = pkt_at(&reply, L4::Tcp, 35957, 6656, Dir::ToClient, [1, 0]);
        assert_eq!(detect(&answer), Verdict::Yes(Proto::Tinc));
        let mk = metakey();
        let later = pkt_at(&mk, L4::Tcp, 40000, 655, Dir::ToClient, [1, 1]);
        assert_eq!(detect(&later), Verdict::Yes(Proto::Tinc));
    }

    #[test]
    fn near_misses() {
        let mk = metakey();
        // A METAKEY-looking first packet is not enough.
        assert_eq!(detect(&pkt(&mk, L4::Tcp, 40000, 655)), Verdict::No);
        for bad in [&b"0 alpha 16\n"[..], b"0  17\n", b"0 alpha 17", b"0 al pha 17\n", b"0 alpha 17.\n", b"0 alpha 17\nGET /\n"] {
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

    #[test]
    fn prefixes_of_the_reply() {
        let reply = hex(REPLY);
        for n in 0..reply.len() {
            let v = detect(&pkt_at(&reply[..n], L4::Tcp, 1, 655, Dir::ToClient, [1, 0]));
            let expect = if n < b"0 beta 17\n".len() { Verdict::No } else { Verdict::NeedMore };
            assert_eq!(v, expect, "prefix {n}");
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
