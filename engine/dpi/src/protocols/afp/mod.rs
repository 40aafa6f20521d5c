//! AFP over TCP (DSI): a 16-byte header — flags 0 (request) / 1 (reply), command 1..=8 (CloseSession, Command,
//! GetStatus, OpenSession, Tickle, Write, Attention), request id, error code/offset, total data length equal to
//! the rest, reserved 0.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Afp = 97, "AFP", DataTransfer, tcp [548];
}

/// AFP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.len() < 16 || p[0] > 1 || !(1..=8).contains(&p[1]) || p.u32_at(12) != Some(0) {
        return Verdict::No;
    }
    let len_ok = p
        .u32_at(8)
        .is_some_and(|l| usize::try_from(l).is_ok_and(|l| l + 16 == p.len()));
    // Requests carry an AFP command byte (1..=0x4f, or 0xc8..=0xcb) in DSICommand/DSIWrite.
    let cmd_ok = p[0] == 1
        || !matches!(p[1], 2 | 6)
        || p.get(16)
            .is_some_and(|&c| (1..=0x4f).contains(&c) || (0xc8..=0xcb).contains(&c));
    if len_ok && cmd_ok {
        Verdict::Yes(Proto::Afp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn dsi() {
        // afp.pcap: DSICommand (FPGetSrvrParms-like) and its reply.
        let req = b"\x00\x02\x22\xc6\x00\x00\x00\x00\x00\x00\x00\x06\x00\x00\x00\x00\x11\x00\x00\x02\x0e\x1c";
        assert_eq!(detect(&c0(req)), Verdict::Yes(Proto::Afp));
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(b"\x00\x02\x22\xc6\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x00\x11\x00\x00\x02\x0e\x1c")), Verdict::No);
        assert_eq!(detect(&c0(&noise(22, 37))), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
    }
}
