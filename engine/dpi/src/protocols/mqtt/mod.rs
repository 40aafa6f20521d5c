//! MQTT: the client's CONNECT — fixed header 0x10, remaining-length varint agreeing with the payload, protocol name
//! "MQTT" (level 4 or 5) or "MQIsdp" (level 3), reserved connect flag clear.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Mqtt = 222, "MQTT", Rpc, tcp [1883, 8883];
}

/// MQTT's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// The remaining length and the bytes it used.
fn varint(p: &[u8]) -> Option<(usize, usize)> {
    let mut v = 0usize;
    for (i, &b) in p.iter().take(4).enumerate() {
        v |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.dir != Dir::ToServer || p.first() != Some(&0x10) {
        return Verdict::No;
    }
    let Some((rem, n)) = varint(&p[1..]) else {
        return Verdict::No;
    };
    let body = &p[1 + n..];
    // The CONNECT may be followed by other packets in the same segment, or cut short.
    if rem < 10 || (body.len() < rem && p.len() < 256) {
        return Verdict::No;
    }
    let ok = match body.get(..2) {
        Some([0, 4]) => body.get(2..6) == Some(b"MQTT") && matches!(body.get(6), Some(4 | 5)),
        Some([0, 6]) => body.get(2..8) == Some(b"MQIsdp") && body.get(8) == Some(&3),
        _ => false,
    };
    let flags = body.get(if body.get(1) == Some(&4) { 7 } else { 9 });
    if ok && flags.is_some_and(|f| f & 1 == 0) {
        Verdict::Yes(Proto::Mqtt)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn connects() {
        // mqtt.pcap: MQIsdp (3.1) connect.
        let v3 = b"\x10@\x00\x06MQIsdp\x03\xc2\x00\x14\x00\x16cbaabcbabacbbbbbaaaaab\x00\x0c02D5050223D3\x00\x0c02D5050223D3";
        assert_eq!(detect(&c0(v3)), Verdict::Yes(Proto::Mqtt));
        let v4 = b"\x10\x10\x00\x04MQTT\x04\x02\x00\x3c\x00\x04abcd";
        assert_eq!(detect(&c0(v4)), Verdict::Yes(Proto::Mqtt));
    }

    #[test]
    fn others() {
        assert_eq!(
            detect(&c0(b"\x10\x10\x00\x04MQTT\x09\x02\x00\x3c\x00\x04abcd")),
            Verdict::No
        );
        assert_eq!(
            detect(&s0(b"\x10\x10\x00\x04MQTT\x04\x02\x00\x3c\x00\x04abcd")),
            Verdict::No
        );
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(44, 11))), Verdict::No);
    }
}
