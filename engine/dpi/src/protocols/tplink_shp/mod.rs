//! TP-Link Smart Home Protocol (port 9999): JSON "encrypted" with the autokey XOR cipher (initial key 171). Over
//! TCP a 4-byte length comes first. The clear text must start `{"` and stay printable.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    TplinkShp = 332, "TPLINK_SHP", IoTScada, tcp [9999];
}

/// TPLINK_SHP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    if !pkt.either_port(9999) {
        return Verdict::No;
    }
    let p = pkt.payload;
    let body = match pkt.l4 {
        L4::Udp => p,
        L4::Tcp => match p.u32_at(0) {
            Some(l) if usize::try_from(l).is_ok_and(|l| l + 4 >= p.len() && l > 0) => &p[4..],
            _ => return Verdict::No,
        },
    };
    if body.len() < 8 {
        return Verdict::No;
    }
    let mut key = 171u8;
    let mut clear = [0u8; 16];
    for (out, &c) in clear.iter_mut().zip(body) {
        *out = c ^ key;
        key = c;
    }
    let n = body.len().min(16);
    let printable = clear[..n]
        .iter()
        .all(|&c| (0x20..0x7f).contains(&c) || c == b'\n' || c == b'\r' || c == b'\t');
    if clear.starts_with(b"{\"") && printable {
        Verdict::Yes(Proto::TplinkShp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn discovery() {
        let p = hex("d0f281f88bff9af7d5ef94b6d1b4c09fec95e68fe187e8caf08bf68bf6");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 9999, 9999)),
            Verdict::Yes(Proto::TplinkShp)
        );
        let mut t = (p.len() as u32).to_be_bytes().to_vec();
        t.extend_from_slice(&p);
        assert_eq!(
            detect(&pkt(&t, L4::Tcp, 50000, 9999)),
            Verdict::Yes(Proto::TplinkShp)
        );
    }

    #[test]
    fn negatives() {
        let p = hex("d0f281f88bff9af7d5ef94b6d1b4c09fec95e68fe187e8caf08bf68bf6");
        assert_eq!(detect(&pkt(&p, L4::Udp, 5000, 5001)), Verdict::No);
        assert_eq!(
            detect(&pkt(b"{\"system\":{}}", L4::Udp, 9999, 9999)),
            Verdict::No
        );
        assert_eq!(
            detect(&pkt(&noise(30, 1), L4::Udp, 9999, 9999)),
            Verdict::No
        );
    }
}
