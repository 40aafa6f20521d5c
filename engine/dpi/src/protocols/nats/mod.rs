//! NATS: the server's greeting "INFO {…}\r\n" (JSON with server_id) or the client's "CONNECT {…}\r\n".

use crate::dissector::{Order, Protocol, Transport};
use crate::protocols::util::find;
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Nats = 68, "Nats", Rpc, tcp [4222];
}

/// Nats's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let json = |prefix: &[u8], key: &[u8]| {
        p.starts_with(prefix) && find(p, b"}\r\n").is_some() && find(p, key).is_some()
    };
    let ok = match pkt.dir {
        Dir::ToClient => json(b"INFO {", b"\"server_id\""),
        Dir::ToServer => json(b"CONNECT {", b"\"verbose\"") || json(b"CONNECT {", b"\"lang\""),
    };
    if ok {
        Verdict::Yes(Proto::Nats)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn greetings() {
        assert_eq!(
            detect(&s0(
                b"INFO {\"server_id\":\"NCX\",\"version\":\"2.9.0\",\"max_payload\":1048576}\r\n"
            )),
            Verdict::Yes(Proto::Nats)
        );
        assert_eq!(
            detect(&c0(
                b"CONNECT {\"verbose\":false,\"pedantic\":false,\"lang\":\"go\"}\r\nPING\r\n"
            )),
            Verdict::Yes(Proto::Nats)
        );
    }

    #[test]
    fn others() {
        assert_eq!(
            detect(&c0(b"CONNECT example.com:443 HTTP/1.1\r\n\r\n")),
            Verdict::No
        );
        assert_eq!(detect(&c0(&noise(30, 32))), Verdict::No);
    }
}
