//! Photon (Exit Games' realtime transport, used by Toca Boca): a 12-byte header (peer id, CRC flag, command count,
//! time, challenge) then commands whose 12-byte headers carry their length.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    TocaBoca = 155, "TocaBoca", Game;
}

/// TocaBoca's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&photon),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Photon (Exit Games' realtime transport, used by Toca Boca): a 12-byte header (peer id, CRC flag, command count,
/// time, challenge) then commands whose 12-byte headers carry their length.
fn photon(p: &Pkt) -> Verdict {
    let b = p.payload;
    if b.len() < 24 || b[2] > 1 || b[3] == 0 || b[3] > 16 {
        return Verdict::No;
    }
    if !(p.either_port(5055) || p.either_port(5056)) {
        return Verdict::No;
    }
    let cmd_type = b[12];
    let len = b.u32_at(16).map_or(0, |l| l as usize);
    if !(1..=12).contains(&cmd_type) || len < 12 || len > b.len() - 12 {
        return Verdict::No;
    }
    Verdict::Yes(Proto::TocaBoca)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{hex, pkt};

    // First bytes of a flow in nDPI's regression capture toca-boca.pcap.
    #[test]
    fn real_opening() {
        let toca = hex("ffff00010000000422b6e6ba02ff01040000002c00000001000004b000008000000000020000000000000000000013880000000200000002");
        assert_eq!(
            photon(&pkt(&toca, L4::Udp, 40000, 5055)),
            Verdict::Yes(Proto::TocaBoca)
        );
    }

    #[test]
    fn near_miss() {
        assert_eq!(photon(&pkt(&[0xff; 40], L4::Udp, 40000, 5055)), Verdict::No);
    }
}
