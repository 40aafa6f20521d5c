//! DHCP / BOOTP with options (RFC 2131): op 1/2, hardware type and length, magic cookie 0x63825363 at 236. The
//! client's host name, vendor class and parameter-list fingerprint (`parser`) go into the metadata.

pub mod parser;

use crate::dissector::{set_str, Dissector, Flow, Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Dhcp = 18, "DHCP", Network, udp [67, 68];
}

/// DHCP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&DhcpDissector),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

struct DhcpDissector;

impl Dissector for DhcpDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let v = detect(pkt);
        if v == Verdict::Yes(Proto::Dhcp) {
            client_metadata(pkt.payload, flow);
        }
        v
    }
}

/// The client's host name, vendor class and parameter-list fingerprint, when the message carries them.
fn client_metadata(payload: &[u8], flow: &mut Flow) {
    let o = parser::client_options(payload);
    let (host, vendor, list) = (o.host_name, o.vendor_class, o.parameter_list);
    if host.is_none() && vendor.is_none() && list.is_none() {
        return;
    }
    let m = flow.meta();
    if let Some(h) = host {
        set_str(&mut m.dhcp_hostname, h);
    }
    if let Some(v) = vendor {
        set_str(&mut m.dhcp_vendor_class, v);
    }
    if let Some(l) = list {
        let mut buf = [0u8; 1024];
        let n = parser::fingerprint(l, &mut buf);
        set_str(&mut m.dhcp_fingerprint, &buf[..n]);
    }
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp {
        return Verdict::No;
    }
    let (Some(op), Some(htype), Some(hlen), Some(cookie)) =
        (p.u8_at(0), p.u8_at(1), p.u8_at(2), p.u32_at(236))
    else {
        return Verdict::No;
    };
    if matches!(op, 1 | 2) && matches!(htype, 1 | 6 | 0x20) && hlen <= 20 && cookie == 0x6382_5363 {
        Verdict::Yes(Proto::Dhcp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    fn discover() -> Vec<u8> {
        let mut p = hex("010106003d1d5a8b0000000000000000000000000000000000000000000b8201fc42");
        p.resize(236, 0);
        p.extend_from_slice(&hex("63825363350101ff"));
        p
    }

    #[test]
    fn discover_is_dhcp() {
        assert_eq!(
            detect(&pkt(&discover(), L4::Udp, 68, 67)),
            Verdict::Yes(Proto::Dhcp)
        );
    }

    #[test]
    fn negatives() {
        let mut p = discover();
        p[236] = 0x64;
        assert_eq!(detect(&pkt(&p, L4::Udp, 68, 67)), Verdict::No);
        let mut q = discover();
        q[0] = 3;
        assert_eq!(detect(&pkt(&q, L4::Udp, 68, 67)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(300, 3), L4::Udp, 68, 67)), Verdict::No);
        assert_eq!(
            detect(&pkt(&discover()[..200], L4::Udp, 68, 67)),
            Verdict::No
        );
    }
}
