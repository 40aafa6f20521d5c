//! POP3 (RFC 1939): a "+OK" greeting then client commands (USER, CAPA, AUTH…); "STLS" (RFC 2595) makes it POPS.

use crate::dissector::{Order, Protocol, Transport};
use crate::protocols::util::{command, seen_other, seen_same, starts_ci, text_lines, total_seen};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Pop3 = 2, "POP3", Email, tcp [110];
    Pops = 23, "POPS", Email, tcp [995];
}

/// POP3's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Commands that commit a session to plain POP3.
const POP_CMDS: &[&[u8]] = &[
    b"USER", b"PASS", b"APOP", b"STAT", b"LIST", b"RETR", b"UIDL", b"TOP", b"DELE", b"QUIT",
];
/// Commands after which STLS may still come.
const PRE_CMDS: &[&[u8]] = &[b"CAPA", b"AUTH", b"NOOP", b"RSET"];
const SETTLE: u32 = 10;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if !text_lines(p) {
        return Verdict::No;
    }
    match pkt.dir {
        Dir::ToClient => {
            if seen_same(pkt) > 0 {
                return Verdict::NeedMore;
            }
            let ok = starts_ci(p, b"+OK") || starts_ci(p, b"-ERR");
            if !ok {
                Verdict::No
            } else if seen_other(pkt) > 0 {
                // Client spoke first (a checked command) and got a POP3 status.
                Verdict::Yes(Proto::Pop3)
            } else {
                Verdict::NeedMore
            }
        }
        Dir::ToServer => {
            if command(p, &[b"STLS"]).is_some() {
                return Verdict::Yes(Proto::Pops);
            }
            let auth_args = starts_ci(p, b"AUTH ");
            let plain = command(p, POP_CMDS).is_some() || auth_args;
            let pre = command(p, PRE_CMDS).is_some();
            if !plain && !pre {
                return Verdict::No;
            }
            if seen_other(pkt) == 0 {
                return Verdict::NeedMore;
            }
            if plain || total_seen(pkt) >= SETTLE {
                Verdict::Yes(Proto::Pop3)
            } else {
                Verdict::NeedMore
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn stls_session() {
        // pop3_stls.pcap
        assert_eq!(detect(&s0(b"+OK lavad\r\n")), Verdict::NeedMore);
        assert_eq!(
            detect(&tcp(b"AUTH\r\n", Dir::ToServer, [0, 1])),
            Verdict::NeedMore
        );
        assert_eq!(
            detect(&tcp(
                b"-ERR Unrecognized command.\r\n",
                Dir::ToClient,
                [1, 1]
            )),
            Verdict::NeedMore
        );
        assert_eq!(
            detect(&tcp(b"CAPA\r\n", Dir::ToServer, [1, 2])),
            Verdict::NeedMore
        );
        assert_eq!(
            detect(&tcp(b"STLS\r\n", Dir::ToServer, [2, 3])),
            Verdict::Yes(Proto::Pops)
        );
    }

    #[test]
    fn plain_login() {
        assert_eq!(
            detect(&tcp(b"USER bob\r\n", Dir::ToServer, [0, 1])),
            Verdict::Yes(Proto::Pop3)
        );
    }

    #[test]
    fn others() {
        assert_eq!(detect(&s0(b"220 (vsFTPd 3.0.3)\r\n")), Verdict::No);
        assert_eq!(detect(&s0(b"* OK IMAP4rev1 ready\r\n")), Verdict::No);
        assert_eq!(detect(&c0(b"*1\r\n$4\r\nPING\r\n")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(30, 5))), Verdict::No);
    }
}
