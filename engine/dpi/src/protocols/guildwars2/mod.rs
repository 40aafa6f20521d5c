//! GUILDWARS2 (ArenaNet's Guild Wars games): Guild Wars 2's login service speaks STS, an HTTP-like text protocol
//! whose requests read `P /Sts/Connect STS/1.0` (method letter, `/Sts/` or `/Auth/` path, `STS/1.0`) and whose
//! replies read `STS/1.0 200 OK`; Guild Wars 1's client openings are the fixed messages nDPI lists.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::first_line;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    GuildWars2 = 109, "GuildWars2", Game;
}

/// GUILDWARS2's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if sts(p) || gw1(p) {
        Verdict::Yes(Proto::GuildWars2)
    } else {
        Verdict::No
    }
}

/// An STS/1.0 request or reply line.
fn sts(p: &[u8]) -> bool {
    let Some(line) = first_line(p) else {
        return false;
    };
    if let Some(rest) = line.strip_prefix(b"STS/1.0 ") {
        return rest.len() >= 3 && rest[..3].iter().all(u8::is_ascii_digit);
    }
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(path), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    method.len() == 1
        && method[0].is_ascii_uppercase()
        && (path.starts_with(b"/Sts/") || path.starts_with(b"/Auth/") || path.starts_with(b"/Presence/"))
        && version == b"STS/1.0"
}

/// Guild Wars 1 client openings.
fn gw1(p: &[u8]) -> bool {
    (p.len() == 64 && p.u16_at(1) == Some(0x050c) && p.rest_at(50).starts_with(b"@2&P"))
        || (p.len() == 16
            && p.u16_at(1) == Some(0x040c)
            && p.u16_at(4) == Some(0xa672)
            && p.u8_at(8) == Some(0x01)
            && p.u8_at(12) == Some(0x04))
        || (p.len() == 21 && p.u16_at(0) == Some(0x0100) && p.u32_at(5) == Some(0xf100_1000) && p.u8_at(9) == Some(0x01))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{HTTP_GET, TLS_HELLO};
    use crate::protocols::util::testutil::{noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn sts_request_and_reply() {
        let r = b"P /Sts/Connect STS/1.0\r\nl:123\r\n\r\n<Connect>\n<ConnType>400</ConnType>\n</Connect>\n";
        assert_eq!(detect(&pkt(r, L4::Tcp, 40000, 6112)), Verdict::Yes(Proto::GuildWars2));
        let a = b"STS/1.0 200 OK\r\ns:1R\r\nl:0\r\n\r\n";
        assert_eq!(detect(&pkt(a, L4::Tcp, 40000, 6112)), Verdict::Yes(Proto::GuildWars2));
    }

    #[test]
    fn others() {
        for p in [HTTP_GET, TLS_HELLO, b"P /index.html HTTP/1.1\r\n".as_slice(), b"GET /Sts/Connect STS/1.0\r\n"] {
            assert_eq!(detect(&pkt(p, L4::Tcp, 1, 2)), Verdict::No, "{p:?}");
        }
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(64, seed), L4::Tcp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..120)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 2));
        }
    }
}
