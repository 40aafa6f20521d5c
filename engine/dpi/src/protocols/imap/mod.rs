//! IMAP (RFC 9051): an untagged "* OK"/"* PREAUTH" greeting, then tagged client commands ("a001 CAPABILITY");
//! "STARTTLS" makes it IMAPS.

use crate::dissector::{Order, Protocol, Transport};
use crate::protocols::util::{seen_other, seen_same, starts_ci, text_lines, total_seen};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Imap = 4, "IMAP", Email, tcp [143];
    Imaps = 51, "IMAPS", Email, tcp [993];
}

/// IMAP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Commands that commit a session to plain IMAP.
const IMAP_CMDS: &[&[u8]] = &[
    b"LOGIN",
    b"AUTHENTICATE",
    b"SELECT",
    b"EXAMINE",
    b"LIST",
    b"LSUB",
    b"STATUS",
    b"FETCH",
    b"UID",
    b"LOGOUT",
    b"CREATE",
    b"DELETE",
    b"APPEND",
    b"SEARCH",
    b"IDLE",
    b"NAMESPACE",
    b"CLOSE",
    b"EXPUNGE",
    b"STORE",
    b"COPY",
];
/// Commands after which STARTTLS may still come.
const PRE_CMDS: &[&[u8]] = &[b"CAPABILITY", b"NOOP", b"ID", b"ENABLE"];
const SETTLE: u32 = 10;

/// The command after an IMAP tag: tag of 1..=32 atom characters, one space.
fn tagged(p: &[u8]) -> Option<&[u8]> {
    let sp = p.iter().take(33).position(|&b| b == b' ')?;
    if sp == 0 {
        return None;
    }
    let tag = &p[..sp];
    if !tag.iter().all(|&b| {
        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+' | b'!' | b'#' | b'$')
    }) {
        return None;
    }
    Some(&p[sp + 1..])
}

fn is_cmd(rest: &[u8], cmds: &[&[u8]]) -> bool {
    super::util::command(rest, cmds).is_some()
}

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
            let greeting =
                starts_ci(p, b"* OK") || starts_ci(p, b"* PREAUTH") || starts_ci(p, b"* BYE");
            if seen_other(pkt) > 0 {
                // Client spoke first with a tagged command.
                let reply = p.starts_with(b"* ")
                    || tagged(p).is_some_and(|r| {
                        starts_ci(r, b"OK") || starts_ci(r, b"NO") || starts_ci(r, b"BAD")
                    });
                return if reply {
                    Verdict::Yes(Proto::Imap)
                } else {
                    Verdict::No
                };
            }
            if greeting {
                Verdict::NeedMore
            } else {
                Verdict::No
            }
        }
        Dir::ToServer => {
            let Some(rest) = tagged(p) else {
                return Verdict::No;
            };
            if is_cmd(rest, &[b"STARTTLS"]) {
                return Verdict::Yes(Proto::Imaps);
            }
            let plain = is_cmd(rest, IMAP_CMDS);
            if !plain && !is_cmd(rest, PRE_CMDS) {
                return Verdict::No;
            }
            if seen_other(pkt) == 0 {
                return Verdict::NeedMore;
            }
            if plain || total_seen(pkt) >= SETTLE {
                Verdict::Yes(Proto::Imap)
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
    fn starttls_session() {
        // imap-starttls.pcap
        assert_eq!(
            detect(&s0(
                b"* OK [CAPABILITY IMAP4rev1 CHILDREN ENABLE ID IDLE] IMAP server ready\r\n"
            )),
            Verdict::NeedMore
        );
        assert_eq!(
            detect(&tcp(b". CAPABILITY\r\n", Dir::ToServer, [0, 1])),
            Verdict::NeedMore
        );
        assert_eq!(
            detect(&tcp(b". STARTTLS\r\n", Dir::ToServer, [1, 2])),
            Verdict::Yes(Proto::Imaps)
        );
    }

    #[test]
    fn login() {
        assert_eq!(
            detect(&tcp(b"a001 LOGIN bob secret\r\n", Dir::ToServer, [0, 1])),
            Verdict::Yes(Proto::Imap)
        );
        assert_eq!(detect(&c0(b"a001 CAPABILITY\r\n")), Verdict::NeedMore);
        assert_eq!(
            detect(&tcp(
                b"* CAPABILITY IMAP4rev1\r\na001 OK done\r\n",
                Dir::ToClient,
                [1, 0]
            )),
            Verdict::Yes(Proto::Imap)
        );
    }

    #[test]
    fn others() {
        assert_eq!(detect(&s0(b"+OK lavad\r\n")), Verdict::No);
        assert_eq!(detect(&s0(b"220 (vsFTPd 3.0.3)\r\n")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(b"*1\r\n$4\r\nPING\r\n")), Verdict::No);
        assert_eq!(detect(&c0(&noise(30, 6))), Verdict::No);
    }
}
