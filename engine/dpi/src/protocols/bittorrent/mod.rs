//! BitTorrent: the peer-wire handshake "\x13BitTorrent protocol" (BEP 3) from either side, or a DHT KRPC message
//! over UDP (BEP 5), a bencoded dictionary "d1:ad2:id20:" (query) / "d1:rd2:id20:" (response).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    BitTorrent = 37, "BitTorrent", Download, tcp [6881], udp [6881];
}

/// BitTorrent's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = match pkt.l4 {
        L4::Tcp => p.starts_with(b"\x13BitTorrent protocol") && (p.len() >= 28 || p.len() == 20),
        L4::Udp => {
            (p.starts_with(b"d1:ad2:id20:") || p.starts_with(b"d1:rd2:id20:"))
                && p.last() == Some(&b'e')
        }
    };
    if ok {
        Verdict::Yes(Proto::BitTorrent)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::test::*;

    #[test]
    fn handshakes() {
        let mut h = b"\x13BitTorrent protocol\x00\x00\x00\x00\x00\x10\x00\x05".to_vec();
        h.extend(noise(40, 21));
        assert_eq!(detect(&c0(&h)), Verdict::Yes(Proto::BitTorrent));
        let dht = b"d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";
        let mut u = tcp(dht, Dir::ToServer, [0, 0]);
        u.l4 = L4::Udp;
        assert_eq!(detect(&u), Verdict::Yes(Proto::BitTorrent));
    }

    #[test]
    fn others() {
        assert_eq!(
            detect(&c0(
                b"d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"
            )),
            Verdict::No
        );
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(68, 22))), Verdict::No);
    }
}
