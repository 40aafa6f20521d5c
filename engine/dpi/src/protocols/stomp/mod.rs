//! STOMP: the client's "CONNECT"/"STOMP" frame (command line, then "name:value" header lines such as
//! accept-version/host/login) or the server's "CONNECTED" frame with a version header.

use crate::dissector::{Order, Protocol, Transport};
use crate::protocols::util::first_line;
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Stomp = 390, "STOMP", Rpc, tcp [61613];
}

/// STOMP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn header_follows(p: &[u8], cmd_len: usize, names: &[&[u8]]) -> bool {
    let rest = &p[cmd_len..];
    let Some(h) = first_line(rest) else {
        return false;
    };
    names.iter().any(|n| h.starts_with(n)) || (h.is_empty() && rest.get(1..) == Some(&b"\x00"[..]))
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    const CLIENT_HEADERS: &[&[u8]] = &[
        b"accept-version:",
        b"host:",
        b"login:",
        b"passcode:",
        b"heart-beat:",
    ];
    let ok = match pkt.dir {
        Dir::ToServer => [&b"CONNECT\n"[..], b"STOMP\n", b"CONNECT\r\n", b"STOMP\r\n"]
            .iter()
            .any(|c| p.starts_with(c) && header_follows(p, c.len(), CLIENT_HEADERS)),
        Dir::ToClient => [&b"CONNECTED\n"[..], b"CONNECTED\r\n"].iter().any(|c| {
            p.starts_with(c)
                && header_follows(
                    p,
                    c.len(),
                    &[b"version:", b"session:", b"heart-beat:", b"server:"],
                )
        }),
    };
    if ok {
        Verdict::Yes(Proto::Stomp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn frames() {
        // stomp.pcapng
        assert_eq!(
            detect(&c0(b"STOMP\naccept-version:1.1\n\n\x00")),
            Verdict::Yes(Proto::Stomp)
        );
        assert_eq!(
            detect(&s0(
                b"CONNECTED\nversion:1.1\nheart-beat:100,100\nsession:b3538f9e\n\n\x00"
            )),
            Verdict::Yes(Proto::Stomp)
        );
    }

    #[test]
    fn others() {
        assert_eq!(
            detect(&c0(b"CONNECT example.com:443 HTTP/1.1\r\n\r\n")),
            Verdict::No
        );
        assert_eq!(detect(&c0(&noise(30, 31))), Verdict::No);
    }
}
