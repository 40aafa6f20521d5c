//! MySQL/MariaDB: the server's initial handshake packet — 3-byte little-endian length equal to the rest, sequence
//! 0, protocol 10, a NUL-terminated version string starting with a digit, connection id, 8-byte salt, filler 0.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    MySql = 20, "MySQL", Database, tcp [3306];
}

/// MySQL's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    match pkt.dir {
        // The server speaks first; a client packet before it means another protocol.
        Dir::ToServer => Verdict::No,
        Dir::ToClient if pkt.seen[1] > 0 => Verdict::No,
        Dir::ToClient => {
            if p.len() < 5 {
                return Verdict::No;
            }
            let len = p.u24_le_at(0).map_or(0, |l| l as usize);
            if p[3] != 0
                || p[4] != 10
                || len < 20
                || len + 4 < p.len()
                || (len + 4 > p.len() && p.len() < 512)
            {
                return Verdict::No;
            }
            let ver = &p[5..];
            let Some(nul) = ver.iter().take(64).position(|&b| b == 0) else {
                return Verdict::No;
            };
            let v = &ver[..nul];
            if v.is_empty()
                || !v[0].is_ascii_digit()
                || !v.iter().all(|&b| (0x20..0x7f).contains(&b))
            {
                return Verdict::No;
            }
            // Thread id (4), salt part 1 (8), filler 0.
            match ver.get(nul + 1 + 4 + 8) {
                Some(0) => Verdict::Yes(Proto::MySql),
                _ => Verdict::No,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    // mysql.pcapng, MySQL 8.0.36 greeting.
    const GREETING: &[u8] = b"J\x00\x00\x00\n8.0.36\x00\x0c\x00\x00\x001tugx_#V\x00\xff\xff\xff\x02\x00\xff\xdf\x15\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00p\">4m\x0f6|1\"j|\x00caching_sha2_password\x00";

    #[test]
    fn greeting() {
        assert_eq!(GREETING.len(), 0x4a + 4);
        assert_eq!(detect(&s0(GREETING)), Verdict::Yes(Proto::MySql));
    }

    #[test]
    fn others() {
        let mut bad = GREETING.to_vec();
        bad[4] = 9;
        assert_eq!(detect(&s0(&bad)), Verdict::No);
        assert_eq!(detect(&c0(GREETING)), Verdict::No);
        assert_eq!(detect(&s0(b"220 (vsFTPd 3.0.3)\r\n")), Verdict::No);
        assert_eq!(detect(&s0(&noise(78, 9))), Verdict::No);
    }
}
