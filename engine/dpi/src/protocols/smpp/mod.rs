//! SMPP v3.4/5.0 (SMS Forum's Short Message Peer-to-Peer spec §3.2): each PDU starts with command_length (the
//! whole PDU, at least 16 bytes), a known command_id, command_status (zero in a request) and a sequence number
//! from 1 to 0x7FFFFFFF. The packet must start with one whole PDU (more may follow).

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Smpp = 207, "SMPP", Download;
}

/// SMPP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// The PDU header's size.
const HEADER: u32 = 16;
/// Longest PDU believed (a submit_multi with its largest fields stays well under).
const MAX_PDU: u32 = 64 * 1024;
/// Request command ids (§4; responses set the high bit): bind_receiver … data_sm, broadcast_sm and friends.
const REQUESTS: &[u32] = &[
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0b, 0x15, 0x21, 0x102, 0x103, 0x111, 0x112,
    0x113,
];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let (Some(len), Some(id), Some(status), Some(seq)) = (p.u32_at(0), p.u32_at(4), p.u32_at(8), p.u32_at(12))
    else {
        return Verdict::No;
    };
    let fits = (HEADER..=MAX_PDU).contains(&len) && usize::try_from(len).is_ok_and(|l| l <= p.len());
    let request = REQUESTS.contains(&id);
    let response = id == 0x8000_0000 || (id & 0x8000_0000 != 0 && REQUESTS.contains(&(id & 0x7fff_ffff)));
    let ok = fits && (1..=0x7fff_ffff).contains(&seq) && ((request && status == 0) || response);
    if ok {
        Verdict::Yes(Proto::Smpp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, s0, HTTP_GET};
    use proptest::prelude::*;

    /// bind_transceiver (§4.1.5) built from the spec: system_id "smppclient1", password "password", system_type
    /// "", interface_version 0x34, addr_ton 0, addr_npi 0, address_range "".
    fn bind() -> Vec<u8> {
        let mut body = b"smppclient1\0password\0\0\x34\x00\x00\0".to_vec();
        let mut pdu = (u32::try_from(body.len()).unwrap_or(0) + 16).to_be_bytes().to_vec();
        pdu.extend_from_slice(&[0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1]);
        pdu.append(&mut body);
        pdu
    }

    #[test]
    fn pdus() {
        assert_eq!(detect(&c0(&bind())), Verdict::Yes(Proto::Smpp));
        // enquire_link (0x15) and its response with status 0.
        assert_eq!(detect(&c0(b"\0\0\0\x10\0\0\0\x15\0\0\0\0\0\0\0\x02")), Verdict::Yes(Proto::Smpp));
        assert_eq!(detect(&s0(b"\0\0\0\x10\x80\0\0\x15\0\0\0\0\0\0\0\x02")), Verdict::Yes(Proto::Smpp));
    }

    #[test]
    fn near_misses() {
        for (at, b) in [(3, 0x08u8), (7, 0x0a), (11, 1), (15, 0)] {
            let mut m = bind();
            m[at] = b;
            assert_eq!(detect(&c0(&m)), Verdict::No, "{at}");
        }
        assert_eq!(detect(&c0(&bind()[..20])), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(detect(&c0(&noise(40, seed))), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = detect(&c0(&p));
        }
    }
}
