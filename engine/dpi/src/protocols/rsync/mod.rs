//! rsync's daemon protocol (rsync(1) "CONNECTING TO AN RSYNC DAEMON", rsyncd.conf(5)): both sides open with the
//! greeting `@RSYNCD: <protocol version>` (a decimal version, optionally `.sub`); the daemon's later status
//! lines (`@RSYNCD: OK`, `AUTHREQD`, `EXIT`) carry the same prefix.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::decimal;
use crate::proto::Proto;

crate::proto::identities! {
    Rsync = 166, "RSYNC", DataTransfer, tcp [873];
}

/// RSYNC's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// The greeting's prefix.
const GREETING: &[u8] = b"@RSYNCD: ";
/// Digits of a protocol version (rsync 3.x speaks 31).
const MAX_VERSION_DIGITS: usize = 3;
/// The daemon's status words after the prefix.
const STATUS: &[&[u8]] = &[b"OK", b"AUTHREQD ", b"EXIT"];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let Some(rest) = p.strip_prefix(GREETING) else {
        return if GREETING.starts_with(p) { Verdict::NeedMore } else { Verdict::No };
    };
    let version = decimal(rest, MAX_VERSION_DIGITS)
        .is_some_and(|(_, n)| matches!(rest.get(n), None | Some(b'.' | b'\n' | b' ')));
    if version || STATUS.iter().any(|s| rest.starts_with(s)) {
        Verdict::Yes(Proto::Rsync)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, s0, HTTP_GET};
    use proptest::prelude::*;

    #[test]
    fn greetings() {
        // rsync 3.2.7's daemon greeting (protocol 31 and its checksum list) and a client's.
        assert_eq!(detect(&s0(b"@RSYNCD: 31.0 sha512 sha256 sha1 md5 md4\n")), Verdict::Yes(Proto::Rsync));
        assert_eq!(detect(&c0(b"@RSYNCD: 31.0\n")), Verdict::Yes(Proto::Rsync));
        assert_eq!(detect(&s0(b"@RSYNCD: 30\n")), Verdict::Yes(Proto::Rsync));
        assert_eq!(detect(&s0(b"@RSY")), Verdict::NeedMore);
        assert_eq!(detect(&s0(b"@RSYNCD: OK\n")), Verdict::Yes(Proto::Rsync));
    }

    #[test]
    fn others() {
        assert_eq!(detect(&s0(b"@RSYNCD: FOO\n")), Verdict::No);
        assert_eq!(detect(&s0(b"@RSYNCD: 31x\n")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(30, 2))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..60)) {
            let _ = detect(&s0(&p));
        }
    }
}
