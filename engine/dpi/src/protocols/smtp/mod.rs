//! SMTP (RFC 5321): a "220" greeting then EHLO/HELO from the client; the client's STARTTLS (RFC 3207) makes it
//! SMTPS. The verdict waits past EHLO for STARTTLS or a mail command.

use crate::dissector::{Order, Protocol, Transport};
use crate::protocols::util::{
    command, contains_ci, reply_code, seen_other, seen_same, text_lines, total_seen,
};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Smtp = 3, "SMTP", Email, tcp [25, 587];
    Smtps = 29, "SMTPS", Email, tcp [465];
}

/// SMTP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const HELLO: &[&[u8]] = &[b"EHLO", b"HELO"];
const MAIL_CMDS: &[&[u8]] = &[
    b"MAIL", b"RCPT", b"DATA", b"AUTH", b"QUIT", b"RSET", b"VRFY", b"EXPN", b"BDAT",
];
const SETTLE: u32 = 8;

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
            match reply_code(p) {
                Some(220 | 421 | 554) if !contains_ci(p, b"FTP") || contains_ci(p, b"SMTP") => {
                    Verdict::NeedMore
                }
                _ => Verdict::No,
            }
        }
        Dir::ToServer => {
            if crate::protocols::util::starts_ci(p, b"STARTTLS") {
                return if seen_other(pkt) > 0 {
                    Verdict::Yes(Proto::Smtps)
                } else {
                    Verdict::No
                };
            }
            if command(p, HELLO).is_some() {
                return if total_seen(pkt) >= SETTLE {
                    Verdict::Yes(Proto::Smtp)
                } else {
                    Verdict::NeedMore
                };
            }
            if command(p, MAIL_CMDS).is_some() && seen_other(pkt) > 0 {
                // MAIL and RCPT take "FROM:"/"TO:".
                if crate::protocols::util::starts_ci(p, b"MAIL") && !crate::protocols::util::starts_ci(p, b"MAIL FROM:") {
                    return Verdict::No;
                }
                return if seen_same(pkt) > 0 || crate::protocols::util::starts_ci(p, b"MAIL FROM:") {
                    Verdict::Yes(Proto::Smtp)
                } else {
                    // "AUTH" or "QUIT" right after the greeting are FTP or POP3 too.
                    Verdict::NeedMore
                };
            }
            if seen_same(pkt) > 0
                && seen_other(pkt) > 0
                && command(p, &[b"NOOP", b"HELP"]).is_some()
            {
                return Verdict::NeedMore;
            }
            Verdict::No
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn starttls_session() {
        // smtp-starttls.pcap
        assert_eq!(
            detect(&s0(
                b"220 mx.google.com ESMTP s4si9696358qcc.63 - gsmtp\r\n"
            )),
            Verdict::NeedMore
        );
        assert_eq!(
            detect(&tcp(
                b"EHLO xxxxxxxxxxxxx.xxx.com\r\n",
                Dir::ToServer,
                [0, 1]
            )),
            Verdict::NeedMore
        );
        let caps = b"250-mx.google.com at your service, [10.000.000.01]\r\n250-SIZE 35882577\r\n250-STARTTLS\r\n";
        assert_eq!(detect(&tcp(caps, Dir::ToClient, [1, 1])), Verdict::NeedMore);
        assert_eq!(
            detect(&tcp(b"STARTTLS\r\n", Dir::ToServer, [1, 2])),
            Verdict::Yes(Proto::Smtps)
        );
    }

    #[test]
    fn plain_session() {
        assert_eq!(
            detect(&tcp(
                b"MAIL FROM:<a@example.com>\r\n",
                Dir::ToServer,
                [1, 2]
            )),
            Verdict::Yes(Proto::Smtp)
        );
        assert_eq!(
            detect(&tcp(b"AUTH LOGIN\r\n", Dir::ToServer, [1, 2])),
            Verdict::Yes(Proto::Smtp)
        );
    }

    #[test]
    fn others() {
        assert_eq!(detect(&s0(b"220 (vsFTPd 3.0.3)\r\n")), Verdict::No);
        assert_eq!(
            detect(&tcp(b"USER hello\r\n", Dir::ToServer, [0, 1])),
            Verdict::No
        );
        assert_eq!(detect(&s0(b"+OK lavad\r\n")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(50, 4))), Verdict::No);
    }
}
