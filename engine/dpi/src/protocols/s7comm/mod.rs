//! Siemens S7 over ISO-on-TCP (RFC 1006 TPKT, ISO 8073 COTP) on port 102: a TPKT header whose length is the
//! segment's, a COTP data TPDU, then the S7 protocol id — 0x32 for S7comm (with a message type 1-3 or 7 and a zero
//! reserved word) or 0x72 for S7comm-plus (whose trailer repeats 0x72 four bytes before the end). TPKT packets
//! before that (the COTP connection request and confirm) ask for more. The same rules as nDPI's.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    S7Comm = 249, "S7Comm", IoTScada, tcp [102];
    S7CommPlus = 361, "S7CommPlus", IoTScada;
}

/// S7Comm's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// ISO-TSAP's port.
const PORT: u16 = 102;
/// The TPKT header: version 3, reserved, length.
const TPKT: usize = 4;
/// COTP data TPDU code (high nibble of the PDU type).
const COTP_DT: u8 = 0xf0;
const S7_ID: u8 = 0x32;
const S7_PLUS_ID: u8 = 0x72;
/// Where S7comm-plus's trailer repeats its id, from the end.
const PLUS_TRAILER: usize = 4;
/// Shortest S7 packet nDPI accepts: TPKT, COTP DT and a 10-byte S7 header, and more.
const MIN_LEN: usize = 18;

/// Whether `p` is one TPKT packet: version 3, reserved 0, length equal to the segment.
pub(crate) fn tpkt(p: &[u8]) -> bool {
    p.u8_at(0) == Some(3) && p.u8_at(1) == Some(0) && p.u16_at(2).map(usize::from) == Some(p.len())
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Tcp || !pkt.either_port(PORT) || !tpkt(p) {
        return Verdict::No;
    }
    // COTP: length indicator, PDU type; a DT TPDU's header is three bytes (LI = 2).
    let (Some(li), Some(pdu)) = (p.u8_at(4), p.u8_at(5)) else {
        return Verdict::No;
    };
    if pdu & 0xf0 != COTP_DT || p.len() < MIN_LEN {
        return Verdict::NeedMore; // connection request/confirm, or a short DT: the S7 header comes later
    }
    let at = TPKT + 1 + usize::from(li);
    match p.u8_at(at) {
        Some(S7_PLUS_ID) if p.u8_at(p.len() - PLUS_TRAILER) == Some(S7_PLUS_ID) => {
            Verdict::Yes(Proto::S7CommPlus)
        }
        Some(S7_ID)
            if p.u8_at(at + 1).is_some_and(|t| t <= 3 || t == 7) && p.u16_at(at + 2) == Some(0) =>
        {
            Verdict::Yes(Proto::S7Comm)
        }
        _ => Verdict::NeedMore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    /// COTP connection request to TSAP 01.02 (as snap7's client sends it).
    const CR: &str = "0300001611e00000000100c0010ac1020100c2020102";
    /// S7comm setup-communication job (function 0xf0), snap7's Cli_Connect.
    const SETUP: &str = "0300001902f08032010000000000080000f0000001000101e0";
    /// An S7comm-plus CreateObject start (protocol version 1) with its 0x72 trailer, built from the
    /// header/trailer layout of the plc4x s7comm-plus description.
    const PLUS: &str = "0300001c02f080 7201 000c 31 0000 04ca 0000 0001 0000 0000 72010000";

    #[test]
    fn s7comm_after_the_connection_request() {
        assert_eq!(detect(&pkt(&hex(CR), L4::Tcp, 40000, 102)), Verdict::NeedMore);
        assert_eq!(detect(&pkt(&hex(SETUP), L4::Tcp, 40000, 102)), Verdict::Yes(Proto::S7Comm));
        assert_eq!(detect(&pkt(&hex(PLUS), L4::Tcp, 53162, 102)), Verdict::Yes(Proto::S7CommPlus));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&pkt(&hex(SETUP), L4::Tcp, 40000, 103)), Verdict::No);
        let mut long = hex(SETUP);
        long.push(0);
        assert_eq!(detect(&pkt(&long, L4::Tcp, 40000, 102)), Verdict::No);
        let mut kind = hex(SETUP);
        kind[8] = 4;
        assert_eq!(detect(&pkt(&kind, L4::Tcp, 40000, 102)), Verdict::NeedMore);
        assert_eq!(detect(&pkt(&noise(25, 3), L4::Tcp, 40000, 102)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, PORT));
        }
    }
}
