//! Apache Thrift binary protocol (strict, optionally framed): version 0x8001, message type 1..=4 (call, reply,
//! exception, oneway), a printable method name whose length fits, a sequence id, then a field type or STOP.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Thrift = 345, "Thrift", Rpc;
}

/// Thrift's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn message(p: &[u8]) -> bool {
    if p.len() < 13 || p[0] != 0x80 || p[1] != 0x01 || p[2] != 0 || !(1..=4).contains(&p[3]) {
        return false;
    }
    let Some(n) = p.u32_at(4).and_then(|n| usize::try_from(n).ok()) else {
        return false;
    };
    if n == 0 || n > 128 {
        return false;
    }
    let Some(name) = p.get(8..8 + n) else {
        return false;
    };
    let name_ok = name
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'));
    // After the sequence id: a field type (bool..list, uuid) or STOP.
    let field_ok = p
        .get(12 + n)
        .is_none_or(|&t| matches!(t, 0 | 2..=4 | 6 | 8 | 10..=16));
    name_ok && p.len() >= 12 + n && field_ok
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let framed = p
        .u32_at(0)
        .is_some_and(|l| usize::try_from(l).is_ok_and(|l| l + 4 == p.len()))
        && message(&p[4..]);
    if message(p) || framed {
        Verdict::Yes(Proto::Thrift)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn calls() {
        // thrift.pcap
        let call = b"\x80\x01\x00\x01\x00\x00\x00\x14anonymous_command_on\x00\x00\x00\x00\x08\x00\x01\x00\x00\x00\x00\x00";
        assert_eq!(detect(&c0(call)), Verdict::Yes(Proto::Thrift));
        let mut framed = (u32::try_from(call.len()).unwrap_or(0))
            .to_be_bytes()
            .to_vec();
        framed.extend_from_slice(call);
        assert_eq!(detect(&c0(&framed)), Verdict::Yes(Proto::Thrift));
    }

    #[test]
    fn others() {
        assert_eq!(
            detect(&c0(b"\x80\x01\x00\x01\x00\x00\x00\x14anon")),
            Verdict::No
        );
        assert_eq!(detect(&c0(&noise(40, 36))), Verdict::No);
    }
}
