//! rsh (BSD rshd(8), TCP 514): the client's opening is `stderr-port\0local-user\0remote-user\0command\0` —
//! decimal digits, then three printable NUL-terminated strings ending the packet. Some clients send the port
//! alone first; then the next client packet holds the rest (only on port 514, where nothing else is). TCP 514
//! is not registered here: Syslog holds the port guess.

use crate::dissector::{Dir, Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::{decimal, seen_same};
use crate::proto::Proto;

crate::proto::identities! {
    Rsh = 294, "RSH", RemoteAccess;
}

/// RSH's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// The rshd port.
const PORT: u16 = 514;
/// Digits of the stderr port.
const MAX_PORT_DIGITS: usize = 5;
/// Longest user name or command believed.
const MAX_FIELD: usize = 1024;

/// `n` printable NUL-terminated strings (the user names may be empty, the command not) that end `p`.
fn fields(p: &[u8], n: usize) -> bool {
    let mut rest = p;
    for i in 0..n {
        let Some(end) = rest.iter().position(|&b| b == 0) else {
            return false;
        };
        let field = &rest[..end];
        if end > MAX_FIELD || !field.iter().all(|b| (0x20..0x7f).contains(b)) || (i == n - 1 && field.is_empty()) {
            return false;
        }
        rest = &rest[end + 1..];
    }
    rest.is_empty()
}

/// The stderr port (`0` when none) and its NUL; returns the rest.
fn port_field(p: &[u8]) -> Option<&[u8]> {
    let (v, n) = decimal(p, MAX_PORT_DIGITS)?;
    (v <= 65535 && p.get(n) == Some(&0)).then(|| &p[n + 1..])
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.dir != Dir::ToServer {
        return Verdict::No;
    }
    let on_port = pkt.server_port == PORT;
    match (seen_same(pkt), port_field(p)) {
        (0, Some(rest)) if fields(rest, 3) => Verdict::Yes(Proto::Rsh),
        (0, Some([])) if on_port => Verdict::NeedMore,
        (1, _) if on_port && fields(p, 3) => Verdict::Yes(Proto::Rsh),
        _ => Verdict::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt, pkt_at};
    use crate::L4;
    use proptest::prelude::*;

    /// rsh(1)'s opening as rshd(8) documents it: stderr port 1022, users, command.
    const OPENING: &[u8] = b"1022\0alice\0alice\0uname -a\0";

    #[test]
    fn openings() {
        assert_eq!(detect(&pkt(OPENING, L4::Tcp, 1023, 514)), Verdict::Yes(Proto::Rsh));
        assert_eq!(detect(&pkt(OPENING, L4::Tcp, 1023, 7514)), Verdict::Yes(Proto::Rsh));
        assert_eq!(detect(&pkt(b"0\0", L4::Tcp, 1023, 514)), Verdict::NeedMore);
        let rest = pkt_at(b"alice\0alice\0ls\0", L4::Tcp, 1023, 514, Dir::ToServer, [1, 0]);
        assert_eq!(detect(&rest), Verdict::Yes(Proto::Rsh));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&pkt(b"1022\0alice\0alice\0\0", L4::Tcp, 1023, 514)), Verdict::No);
        assert_eq!(detect(&pkt(b"1022\0alice\0alice\0ls", L4::Tcp, 1023, 514)), Verdict::No);
        assert_eq!(detect(&pkt(b"99999\0a\0b\0c\0", L4::Tcp, 1023, 514)), Verdict::No);
        assert_eq!(detect(&pkt(b"0\0", L4::Tcp, 1023, 80)), Verdict::No);
        for n in 0..OPENING.len() - 1 {
            assert_ne!(detect(&pkt(&OPENING[..n], L4::Tcp, 1023, 80)), Verdict::Yes(Proto::Rsh), "{n}");
        }
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(30, seed), L4::Tcp, 1023, 514)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..60), seen in 0u16..3) {
            let _ = detect(&pkt_at(&p, L4::Tcp, 1023, 514, Dir::ToServer, [seen, 0]));
        }
    }
}
