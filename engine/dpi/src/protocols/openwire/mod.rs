//! OpenWire (ActiveMQ): the WireFormatInfo command both sides send first — 4-byte size agreeing with the payload,
//! data type 1, magic "ActiveMQ", then a version.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    OpenWire = 421, "OpenWire", Rpc;
}

/// OpenWire's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let size_ok = p.u32_at(0).is_some_and(|s| {
        usize::try_from(s).is_ok_and(|s| s + 4 == p.len() || (s + 4 > p.len() && p.len() >= 512))
    });
    let ver_ok = p.u32_at(13).is_some_and(|v| (1..=20).contains(&v));
    if size_ok && p.get(4) == Some(&1) && p.get(5..13) == Some(b"ActiveMQ") && ver_ok {
        Verdict::Yes(Proto::OpenWire)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn wire_format_info() {
        // openwire.pcapng, cut to a consistent size.
        let mut w = b"\x00\x00\x00\x00\x01ActiveMQ\x00\x00\x00\n\x01\x00\x00\x00\xc8\x00\x00\x00\x08\x00\x0cCacheEnabled\x01\x00".to_vec();
        let n = u8::try_from(w.len() - 4).unwrap_or(0);
        w[3] = n;
        assert_eq!(detect(&c0(&w)), Verdict::Yes(Proto::OpenWire));
    }

    #[test]
    fn others() {
        assert_eq!(
            detect(&c0(b"\x00\x00\x00\x0d\x01ActiveMX\x00\x00\x00\x0a")),
            Verdict::No
        );
        assert_eq!(detect(&c0(&noise(30, 35))), Verdict::No);
    }
}
