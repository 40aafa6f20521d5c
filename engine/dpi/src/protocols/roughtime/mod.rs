//! Roughtime: IETF drafts frame messages with the `ROUGHTIM` magic and a length; Google's original protocol (port
//! 2002) sends a tag map — tag count, ascending offsets, ascending 4-byte ASCII tags.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Roughtime = 383, "Roughtime", System, udp [2002];
}

/// Roughtime's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let framed = p.starts_with(b"ROUGHTIM")
        && p.u32_le_at(8)
            .is_some_and(|l| l >= 4 && (l as usize) + 12 >= p.len());
    if framed || (pkt.either_port(2002) && tag_map(p)) {
        Verdict::Yes(Proto::Roughtime)
    } else {
        Verdict::No
    }
}

fn tag_map(p: &[u8]) -> bool {
    let Some(n) = p.u32_le_at(0) else {
        return false;
    };
    if !(1..=32).contains(&n) {
        return false;
    }
    let n = n as usize;
    let tags_at = 4 + 4 * (n - 1);
    let body_at = tags_at + 4 * n;
    if body_at > p.len() {
        return false;
    }
    let mut prev_off = 0;
    for i in 0..n - 1 {
        let Some(off) = p.u32_le_at(4 + 4 * i) else {
            return false;
        };
        if off % 4 != 0 || off < prev_off || (off as usize) > p.len() - body_at {
            return false;
        }
        prev_off = off;
    }
    let mut prev_tag = 0;
    for i in 0..n {
        let Some(tag) = p.get(tags_at + 4 * i..tags_at + 4 * i + 4) else {
            return false;
        };
        if !tag
            .iter()
            .all(|&c| c.is_ascii_uppercase() || c == 0 || c == 0xff)
        {
            return false;
        }
        let v = tag.u32_le_at(0).unwrap_or(0);
        if v <= prev_tag {
            return false;
        }
        prev_tag = v;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn google_request_and_ietf_frame() {
        let mut p = hex("02000000400000004e4f4e43504144ff");
        p.resize(1024, 0);
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 36225, 2002)),
            Verdict::Yes(Proto::Roughtime)
        );
        let mut f = b"ROUGHTIM".to_vec();
        f.extend_from_slice(&16u32.to_le_bytes());
        f.extend_from_slice(&[0; 16]);
        assert_eq!(
            detect(&pkt(&f, L4::Tcp, 36225, 2002)),
            Verdict::Yes(Proto::Roughtime)
        );
    }

    #[test]
    fn negatives() {
        let mut p = hex("02000000400000004e4f4e43504144ff");
        p.resize(1024, 0);
        assert_eq!(detect(&pkt(&p, L4::Udp, 36225, 2003)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(100, 1), L4::Udp, 1, 2002)), Verdict::No);
    }
}
