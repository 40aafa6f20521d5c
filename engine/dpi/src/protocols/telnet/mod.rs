//! Telnet (RFC 854): a flow-opening packet made of IAC option negotiations (IAC WILL/WONT/DO/DONT option, IAC SB …
//! IAC SE), possibly followed by text.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Telnet = 77, "Telnet", RemoteAccess, tcp [23];
}

/// Telnet's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Parses the leading IAC commands; returns how many negotiations, or `None` when malformed.
fn negotiations(p: &[u8]) -> Option<usize> {
    let mut i = 0;
    let mut n = 0;
    while i < p.len() && p[i] == 0xff {
        match p.get(i + 1)? {
            0xfb..=0xfe => {
                let opt = *p.get(i + 2)?;
                if opt > 50 && opt != 0xff {
                    return None;
                }
                n += 1;
                i += 3;
            }
            0xfa => {
                // Subnegotiation: option, data, IAC SE.
                let opt = *p.get(i + 2)?;
                if opt > 50 {
                    return None;
                }
                let end = p[i + 3..].windows(2).position(|w| w == [0xff, 0xf0])?;
                n += 1;
                i += 3 + end + 2;
            }
            0xf1 | 0xf6 => i += 2,
            _ => return None,
        }
    }
    let rest = &p[i..];
    rest.iter()
        .all(|&b| (0x20..0x7f).contains(&b) || matches!(b, b'\r' | b'\n' | 0 | 7 | 8 | 9 | 0x1b))
        .then_some(n)
}

fn detect(pkt: &Pkt) -> Verdict {
    if super::util::total_seen(pkt) > 2 || pkt.payload.first() != Some(&0xff) {
        return Verdict::No;
    }
    match negotiations(pkt.payload) {
        Some(n) if n >= 1 => Verdict::Yes(Proto::Telnet),
        _ => Verdict::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn negotiation() {
        // Typical server start: DO TERMINAL-TYPE, DO TSPEED, DO XDISPLOC, DO NEW-ENVIRON.
        assert_eq!(
            detect(&s0(b"\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27")),
            Verdict::Yes(Proto::Telnet)
        );
        assert_eq!(
            detect(&c0(b"\xff\xfa\x18\x00xterm\xff\xf0\xff\xfb\x01login: ")),
            Verdict::Yes(Proto::Telnet)
        );
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(b"\xff\xfd\x18\x80\x81")), Verdict::No);
        assert_eq!(detect(&c0(b"\xff\xd8\xff\xe0\x00\x10JFIF")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(20, 15))), Verdict::No);
    }
}
