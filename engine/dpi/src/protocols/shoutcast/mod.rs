//! SHOUTCAST (the SHOUTcast v1 protocol, as DNAS servers and Winamp-era encoders speak it): a server's status
//! line `ICY <code> <reason>` answers listeners, and a source logs in with its password line, gets `OK2`, then
//! sends `icy-*` stream headers.

use crate::dissector::{Dir, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::{first_line, printable, seen_other, starts_ci};

crate::proto::identities! {
    ShoutCast = 56, "ShoutCast", Music;
}

/// SHOUTCAST's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// A source's password line is short (nDPI's bound).
const MAX_PASSWORD_LINE: usize = 80;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if let Some(code) = p.strip_prefix(b"ICY ") {
        let ok = code.len() >= 4
            && code[..3].iter().all(u8::is_ascii_digit)
            && code[3] == b' '
            && first_line(p).is_some_and(printable);
        return if ok { Verdict::Yes(Proto::ShoutCast) } else { Verdict::No };
    }
    match pkt.dir {
        // The stream headers after the server accepted the password.
        Dir::ToServer if seen_other(pkt) > 0 => {
            if starts_ci(p, b"icy-") && first_line(p).is_some_and(printable) {
                Verdict::Yes(Proto::ShoutCast)
            } else {
                Verdict::No
            }
        }
        // The password: one printable line.
        Dir::ToServer => match first_line(p) {
            Some(l) if l.len() + 2 >= p.len() && p.len() < MAX_PASSWORD_LINE && printable(l) && !l.contains(&b' ') => {
                Verdict::NeedMore
            }
            _ => Verdict::No,
        },
        Dir::ToClient => {
            if p == b"OK2\r\n" || p.starts_with(b"OK2\r\nicy-caps:") {
                Verdict::NeedMore
            } else {
                Verdict::No
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{HTTP_GET, TLS_HELLO};
    use crate::protocols::util::testutil::{noise, pkt, pkt_at};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn listener_answer() {
        let r = b"ICY 200 OK\r\nicy-notice1: <BR>This stream requires Winamp<BR>\r\nicy-name: Radio\r\n\r\n";
        let s = pkt_at(r, L4::Tcp, 40000, 8000, Dir::ToClient, [1, 0]);
        assert_eq!(detect(&s), Verdict::Yes(Proto::ShoutCast));
    }

    #[test]
    fn source_login() {
        // Password, OK2, stream headers (SHOUTcast DNAS v1 source protocol).
        assert_eq!(detect(&pkt(b"changeme\r\n", L4::Tcp, 40000, 8001)), Verdict::NeedMore);
        let ok = pkt_at(b"OK2\r\n", L4::Tcp, 40000, 8001, Dir::ToClient, [1, 0]);
        assert_eq!(detect(&ok), Verdict::NeedMore);
        let h = b"icy-name:Test\r\nicy-genre:Rock\r\nicy-pub:0\r\nicy-br:128\r\n\r\n";
        let hs = pkt_at(h, L4::Tcp, 40000, 8001, Dir::ToServer, [1, 1]);
        assert_eq!(detect(&hs), Verdict::Yes(Proto::ShoutCast));
    }

    #[test]
    fn others() {
        for p in [HTTP_GET, TLS_HELLO, b"ICY xyz\r\n".as_slice(), b"USER bob\r\n"] {
            assert_eq!(detect(&pkt(p, L4::Tcp, 40000, 8000)), Verdict::No, "{p:?}");
        }
        let other = pkt_at(b"220 ready\r\n", L4::Tcp, 40000, 8000, Dir::ToClient, [0, 0]);
        assert_eq!(detect(&other), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Tcp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..300), to_server in any::<bool>(), seen in any::<[u16; 2]>()) {
            let dir = if to_server { Dir::ToServer } else { Dir::ToClient };
            let _ = detect(&pkt_at(&p, L4::Tcp, 1, 2, dir, seen));
        }
    }
}
