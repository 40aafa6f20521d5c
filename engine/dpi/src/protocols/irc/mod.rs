//! IRC (RFC 2812): a client registration (both "NICK <nick>" and "USER <user> <mode> <unused> :<real>" lines, or
//! "CAP LS"), or a server line ":<server> NOTICE …" / ":<server> 001 …" at the flow start.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Irc = 65, "IRC", Chat, tcp [6667];
}

/// IRC's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn lines(p: &[u8]) -> impl Iterator<Item = &[u8]> {
    p.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty())
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if !super::util::text_lines(p) || !p.ends_with(b"\n") {
        return Verdict::No;
    }
    let ok = match pkt.dir {
        Dir::ToServer => {
            let nick = lines(p).any(|l| l.starts_with(b"NICK ") && l.len() > 5);
            let user =
                lines(p).any(|l| l.starts_with(b"USER ") && l.split(|&b| b == b' ').count() >= 5);
            (nick && user) || p.starts_with(b"CAP LS")
        }
        Dir::ToClient => lines(p).next().is_some_and(|l| {
            let mut w = l.split(|&b| b == b' ');
            let prefix = w.next().unwrap_or(&[]);
            let cmd = w.next().unwrap_or(&[]);
            prefix.len() > 1
                && prefix[0] == b':'
                && (cmd == b"NOTICE"
                    || (cmd.len() == 3 && cmd.iter().all(u8::is_ascii_digit) && cmd[0] == b'0'))
        }),
    };
    if ok && super::util::total_seen(pkt) < 6 {
        Verdict::Yes(Proto::Irc)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn registration() {
        assert_eq!(
            detect(&c0(b"NICK alice\r\nUSER alice 0 * :Alice Liddell\r\n")),
            Verdict::Yes(Proto::Irc)
        );
        assert_eq!(
            detect(&s0(
                b":irc.example.net NOTICE * :*** Looking up your hostname...\r\n"
            )),
            Verdict::Yes(Proto::Irc)
        );
        assert_eq!(
            detect(&s0(
                b":irc.example.net 001 alice :Welcome to the network\r\n"
            )),
            Verdict::Yes(Proto::Irc)
        );
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(b"USER hello\r\n")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(30, 33))), Verdict::No);
    }
}
