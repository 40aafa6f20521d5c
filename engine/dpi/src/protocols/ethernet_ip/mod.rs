//! EtherNet/IP's encapsulation layer (ODVA, CIP Networks Library vol. 2 §2-3): a 24-byte little-endian header —
//! a command the specification defines (NOP, ListServices, ListIdentity, ListInterfaces, RegisterSession,
//! UnRegisterSession, SendRRData, SendUnitData, IndicateStatus, Cancel), a data length equal to the rest of the
//! packet, session handle, status, sender context and options (always 0). On EtherNet/IP's port 44818 that is
//! enough (nDPI reads only the length there); elsewhere only a RegisterSession (protocol version 1, no options)
//! is.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    EthernetIp = 278, "EthernetIP", Network, tcp [44818], udp [44818];
}

/// EthernetIP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const PORT: u16 = 44818;
const HEADER: usize = 24;
const REGISTER_SESSION: u16 = 0x0065;
/// Highest encapsulation status the specification defines (0x69, unsupported protocol revision).
const MAX_STATUS: u32 = 0x69;

fn command(c: u16) -> bool {
    matches!(c, 0x0000 | 0x0004 | 0x0063 | 0x0064 | 0x0065 | 0x0066 | 0x006f | 0x0070 | 0x0072 | 0x0073)
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let fields = (p.u16_le_at(0), p.u16_le_at(2), p.u32_le_at(8), p.u32_le_at(20));
    let (Some(cmd), Some(len), Some(status), Some(0)) = fields else {
        return Verdict::No;
    };
    let header_ok = command(cmd) && usize::from(len) + HEADER == p.len() && status <= MAX_STATUS;
    let register = cmd == REGISTER_SESSION && len == 4 && p.u32_le_at(HEADER) == Some(1);
    if header_ok && (pkt.either_port(PORT) || register) {
        Verdict::Yes(Proto::EthernetIp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use crate::L4;

    /// RegisterSession request: command 0x65, length 4, session 0, status 0, context, options 0, then protocol
    /// version 1 and option flags 0 (vol. 2 §2-4.4).
    const REGISTER: &str = "6500 0400 00000000 00000000 0102030405060708 00000000 0100 0000";
    /// ListIdentity request (0x63), empty, as a scanner broadcasts it over UDP.
    const LIST_IDENTITY: &str = "6300 0000 00000000 00000000 0000000000000000 00000000";

    #[test]
    fn register_session_anywhere_and_list_identity_on_the_port() {
        let r = hex(REGISTER);
        assert_eq!(detect(&pkt(&r, L4::Tcp, 40000, 44818)), Verdict::Yes(Proto::EthernetIp));
        assert_eq!(detect(&pkt(&r, L4::Tcp, 40000, 2222)), Verdict::Yes(Proto::EthernetIp));
        let l = hex(LIST_IDENTITY);
        assert_eq!(detect(&pkt(&l, L4::Udp, 40000, 44818)), Verdict::Yes(Proto::EthernetIp));
        assert_eq!(detect(&pkt(&l, L4::Udp, 40000, 44819)), Verdict::No);
    }

    #[test]
    fn near_misses() {
        let mut opt = hex(LIST_IDENTITY);
        opt[20] = 1;
        assert_eq!(detect(&pkt(&opt, L4::Udp, 1, 44818)), Verdict::No);
        let mut cmd = hex(LIST_IDENTITY);
        cmd[0] = 0x62;
        assert_eq!(detect(&pkt(&cmd, L4::Udp, 1, 44818)), Verdict::No);
        let mut len = hex(REGISTER);
        len[2] = 5;
        assert_eq!(detect(&pkt(&len, L4::Tcp, 1, 44818)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Tcp, 1, 44818)), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, PORT));
        }
    }
}
