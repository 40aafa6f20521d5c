//! MS SQL Server TDS: an 8-byte header — type (0x12 pre-login, 0x10 login7, 0x01 SQL batch, 0x03 RPC, 0x0e
//! transaction manager, 0x04 server response), status (EOM/ignore/reset bits only), big-endian length equal to the
//! payload, window 0 — and a body consistent with the type.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    MsSqlTds = 114, "MsSQL-TDS", Database, tcp [1433];
}

/// MsSQL-TDS's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Response tokens that can start a server message.
const TOKENS: &[u8] = &[
    0xfd, 0xfe, 0xff, 0xe3, 0xaa, 0xab, 0x81, 0xad, 0xa9, 0xd1, 0x79, 0xa5, 0xae, 0xe5,
];

fn body_ok(kind: u8, b: &[u8]) -> bool {
    match kind {
        // Pre-login options: (token, offset, length) triples ending with 0xff; VERSION (0) first.
        0x12 => {
            if b.first() != Some(&0) {
                return false;
            }
            let mut i = 0;
            while let Some(&t) = b.get(i) {
                if t == 0xff {
                    return i >= 5;
                }
                let (Some(off), Some(_)) = (b.u16_at(i + 1), b.u16_at(i + 3)) else {
                    return false;
                };
                if t > 0x08 || usize::from(off) > b.len() {
                    return false;
                }
                i += 5;
            }
            false
        }
        // Login7: its own length equals the body, TDS version 7.x.
        0x10 => {
            b.u32_le_at(0)
                .is_some_and(|l| usize::try_from(l).is_ok_and(|l| l == b.len()))
                && b.get(7).is_some_and(|&v| v & 0xf0 == 0x70)
        }
        // SQL batch / RPC / TM: ALL_HEADERS (TDS 7.2+) or UCS-2 text right away.
        0x01 | 0x03 | 0x0e => {
            let all_headers = b.u32_le_at(0).is_some_and(|total| {
                usize::try_from(total).is_ok_and(|t| t >= 4 && t <= b.len())
                    && b.u32_le_at(4).is_some_and(|h| h >= 6 && h <= total)
                    && b.u16_le_at(8).is_some_and(|ty| (1..=3).contains(&ty))
            });
            let ucs2 = b.len() >= 4 && b[1] == 0 && b[3] == 0 && b[2] != 0;
            all_headers || ucs2
        }
        0x04 => b.first().is_some_and(|t| TOKENS.contains(t)),
        _ => false,
    }
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.len() < 9 {
        return Verdict::No;
    }
    let kind = p[0];
    let dir_ok = match pkt.dir {
        Dir::ToServer => matches!(kind, 0x12 | 0x10 | 0x01 | 0x03 | 0x0e),
        Dir::ToClient => matches!(kind, 0x04 | 0x12),
    };
    let status_ok = p[1] & !0x1f == 0;
    // A message larger than a segment arrives cut short (TDS packets are up to 32 KiB).
    let len_ok = p
        .u16_at(2)
        .is_some_and(|l| usize::from(l) == p.len() || (usize::from(l) > p.len() && p.len() >= 512));
    if dir_ok
        && status_ok
        && len_ok
        && p[7] == 0
        && body_ok(
            if kind == 0x12 && pkt.dir == Dir::ToClient {
                0x12
            } else {
                kind
            },
            &p[8..],
        )
    {
        Verdict::Yes(Proto::MsSqlTds)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn batches_and_responses() {
        // mssql_tds.pcap: a TDS 7.0-style batch (UCS-2 "COMMIT TRANSACTION") and the server's DONE.
        let batch = b"\x01\x01\x00,\x00\x00\x01\x00C\x00O\x00M\x00M\x00I\x00T\x00 \x00T\x00R\x00A\x00N\x00S\x00A\x00C\x00T\x00I\x00O\x00N\x00";
        assert_eq!(detect(&c0(batch)), Verdict::Yes(Proto::MsSqlTds));
        let done = b"\x04\x01\x00\x11\x01:\x01\x00\xfd\x00\x00\xd5\x00\x00\x00\x00\x00";
        assert_eq!(detect(&s0(done)), Verdict::Yes(Proto::MsSqlTds));
        // A batch with ALL_HEADERS.
        let mut b = b"\x01\x01\x00\x00\x00\x00\x01\x00\x16\x00\x00\x00\x12\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00s\x00e\x00t\x00".to_vec();
        b[3] = u8::try_from(b.len()).unwrap_or(0);
        assert_eq!(detect(&c0(&b)), Verdict::Yes(Proto::MsSqlTds));
    }

    #[test]
    fn prelogin() {
        let pre = b"\x12\x01\x00\x30\x00\x00\x01\x00\x00\x00\x1a\x00\x06\x01\x00\x20\x00\x01\x02\x00\x21\x00\x01\x03\x00\x22\x00\x04\x04\x00\x26\x00\x01\xff\x09\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00";
        assert_eq!(usize::from(pre[3]), pre.len());
        assert_eq!(detect(&c0(pre)), Verdict::Yes(Proto::MsSqlTds));
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(TLS_HELLO)), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(44, 10))), Verdict::No);
        assert_eq!(
            detect(&c0(b"\x03\x00\x00\x0b\x06\xe0\x00\x00\x00\x00\x00")),
            Verdict::No
        );
    }
}
