//! PostgreSQL: the client's StartupMessage (length, protocol 3.0 = 196608, "user" parameter…), or the 8-byte
//! SSLRequest (80877103) / GSSENCRequest (80877104), or the 16-byte CancelRequest (80877102).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    PostgreSql = 19, "PostgreSQL", Database, tcp [5432];
}

/// PostgreSQL's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.dir != Dir::ToServer || pkt.seen[0] > 0 {
        return Verdict::No;
    }
    let (Some(len), Some(code)) = (p.u32_at(0), p.u32_at(4)) else {
        return Verdict::No;
    };
    let Ok(len) = usize::try_from(len) else {
        return Verdict::No;
    };
    match code {
        80_877_103 | 80_877_104 if len == 8 && p.len() == 8 => Verdict::Yes(Proto::PostgreSql),
        80_877_102 if len == 16 && p.len() == 16 => Verdict::Yes(Proto::PostgreSql),
        0x0003_0000 | 0x0003_0002 if (9..=10_000).contains(&len) && len >= p.len() => {
            // Parameters: NUL-terminated printable names and values, ending with an empty name.
            let params = &p[8..];
            let name_len = params.iter().position(|&b| b == 0).unwrap_or(params.len());
            let name = &params[..name_len];
            let ok_name = !name.is_empty()
                && name.len() < 64
                && name
                    .iter()
                    .all(|&b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit());
            if (len == p.len() && p.last() == Some(&0) && ok_name) || (len > p.len() && ok_name) {
                Verdict::Yes(Proto::PostgreSql)
            } else {
                Verdict::No
            }
        }
        _ => Verdict::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn startup() {
        let msg = b"\x00\x00\x00\x23\x00\x03\x00\x00user\x00postgres\x00database\x00db\x00\x00";
        assert_eq!(usize::from(msg[3]), msg.len());
        assert_eq!(detect(&c0(msg)), Verdict::Yes(Proto::PostgreSql));
        assert_eq!(
            detect(&c0(b"\x00\x00\x00\x08\x04\xd2\x16\x2f")),
            Verdict::Yes(Proto::PostgreSql)
        );
    }

    #[test]
    fn others() {
        assert_eq!(
            detect(&c0(b"\x00\x00\x00\x08\x04\xd2\x16\x2f\x00")),
            Verdict::No
        );
        assert_eq!(
            detect(&s0(b"\x00\x00\x00\x08\x04\xd2\x16\x2f")),
            Verdict::No
        );
        assert_eq!(
            detect(&c0(b"\x00\x00\x00\x25\x00\x03\x00\x00USER\x00x\x00\x00")),
            Verdict::No
        );
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(40, 8))), Verdict::No);
    }
}
