//! AJP13 (Apache JServ): a server-bound packet with magic 0x1234, length equal to the rest, and a FORWARD_REQUEST
//! (method code, "HTTP/1.x" protocol string) or a CPING; container replies start "AB" (SEND_HEADERS with an HTTP
//! status, or CPONG).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Ajp = 139, "AJP", Web, tcp [8009];
}

/// AJP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let Some(len) = p.u16_at(2).map(usize::from) else {
        return Verdict::No;
    };
    let len_ok = len + 4 == p.len() || (len + 4 > p.len() && p.len() >= 512);
    let ok = match pkt.dir {
        Dir::ToServer if p.starts_with(&[0x12, 0x34]) && len_ok => match p.get(4) {
            Some(2) => {
                p.get(5).is_some_and(|m| (1..=28).contains(m))
                    && p.u16_at(6).is_some_and(|l| (8..=16).contains(&l))
                    && p.get(8..15) == Some(b"HTTP/1.")
            }
            Some(10) => len == 1,
            _ => false,
        },
        Dir::ToClient if p.starts_with(b"AB") && len_ok => match p.get(4) {
            Some(4) => p.u16_at(5).is_some_and(|s| (100..=599).contains(&s)),
            Some(9) => len == 1,
            _ => false,
        },
        _ => false,
    };
    if ok {
        Verdict::Yes(Proto::Ajp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn packets() {
        let mut fwd = b"\x12\x34\x00\x00\x02\x02\x00\x08HTTP/1.1\x00\x00\x01/\x00".to_vec();
        let n = u8::try_from(fwd.len() - 4).unwrap_or(0);
        fwd[3] = n;
        assert_eq!(detect(&c0(&fwd)), Verdict::Yes(Proto::Ajp));
        assert_eq!(
            detect(&c0(b"\x12\x34\x00\x01\x0a")),
            Verdict::Yes(Proto::Ajp)
        );
        assert_eq!(detect(&s0(b"AB\x00\x01\x09")), Verdict::Yes(Proto::Ajp));
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(b"\x12\x34\x00\x02\x0a\x00")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(30, 24))), Verdict::No);
    }
}
