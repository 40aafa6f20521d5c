//! NetFlow export datagrams (Cisco's v1/v5/v7 formats, RFC 3954 v9) and IPFIX (RFC 7011, "v10"), which nDPI
//! also names NetFlow. v1/v5/v7: record count 1–30 and the datagram exactly header + count × record size; v9:
//! the flowsets (template 0, options 1, data ≥ 256) tile the datagram; IPFIX: the message length equals the
//! datagram and its sets (2, 3, ≥ 256) tile it. Every version: an export time after 2000-01-01 (as nDPI checks;
//! v1 may send 0) and before 2100.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    NetFlow = 128, "NetFlow", Network, udp [2055];
}

/// NetFlow's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Most records a v1/v5/v7 datagram carries (Cisco: 24, 30, 27).
const MAX_RECORDS: u16 = 30;
/// Export times nDPI believes: from 2000-01-01; we also stop at 2100-01-01.
const EPOCH_MIN: u32 = 946_684_800;
const EPOCH_MAX: u32 = 4_102_444_800;
/// Sets or flowsets walked at most in one datagram.
const MAX_SETS: usize = 64;
/// Header sizes: v9 (RFC 3954 §5.1) and IPFIX (RFC 7011 §3.1).
const V9_HEADER: usize = 20;
const IPFIX_HEADER: usize = 16;

/// Whether sets of `id (2) | length (2)` tile `p` exactly, each id allowed by `id_ok`.
fn sets_tile(mut p: &[u8], id_ok: impl Fn(u16) -> bool) -> bool {
    for _ in 0..MAX_SETS {
        if p.is_empty() {
            return true;
        }
        let (Some(id), Some(len)) = (p.u16_at(0), p.u16_at(2)) else {
            return false;
        };
        let len = usize::from(len);
        if !id_ok(id) || len < 4 || len > p.len() {
            return false;
        }
        p = &p[len..];
    }
    false
}

fn export_time(t: Option<u32>) -> bool {
    t.is_some_and(|t| (EPOCH_MIN..EPOCH_MAX).contains(&t))
}

/// Whether `p` is one export datagram.
fn datagram(p: &[u8]) -> bool {
    let (Some(version), Some(n)) = (p.u16_at(0), p.u16_at(2)) else {
        return false;
    };
    let records = |header: usize, size: usize| {
        (1..=MAX_RECORDS).contains(&n) && p.len() == header + usize::from(n) * size
    };
    match version {
        1 => records(16, 48) && (p.u32_at(8) == Some(0) || export_time(p.u32_at(8))),
        5 => records(24, 48) && export_time(p.u32_at(8)),
        7 => records(24, 52) && export_time(p.u32_at(8)),
        // `n` counts records, not flowsets; the flowsets must tile the rest.
        9 => {
            n >= 1
                && export_time(p.u32_at(8))
                && p.len() > V9_HEADER
                && sets_tile(&p[V9_HEADER..], |id| id <= 1 || id >= 256)
        }
        10 => {
            usize::from(n) == p.len()
                && p.len() > IPFIX_HEADER
                && export_time(p.u32_at(4))
                && sets_tile(&p[IPFIX_HEADER..], |id| id == 2 || id == 3 || id >= 256)
        }
        _ => false,
    }
}

fn detect(pkt: &Pkt) -> Verdict {
    if datagram(pkt.payload) {
        Verdict::Yes(Proto::NetFlow)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    /// A v5 datagram with one record, built from Cisco's v5 format: header (version 5, count 1, uptime,
    /// 2023-11-14 22:13:20 UTC, nsecs, sequence, engine), then one 48-byte record.
    const V5: &str = "0005 0001 00001000 65540000 00000000 00000001 00 00 0000 \
         0a000001 0a000002 00000000 0001 0002 0000000a 00000400 00000100 00000200 \
         1f90 0050 00 1b 06 00 0000 0000 18 18 0000";
    /// A v9 datagram (RFC 3954 §5.1, §5.2): header with count 1, then one template flowset (template 256, two
    /// fields: IPV4_SRC_ADDR 4 bytes, IN_BYTES 4 bytes).
    const V9: &str = "0009 0001 00001000 65540000 00000001 00000000 \
         0000 0010 0100 0002 0008 0004 0001 0004";
    /// An IPFIX message (RFC 7011 §3.1, §3.4.1) with one template set (template 256: sourceIPv4Address, octetDeltaCount).
    pub(crate) const IPFIX: &str = "000a 0020 65540000 00000001 00000000 \
         0002 0010 0100 0002 0008 0004 0001 0008";

    #[test]
    fn versions() {
        for (h, len) in [(V5, 72), (V9, 36), (IPFIX, 32)] {
            let d = hex(h);
            assert_eq!(d.len(), len);
            assert_eq!(detect(&pkt(&d, L4::Udp, 40000, 2055)), Verdict::Yes(Proto::NetFlow), "{h}");
        }
    }

    #[test]
    fn near_misses() {
        let v5 = hex(V5);
        assert_eq!(detect(&pkt(&v5[..70], L4::Udp, 1, 2055)), Verdict::No);
        let mut old = v5.clone();
        old[8] = 0x10; // 1978
        assert_eq!(detect(&pkt(&old, L4::Udp, 1, 2055)), Verdict::No);
        let mut v9 = hex(V9);
        v9[23] = 0x14; // flowset longer than the datagram
        assert_eq!(detect(&pkt(&v9, L4::Udp, 1, 2055)), Verdict::No);
        let mut ipfix = hex(IPFIX);
        ipfix[17] = 0x04; // set id 4 is reserved
        assert_eq!(detect(&pkt(&ipfix, L4::Udp, 1, 4739)), Verdict::No);
        for seed in 1..300 {
            assert_eq!(detect(&pkt(&noise(72, seed), L4::Udp, 1, 2055)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2055));
        }
    }
}
