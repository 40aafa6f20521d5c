//! IEC 60870-5-104 on TCP 2404: APDUs starting 0x68 with a length byte (4..=253) that tile the segment, each with
//! a valid I/S/U control field.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Iec60870 = 245, "IEC60870", IoTScada, tcp [2404];
}

/// IEC60870's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.l4 != L4::Tcp || !pkt.either_port(2404) {
        return Verdict::No;
    }
    let mut p = pkt.payload;
    while !p.is_empty() {
        let (Some(0x68), Some(len), Some(c1)) = (p.u8_at(0), p.u8_at(1), p.u8_at(2)) else {
            return Verdict::No;
        };
        let control_ok = match c1 & 0x03 {
            // U format: exactly one function bit.
            0x03 => len == 4 && matches!(c1, 0x07 | 0x0b | 0x13 | 0x23 | 0x43 | 0x83),
            // S format.
            0x01 => len == 4 && c1 == 0x01,
            // I format carries an ASDU.
            _ => len > 4,
        };
        if !(4..=253).contains(&len) || !control_ok {
            return Verdict::No;
        }
        // The last APDU may continue in the next segment.
        p = p.get(2 + usize::from(len)..).unwrap_or_default();
    }
    Verdict::Yes(Proto::Iec60870)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn s_frame_and_i_frame() {
        let p = hex("6804010042b9");
        assert_eq!(
            detect(&pkt(&p, L4::Tcp, 54768, 2404)),
            Verdict::Yes(Proto::Iec60870)
        );
        let i = hex("68192c7e42b9240103001429cbb202cdcc2c3e0094dc028a230a0b");
        assert_eq!(
            detect(&pkt(&i, L4::Tcp, 54768, 2404)),
            Verdict::Yes(Proto::Iec60870)
        );
    }

    #[test]
    fn negatives() {
        assert_eq!(
            detect(&pkt(&hex("6804010042b9"), L4::Tcp, 1, 2405)),
            Verdict::No
        );
        assert_eq!(
            detect(&pkt(&hex("6804050042b9"), L4::Tcp, 1, 2404)),
            Verdict::No
        );
        assert_eq!(detect(&pkt(&noise(20, 1), L4::Tcp, 1, 2404)), Verdict::No);
    }
}
