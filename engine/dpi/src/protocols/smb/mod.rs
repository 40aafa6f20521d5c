//! SMB over TCP (MS-SMB, MS-SMB2): a NetBIOS session message header (type 0, 24-bit length covering the packet,
//! RFC 1002 §4.3.6, used bare on port 445 too) around an SMB header — `\xffSMB` (SMBv1) or `\xfeSMB` (SMB 2/3,
//! with its 64-byte structure size). As nDPI, the flow is NetBIOS carrying the SMB version as its application,
//! and an SMBv1 Negotiate is no answer yet: clients that speak SMB2 open with it, and the server's reply decides.
//! SMB in NetBIOS datagrams (UDP 138) is the `netbios` folder's.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    SmbV1 = 16, "SMBv1", System;
    SmbV23 = 41, "SMBv23", System, tcp [445];
}

/// SMB's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&SmbDissector),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Smallest SMBv1 header (MS-SMB §2.2.3.1).
const SMB1_HEADER: usize = 32;
/// SMB2 header's StructureSize (MS-SMB2 §2.2.1).
const SMB2_HEADER: u16 = 64;
/// SMBv1 command Negotiate.
const SMB1_NEGOTIATE: u8 = 0x72;
/// Payload packets a flow that opened with an SMBv1 Negotiate waits for the reply.
const NEGOTIATE_WAIT: u32 = 6;

/// What the packet holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Smb {
    V1 { command: u8 },
    V23,
}

/// An SMB message behind a session message header.
fn message(p: &[u8]) -> Option<Smb> {
    let len = usize::try_from(p.u24_at(1)?).ok()?;
    // The message may continue in later segments; it never ends before the packet does.
    if p.u8_at(0)? != 0 || len + 4 < p.len() {
        return None;
    }
    match p.array_at::<4>(4)? {
        [0xff, b'S', b'M', b'B'] if len >= SMB1_HEADER => Some(Smb::V1 {
            command: p.u8_at(8)?,
        }),
        [0xfe, b'S', b'M', b'B'] if p.u16_le_at(8)? == SMB2_HEADER => Some(Smb::V23),
        _ => None,
    }
}

struct SmbDissector;

impl Dissector for SmbDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let app = match message(pkt.payload) {
            Some(Smb::V23) => Proto::SmbV23,
            Some(Smb::V1 { command }) if command != SMB1_NEGOTIATE => Proto::SmbV1,
            Some(Smb::V1 { .. }) if crate::protocols::util::total_seen(pkt) < NEGOTIATE_WAIT => {
                return Verdict::NeedMore
            }
            _ => return Verdict::No,
        };
        flow.set_app(app);
        Verdict::Yes(Proto::NetBios)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::{Dir, L4};
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, noise, pkt_at};
    use proptest::prelude::*;

    /// SMB2 NEGOTIATE request built from MS-SMB2 §2.2.1/§2.2.3: session header (length 0x66), `\xfeSMB`,
    /// StructureSize 64, credit charge 0, status 0, command 0 (NEGOTIATE), then the 36-byte negotiate body with
    /// one dialect (0x0311) and padding.
    const SMB2_NEGOTIATE: &str = "00000066 fe534d42 4000 0000 00000000 0000 0100 00000000 00000000 \
         0000000000000000 00000000 00000000 0000000000000000 00000000000000000000000000000000 \
         2400 0100 0100 0000 7f000000 00000000000000000000000000000000 0000000000000000 1103";
    /// SMBv1 header (MS-SMB §2.2.3.1), command 0x73 (Session Setup AndX), flags 0x18, flags2 0xc807, word count 0.
    const SMB1_SETUP: &str = "00000023 ff534d42 73 00000000 18 07c8 0000 0000000000000000 0000 fffe 0000 4000 0000 00 0000";

    fn probe(p: &[u8], seen: [u16; 2]) -> (Verdict, Proto) {
        let pkt = pkt_at(p, L4::Tcp, 50000, 445, Dir::ToServer, seen);
        let mut h = Harness::new(&pkt);
        let v = h.probe(&SmbDissector, &pkt);
        (v, h.class.app)
    }

    #[test]
    fn versions() {
        let v2 = hex(SMB2_NEGOTIATE);
        assert_eq!(v2.len(), 0x66 + 4);
        assert_eq!(probe(&v2, [0, 0]), (Verdict::Yes(Proto::NetBios), Proto::SmbV23));
        let v1 = hex(SMB1_SETUP);
        assert_eq!(v1.len(), 0x23 + 4);
        assert_eq!(probe(&v1, [2, 2]), (Verdict::Yes(Proto::NetBios), Proto::SmbV1));
        // A segment of a longer message.
        assert_eq!(probe(&v2[..60], [0, 0]).0, Verdict::Yes(Proto::NetBios));
    }

    #[test]
    fn smb1_negotiate_waits_for_the_reply() {
        let mut neg = hex(SMB1_SETUP);
        neg[8] = SMB1_NEGOTIATE;
        assert_eq!(probe(&neg, [0, 0]).0, Verdict::NeedMore);
        assert_eq!(probe(&neg, [3, 3]).0, Verdict::No);
    }

    #[test]
    fn near_misses() {
        let v2 = hex(SMB2_NEGOTIATE);
        for (at, b) in [(0, 0x85u8), (3, 0x10), (4, 0xfd), (8, 0x41)] {
            let mut m = v2.clone();
            m[at] = b;
            assert_eq!(probe(&m, [0, 0]).0, Verdict::No, "{at}");
        }
        for seed in 1..100 {
            assert_eq!(probe(&noise(90, seed), [0, 0]).0, Verdict::No);
        }
        assert_eq!(probe(crate::protocols::util::test::TLS_HELLO, [0, 0]).0, Verdict::No);
        for n in 0..10 {
            assert_eq!(probe(&v2[..n], [0, 0]).0, Verdict::No, "{n}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = probe(&p, [0, 0]);
        }
    }
}
