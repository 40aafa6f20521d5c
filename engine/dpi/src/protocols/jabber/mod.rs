//! Jabber/XMPP (RFC 6120): a stream header — optional "<?xml …?>", then "<stream:stream" with the
//! "http://etherx.jabber.org/streams" namespace or a "jabber:client"/"jabber:server" default namespace.

use crate::dissector::{Order, Protocol, Transport};
use crate::protocols::util::find;
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Xmpp = 67, "Jabber", Web, tcp [5222];
}

/// Jabber's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let start = if p.starts_with(b"<?xml") {
        match find(p, b"?>") {
            Some(e) => &p[e + 2..],
            None => return Verdict::No,
        }
    } else {
        p
    };
    let start = &start[start.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
    let ok = start.starts_with(b"<stream:stream")
        && (find(start, b"etherx.jabber.org/streams").is_some()
            || find(start, b"jabber:client").is_some()
            || find(start, b"jabber:server").is_some());
    if ok {
        Verdict::Yes(Proto::Xmpp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn stream_header() {
        let h = b"<?xml version='1.0'?><stream:stream to='example.com' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
        assert_eq!(detect(&c0(h)), Verdict::Yes(Proto::Xmpp));
    }

    #[test]
    fn others() {
        assert_eq!(
            detect(&c0(b"<?xml version='1.0'?><soap:Envelope>")),
            Verdict::No
        );
        assert_eq!(detect(&c0(&noise(30, 34))), Verdict::No);
    }
}
