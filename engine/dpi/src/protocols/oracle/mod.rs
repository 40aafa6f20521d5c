//! Oracle TNS: a CONNECT packet (type 1) — length equal to the payload, zero packet and header checksums, version
//! 300..=319 with a compatible version not above it, and a "(DESCRIPTION=" connect string when it is carried.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Oracle = 167, "Oracle", Database, tcp [1521];
}

/// Oracle's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.dir != Dir::ToServer || p.len() < 34 {
        return Verdict::No;
    }
    let len_ok = p.u16_at(0).is_some_and(|l| usize::from(l) == p.len());
    let hdr_ok = p[2] == 0 && p[3] == 0 && p[4] == 1 && p[5] == 0 && p[6] == 0 && p[7] == 0;
    let (Some(ver), Some(compat)) = (p.u16_at(8), p.u16_at(10)) else {
        return Verdict::No;
    };
    let ver_ok = (300..=319).contains(&ver) && (300..=ver).contains(&compat);
    // Connect data (length at 24, offset at 26): a "(DESCRIPTION=…" string ending the packet, or sent next.
    let data_ok = match (p.u16_at(24).map(usize::from), p.u16_at(26).map(usize::from)) {
        (Some(dl), Some(off)) if off >= 34 && dl > 0 => {
            (off + dl == p.len() && p.get(off) == Some(&b'('))
                || (off + dl > p.len() && off >= p.len())
        }
        _ => false,
    };
    if len_ok && hdr_ok && ver_ok && data_ok {
        Verdict::Yes(Proto::Oracle)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn connect() {
        // oracle12.pcapng: 12c CONNECT header (data sent in the next packet).
        let mut c = b"\x00\xd4\x00\x00\x01\x00\x00\x00\x01;\x01,\x0cA \x00\xff\xff\x7f\x08\x00\x00\x01\x00\x00\x8e\x00F\x00\x00\x08\x00AA".to_vec();
        c.resize(0xd4, 0);
        let text = b"(DESCRIPTION=(CONNECT_DATA=(SERVICE_NAME=ORCL)))";
        c[0x46..0x46 + text.len()].copy_from_slice(text);
        assert_eq!(detect(&c0(&c)), Verdict::Yes(Proto::Oracle));
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(212, 26))), Verdict::No);
    }
}
