//! SSDP (UPnP discovery, UDP 1900): HTTP-over-UDP requests with the `*` target, responses on port 1900.

use crate::dissector::{Order, Protocol, Transport};
use crate::protocols::util::contains_ci;
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    Ssdp = 12, "SSDP", System, udp [1900];
}

/// SSDP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.l4 != L4::Udp {
        return Verdict::No;
    }
    let p = pkt.payload;
    let request =
        p.starts_with(b"M-SEARCH * HTTP/1.1\r\n") || p.starts_with(b"NOTIFY * HTTP/1.1\r\n");
    // Unicast search replies go between ephemeral ports: then the SSDP headers must be there.
    let response = p.starts_with(b"HTTP/1.1 200 OK\r\n")
        && (pkt.either_port(1900) || contains_ci(p, b"\r\nUSN:") || contains_ci(p, b"\r\nST:"));
    if request || response {
        Verdict::Yes(Proto::Ssdp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};

    #[test]
    fn search_and_reply() {
        let s = b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n";
        assert_eq!(
            detect(&pkt(s, L4::Udp, 50000, 1900)),
            Verdict::Yes(Proto::Ssdp)
        );
        let n = b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNTS: ssdp:alive\r\n\r\n";
        assert_eq!(
            detect(&pkt(n, L4::Udp, 1900, 1900)),
            Verdict::Yes(Proto::Ssdp)
        );
        let r = b"HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n\r\n";
        assert_eq!(
            detect(&pkt(r, L4::Udp, 50000, 1900)),
            Verdict::Yes(Proto::Ssdp)
        );
    }

    #[test]
    fn negatives() {
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(detect(&pkt(r, L4::Udp, 50000, 8080)), Verdict::No);
        let get = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        assert_eq!(detect(&pkt(get, L4::Udp, 50000, 1900)), Verdict::No);
        assert_eq!(
            detect(&pkt(&noise(100, 7), L4::Udp, 50000, 1900)),
            Verdict::No
        );
    }
}
