//! Usenet's NNTP (RFC 3977): the server's greeting "200" (posting allowed) or "201" (prohibited), then a client
//! command from RFC 3977/4643/2980 (MODE READER, AUTHINFO, CAPABILITIES, GROUP, …). The greeting alone is
//! not enough: other services greet with a 200 too.

use crate::dissector::{Dir, Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::{command, seen_other, seen_same, text_lines};
use crate::proto::Proto;

crate::proto::identities! {
    Usenet = 93, "Usenet", Web;
}

/// Usenet's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Client commands that only an NNTP client sends (RFC 3977 §6–8, RFC 4643, RFC 2980).
const COMMANDS: &[&[u8]] = &[
    b"MODE", b"AUTHINFO", b"CAPABILITIES", b"GROUP", b"LISTGROUP", b"ARTICLE", b"XOVER", b"OVER", b"NEWNEWS",
    b"NEWGROUPS", b"IHAVE", b"XHDR", b"HDR", b"LIST",
];
/// Client packets after the greeting given a chance to hold a command.
const COMMAND_PACKETS: u16 = 3;

/// The server's greeting: "200 " or "201 " and some text.
fn greeting(p: &[u8]) -> bool {
    (p.starts_with(b"200 ") || p.starts_with(b"201 ")) && p.len() > 6 && text_lines(p)
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    match pkt.dir {
        Dir::ToClient if seen_same(pkt) == 0 && seen_other(pkt) == 0 => {
            if greeting(p) {
                Verdict::NeedMore
            } else {
                Verdict::No
            }
        }
        // The server has spoken first (its greeting, checked when it came); wait for a command.
        Dir::ToClient => Verdict::NeedMore,
        Dir::ToServer if seen_other(pkt) == 0 => Verdict::No,
        Dir::ToServer => {
            if command(p, COMMANDS).is_some() && text_lines(p) {
                Verdict::Yes(Proto::Usenet)
            } else if seen_same(pkt) + 1 < COMMAND_PACKETS {
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
    use crate::protocols::util::test::{c0, noise, s0, tcp};
    use proptest::prelude::*;

    /// The session of RFC 3977 §5.1.1 and §5.3, and RFC 4643 §2.3's AUTHINFO exchange.
    #[test]
    fn greeting_then_command() {
        assert_eq!(detect(&s0(b"200 NNTP Service Ready, posting permitted\r\n")), Verdict::NeedMore);
        assert_eq!(
            detect(&tcp(b"MODE READER\r\n", Dir::ToServer, [0, 1])),
            Verdict::Yes(Proto::Usenet)
        );
        assert_eq!(
            detect(&tcp(b"AUTHINFO USER fred\r\n", Dir::ToServer, [0, 1])),
            Verdict::Yes(Proto::Usenet)
        );
    }

    #[test]
    fn others() {
        // An FTP/SMTP greeting, a client speaking first, a non-NNTP command after a 200.
        assert_eq!(detect(&s0(b"220 mail.example.com ESMTP\r\n")), Verdict::No);
        assert_eq!(detect(&c0(b"MODE READER\r\n")), Verdict::No);
        assert_eq!(detect(&tcp(b"EHLO x\r\n", Dir::ToServer, [0, 1])), Verdict::NeedMore);
        assert_eq!(detect(&tcp(b"EHLO x\r\n", Dir::ToServer, [2, 3])), Verdict::No);
        assert_eq!(detect(&s0(b"200 ")), Verdict::No);
        assert_eq!(detect(&s0(&noise(40, 3))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..100), seen in any::<[u16; 2]>(), up in any::<bool>()) {
            let dir = if up { Dir::ToServer } else { Dir::ToClient };
            let _ = detect(&tcp(&p, dir, seen));
        }
    }
}
