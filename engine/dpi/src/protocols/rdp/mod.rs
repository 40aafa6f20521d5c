//! RDP: TPKT (version 3, reserved 0, length equal to the payload) carrying an X.224 Connection Request (0xe0, length
//! indicator = rest of the TPKT, class 0) whose user data is a "Cookie: mstshash=" / routing token or an RDP
//! Negotiation Request (type 1, length 8); or the server's Connection Confirm (0xd0) with an RDP Negotiation
//! Response/Failure.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Rdp = 88, "RDP", RemoteAccess, tcp [3389], udp [3389];
}

/// RDP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn neg(p: &[u8], types: &[u8]) -> bool {
    p.len() == 8 && types.contains(&p[0]) && p.u16_le_at(2) == Some(8)
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.len() < 11
        || p[0] != 3
        || p[1] != 0
        || p.u16_at(2) != Some(u16::try_from(p.len()).unwrap_or(0))
    {
        return Verdict::No;
    }
    if usize::from(p[4]) + 5 != p.len() || p[6] != 0 || p[7] != 0 {
        return Verdict::No;
    }
    let data = &p[11..];
    let ok = match (pkt.dir, p[5]) {
        (Dir::ToServer, 0xe0) => {
            p[10] == 0
                && (data.starts_with(b"Cookie: mstshash=")
                    || data.starts_with(b"Cookie: msts=")
                    || neg(data, &[1])
                    || data.len() > 8
                        && neg(&data[data.len() - 8..], &[1])
                        && data.windows(2).any(|w| w == b"\r\n"))
        }
        (Dir::ToClient, 0xd0) => neg(data, &[2, 3]),
        _ => false,
    };
    if ok {
        Verdict::Yes(Proto::Rdp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn connection_request() {
        // rdp3.pcap
        let cr = b"\x03\x00\x00\x27\x22\xe0\x00\x00\x00\x00\x00Cookie: mstshash=Administr\r\n";
        assert_eq!(detect(&c0(cr)), Verdict::Yes(Proto::Rdp));
        let neg_req =
            b"\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00\x01\x00\x08\x00\x03\x00\x00\x00";
        assert_eq!(detect(&c0(neg_req)), Verdict::Yes(Proto::Rdp));
        let cc = b"\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00\x02\x00\x08\x00\x01\x00\x00\x00";
        assert_eq!(detect(&s0(cc)), Verdict::Yes(Proto::Rdp));
    }

    #[test]
    fn others() {
        // S7comm COTP connection request with TSAP parameters, and rdp3.pcap's short CC without negotiation.
        let s7 = b"\x03\x00\x00\x16\x11\xe0\x00\x00\x00\x01\x00\xc1\x02\x01\x00\xc2\x02\x01\x02\xc0\x01\x0a";
        assert_eq!(detect(&c0(s7)), Verdict::No);
        assert_eq!(detect(&c0(TLS_HELLO)), Verdict::No);
        assert_eq!(detect(&c0(&noise(39, 14))), Verdict::No);
    }
}
