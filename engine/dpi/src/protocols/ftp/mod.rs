//! FTP control (RFC 959): a server reply "220 …" banner (not an SMTP one) followed by a client command, or a client
//! command answered by a 3-digit reply. "AUTH TLS"/"AUTH SSL" makes it FTPS (explicit TLS). The follow-up reads
//! the data connections the control connection announces (`parser`), so they are named FTP_DATA when they end.

pub mod parser;

use crate::dissector::{Dir, Dissector, Flow, Follow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::{
    command, contains_ci, reply_code, seen_other, seen_same, text_lines, total_seen,
};

crate::proto::identities! {
    FtpControl = 1, "FTP_CONTROL", Download, tcp [21];
    FtpData = 175, "FTP_DATA", Download, tcp [20];
    Ftps = 311, "FTPS", Download;
}

/// FTP's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&FtpDissector),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Packets of a control connection followed for data-connection announcements.
const FOLLOW_PACKETS: u8 = 24;

struct FtpDissector;

impl Dissector for FtpDissector {
    fn probe(&self, pkt: &Pkt, _flow: &mut Flow) -> Verdict {
        match detect(pkt) {
            Verdict::Yes(Proto::FtpControl) => Verdict::Follow {
                master: Proto::FtpControl,
                packets: FOLLOW_PACKETS,
            },
            other => other,
        }
    }

    fn follow(&self, pkt: &Pkt, flow: &mut Flow) -> Follow {
        if let Some((addr, port)) = parser::announced(pkt.payload, pkt.dir, flow.endpoints()) {
            flow.dns_cache().expect(addr, port, Proto::FtpData);
        }
        Follow::More
    }
}

/// Commands that commit a session to FTP.
const FTP_CMDS: &[&[u8]] = &[
    b"USER", b"PASS", b"ACCT", b"CWD", b"CDUP", b"PWD", b"TYPE", b"PASV", b"EPSV", b"PORT",
    b"EPRT", b"LIST", b"NLST", b"MLSD", b"MLST", b"RETR", b"STOR", b"SIZE", b"MDTM", b"QUIT",
    b"REST", b"MKD", b"RMD", b"DELE",
];
/// Commands sent before logging in, after which "AUTH TLS" may still come.
const PRE_CMDS: &[&[u8]] = &[
    b"FEAT", b"SYST", b"OPTS", b"HELP", b"NOOP", b"CLNT", b"HOST", b"PBSZ", b"PROT",
];

/// Packets after which a plain session is called FTP even without a login command.
const SETTLE: u32 = 8;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    match pkt.dir {
        Dir::ToClient => {
            if seen_same(pkt) > 0 {
                // Later replies (multi-line continuations included) decide nothing.
                return if text_lines(p) {
                    Verdict::NeedMore
                } else {
                    Verdict::No
                };
            }
            let Some(code) = reply_code(p) else {
                return Verdict::No;
            };
            if !text_lines(p)
                || contains_ci(p, b"SMTP")
                || contains_ci(p, b"POP3")
                || contains_ci(p, b"IMAP")
            {
                return Verdict::No;
            }
            if seen_other(pkt) > 0 {
                // The client's command (checked) was answered by a reply.
                return Verdict::Yes(Proto::FtpControl);
            }
            if matches!(code, 220 | 120 | 421) {
                Verdict::NeedMore
            } else {
                Verdict::No
            }
        }
        Dir::ToServer => {
            if !text_lines(p) {
                return Verdict::No;
            }
            if starts_auth_tls(p) {
                return Verdict::Yes(Proto::Ftps);
            }
            let plain = command(p, FTP_CMDS).is_some();
            let pre =
                command(p, PRE_CMDS).is_some() || p.len() >= 4 && command(p, &[b"AUTH"]).is_some();
            if !plain && !pre {
                return Verdict::No;
            }
            if seen_other(pkt) == 0 {
                // Client spoke first: wait for a reply.
                return Verdict::NeedMore;
            }
            if plain || total_seen(pkt) >= SETTLE {
                Verdict::Yes(Proto::FtpControl)
            } else {
                Verdict::NeedMore
            }
        }
    }
}

fn starts_auth_tls(p: &[u8]) -> bool {
    [&b"AUTH TLS"[..], b"AUTH SSL"]
        .iter()
        .any(|c| crate::protocols::util::starts_ci(p, c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn vsftpd_session() {
        // ftp_failed.pcap
        assert_eq!(detect(&s0(b"220 (vsFTPd 3.0.3)\r\n")), Verdict::NeedMore);
        assert_eq!(
            detect(&tcp(b"USER hello\r\n", Dir::ToServer, [0, 1])),
            Verdict::Yes(Proto::FtpControl)
        );
    }

    #[test]
    fn explicit_tls() {
        // ftp-start-tls.pcap
        let banner =
            b"220 \"Authorized users only. All activity may be monitored and reported\"\r\n";
        assert_eq!(detect(&s0(banner)), Verdict::NeedMore);
        assert_eq!(
            detect(&tcp(b"AUTH TLS\r\n", Dir::ToServer, [0, 2])),
            Verdict::Yes(Proto::Ftps)
        );
    }

    #[test]
    fn client_first() {
        assert_eq!(detect(&c0(b"USER anonymous\r\n")), Verdict::NeedMore);
        assert_eq!(
            detect(&tcp(
                b"331 Please specify the password.\r\n",
                Dir::ToClient,
                [1, 0]
            )),
            Verdict::Yes(Proto::FtpControl)
        );
    }

    #[test]
    fn not_smtp_or_others() {
        assert_eq!(
            detect(&s0(
                b"220 mx.google.com ESMTP s4si9696358qcc.63 - gsmtp\r\n"
            )),
            Verdict::No
        );
        assert_eq!(
            detect(&tcp(b"EHLO example.com\r\n", Dir::ToServer, [0, 1])),
            Verdict::No
        );
        assert_eq!(detect(&s0(b"+OK POP3 ready\r\n")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(40, 2))), Verdict::No);
        assert_eq!(detect(&s0(&noise(40, 3))), Verdict::No);
    }
}
