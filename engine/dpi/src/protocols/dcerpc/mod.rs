//! DCE/RPC connection-oriented (C706 ch. 12): version 5, minor 0/1, a known packet type, data representation
//! (integer byte order, ASCII, IEEE/VAX/Cray/IBM float), fragment length matching the payload, auth length inside it.

use crate::dissector::{Order, Protocol, Transport};
use xntop_wire::cursor::ReadAt;

use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    DceRpc = 370, "DCERPC", Rpc, tcp [135];
}

/// DCERPC's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.len() < 16
        || p[0] != 5
        || p[1] > 1
        || p[2] > 19
        || !matches!(p[4], 0x10 | 0x00)
        || p[5] > 3
    {
        return Verdict::No;
    }
    if p[6] != 0 || p[7] != 0 {
        return Verdict::No;
    }
    let rd = |at| {
        if p[4] == 0x10 {
            p.u16_le_at(at)
        } else {
            p.u16_at(at)
        }
    };
    let (Some(frag), Some(auth)) = (rd(8).map(usize::from), rd(10).map(usize::from)) else {
        return Verdict::No;
    };
    let frag_ok = frag >= 16
        && (frag == p.len()
            || (frag < p.len() && p.get(frag) == Some(&5))
            || (frag > p.len() && p.len() >= 512));
    if frag_ok && auth + 16 <= frag {
        Verdict::Yes(Proto::DceRpc)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn bind() {
        // bind, little-endian, frag 72, no auth, one context (EPM).
        let mut b = vec![
            5u8, 0, 11, 3, 0x10, 0, 0, 0, 72, 0, 0, 0, 1, 0, 0, 0, 0xb8, 0x10, 0xb8, 0x10, 0, 0, 0,
            0, 1, 0, 0, 0,
        ];
        b.resize(72, 0);
        assert_eq!(detect(&c0(&b)), Verdict::Yes(Proto::DceRpc));
    }

    #[test]
    fn others() {
        let mut b = vec![5u8, 0, 11, 3, 0x10, 0, 0, 0, 73, 0, 0, 0];
        b.resize(72, 0);
        assert_eq!(detect(&c0(&b)), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(72, 25))), Verdict::No);
    }
}
