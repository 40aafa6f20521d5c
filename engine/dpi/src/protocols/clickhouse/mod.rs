//! ClickHouse's native TCP protocol (ClickHouse docs "Native protocol": client packets): the client opens with
//! Hello — packet type 0 (varint), the client name (varint-length string, printable), the client's major and
//! minor version and its protocol revision (54xxx) as varints, then the database and user names.

use crate::dissector::{Dir, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    ClickHouse = 419, "ClickHouse", Database;
}

/// ClickHouse's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Longest client name believed.
const MAX_NAME: u64 = 128;
/// Protocol revisions (54000 up: the native protocol's TCP revisions since 2016).
const REVISIONS: std::ops::Range<u64> = 54_000..60_000;
/// Highest client major and minor version believed.
const MAX_MAJOR: u64 = 100;
const MAX_MINOR: u64 = 1000;

/// An unsigned LEB128 varint at the start of `p` (at most 9 bytes); returns it and the bytes used.
fn varint(p: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &b) in p.iter().take(9).enumerate() {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

fn hello(p: &[u8]) -> Option<()> {
    if p.first()? != &0 {
        return None;
    }
    let (name_len, n) = varint(&p[1..])?;
    if name_len == 0 || name_len > MAX_NAME {
        return None;
    }
    let start = 1 + n;
    let end = start + usize::try_from(name_len).ok()?;
    let name = p.get(start..end)?;
    if !name.iter().all(|b| (0x20..0x7f).contains(b)) {
        return None;
    }
    let (major, a) = varint(p.get(end..)?)?;
    let (minor, b) = varint(p.get(end + a..)?)?;
    let (revision, _) = varint(p.get(end + a + b..)?)?;
    (major <= MAX_MAJOR && minor <= MAX_MINOR && REVISIONS.contains(&revision)).then_some(())
}

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.dir == Dir::ToServer && hello(pkt.payload).is_some() {
        Verdict::Yes(Proto::ClickHouse)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, s0, HTTP_GET};
    use proptest::prelude::*;

    /// Hello from "ClickHouse client" 24.8, revision 54472, database "default", user "default", empty password,
    /// laid out as the native protocol documents it.
    const HELLO: &[u8] = b"\x00\x11ClickHouse client\x18\x08\xc8\xa9\x03\x07default\x07default\x00";

    #[test]
    fn client_hello() {
        assert_eq!(detect(&c0(HELLO)), Verdict::Yes(Proto::ClickHouse));
        assert_eq!(detect(&s0(HELLO)), Verdict::No);
    }

    #[test]
    fn near_misses() {
        let mut old = HELLO.to_vec();
        // Protocol revision 1: no server speaks it.
        old[21] = 0x01;
        old[22] = 0x00;
        assert_eq!(detect(&c0(&old)), Verdict::No);
        assert_eq!(detect(&c0(&HELLO[..20])), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        for seed in 1..300 {
            assert_eq!(detect(&c0(&noise(40, seed))), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(tail in proptest::collection::vec(any::<u8>(), 0..40)) {
            let mut p = vec![0u8];
            p.extend_from_slice(&tail);
            let _ = detect(&c0(&p));
        }
    }
}
