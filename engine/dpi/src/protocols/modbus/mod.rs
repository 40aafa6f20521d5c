//! Modbus/TCP on port 502 (Modbus Messaging on TCP/IP Implementation Guide v1.0b): MBAP header with protocol id 0,
//! a length (unit id + PDU, 2-254) equal to the rest, and a public function code (or its exception). Function 90
//! (0x5a) is Schneider Electric's UMAS, named as the application ("Modbus.UMAS", as nDPI reports it).

use crate::dissector::{Dissector, Flow, Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Modbus = 44, "Modbus", IoTScada, tcp [502];
    Umas = 364, "UMAS", IoTScada;
}

/// Modbus's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&ModbusDissector),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// UMAS's function code.
const UMAS_FUNCTION: u8 = 0x5a;

struct ModbusDissector;

impl Dissector for ModbusDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let v = detect(pkt);
        if v == Verdict::Yes(Proto::Modbus) && pkt.payload.u8_at(7) == Some(UMAS_FUNCTION) {
            flow.set_app(Proto::Umas);
        }
        v
    }
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Tcp || !pkt.either_port(502) {
        return Verdict::No;
    }
    let (Some(proto), Some(len), Some(func)) = (p.u16_at(2), p.u16_at(4), p.u8_at(7)) else {
        return Verdict::No;
    };
    let func_ok = matches!(func & 0x7f, 1..=8 | 11 | 12 | 15..=17 | 20..=24 | 43 | 90);
    if proto == 0 && (2..=254).contains(&len) && usize::from(len) + 6 == p.len() && func_ok {
        Verdict::Yes(Proto::Modbus)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn read_holding_registers_and_umas() {
        let p = hex("00d100000006010300010001");
        assert_eq!(
            detect(&pkt(&p, L4::Tcp, 2074, 502)),
            Verdict::Yes(Proto::Modbus)
        );
        let u = hex("000000000004005a0002");
        assert_eq!(
            detect(&pkt(&u, L4::Tcp, 7718, 502)),
            Verdict::Yes(Proto::Modbus)
        );
    }

    #[test]
    fn umas_is_the_application() {
        let u = hex("000000000004005a0002");
        let k = pkt(&u, L4::Tcp, 7718, 502);
        let mut h = crate::protocols::util::harness::Harness::new(&k);
        assert_eq!(h.probe(&ModbusDissector, &k), Verdict::Yes(Proto::Modbus));
        assert_eq!(h.class.app, Proto::Umas);
        let r = hex("00d100000006010300010001");
        let k = pkt(&r, L4::Tcp, 2074, 502);
        let mut h = crate::protocols::util::harness::Harness::new(&k);
        assert_eq!(h.probe(&ModbusDissector, &k), Verdict::Yes(Proto::Modbus));
        assert_ne!(h.class.app, Proto::Umas);
    }

    #[test]
    fn negatives() {
        let p = hex("00d100000006010300010001");
        assert_eq!(detect(&pkt(&p, L4::Tcp, 2074, 503)), Verdict::No);
        assert_eq!(detect(&pkt(&p[..11], L4::Tcp, 2074, 502)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(12, 1), L4::Tcp, 1, 502)), Verdict::No);
    }
}
