//! Zabbix agent/sender protocol: "ZBXD", flags (0x01 standard, +0x02 compressed, +0x04 large), little-endian data
//! length (4 or 8 bytes) and reserved length, then the data (JSON for the sender/active checks).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Zabbix = 248, "Zabbix", System, tcp [10050];
}

/// Zabbix's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.len() < 13 || !p.starts_with(b"ZBXD") || !matches!(p[4], 1 | 3 | 5 | 7) {
        return Verdict::No;
    }
    let (hdr, len) = if p[4] & 4 == 0 {
        (13usize, p.u32_le_at(5).map(|l| l as usize))
    } else {
        // Large packets: 8-byte lengths whose high halves must be zero here.
        (
            21usize,
            p.u32_le_at(5)
                .filter(|_| p.u32_le_at(9) == Some(0))
                .map(|l| l as usize),
        )
    };
    match len {
        Some(l) if hdr + l == p.len() || (hdr + l > p.len() && p.len() >= 512) => {
            Verdict::Yes(Proto::Zabbix)
        }
        _ => Verdict::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn sender() {
        let body = br#"{"request":"active checks","host":"h1"}"#;
        let mut p = b"ZBXD\x01".to_vec();
        p.extend_from_slice(&u32::try_from(body.len()).unwrap_or(0).to_le_bytes());
        p.extend_from_slice(&[0, 0, 0, 0]);
        p.extend_from_slice(body);
        assert_eq!(detect(&c0(&p)), Verdict::Yes(Proto::Zabbix));
    }

    #[test]
    fn others() {
        assert_eq!(
            detect(&c0(b"ZBXD\x01\xff\x00\x00\x00\x00\x00\x00\x00{}")),
            Verdict::No
        );
        assert_eq!(detect(&c0(&noise(30, 30))), Verdict::No);
    }
}
