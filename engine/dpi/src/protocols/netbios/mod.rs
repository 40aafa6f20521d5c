//! NetBIOS over TCP/IP (RFC 1002): name service (UDP 137), datagram service (UDP 138), session service (TCP 139).

use crate::dissector::{Dissector, Flow, Order, Protocol, Transport};
use crate::protocols::util::is_nb_encoded;
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    NetBios = 10, "NetBIOS", System, tcp [139], udp [137, 138];
}

/// NetBIOS's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&NetBiosDissector),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

struct NetBiosDissector;

impl Dissector for NetBiosDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let v = detect(pkt);
        // SMB carried in NetBIOS datagrams or sessions names the application.
        if v == Verdict::Yes(Proto::NetBios) && pkt.payload.windows(4).any(|w| w == b"\xffSMB") {
            flow.set_app(Proto::SmbV1);
        }
        v
    }
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = match pkt.l4 {
        L4::Udp if pkt.either_port(137) => name_service(p),
        L4::Udp if pkt.either_port(138) => datagram(p),
        L4::Udp => false,
        L4::Tcp => session(p),
    };
    if ok {
        Verdict::Yes(Proto::NetBios)
    } else {
        Verdict::No
    }
}

/// A name in the packet at `at`: length byte 32 then the encoded name (a scope may follow).
fn encoded_name_at(p: &[u8], at: usize) -> bool {
    p.u8_at(at) == Some(0x20) && p.get(at + 1..at + 33).is_some_and(is_nb_encoded)
}

/// Name service: 12-byte DNS-like header, then one name.
fn name_service(p: &[u8]) -> bool {
    let (Some(flags), Some(qd), Some(an), Some(ns), Some(ar)) = (
        p.u16_at(2),
        p.u16_at(4),
        p.u16_at(6),
        p.u16_at(8),
        p.u16_at(10),
    ) else {
        return false;
    };
    let opcode = (flags >> 11) & 0x0f;
    matches!(opcode, 0 | 5 | 6 | 7 | 8 | 9)
        && qd <= 1
        && an <= 1
        && ns <= 1
        && ar <= 1
        && qd + an >= 1
        && encoded_name_at(p, 12)
}

/// Datagram service: message types 0x10..=0x16.
fn datagram(p: &[u8]) -> bool {
    match p.u8_at(0) {
        // Direct unique/group, broadcast: 14-byte header with the datagram length, then the source name.
        Some(0x10..=0x12) => {
            p.u16_at(10)
                .is_some_and(|len| usize::from(len) + 14 == p.len())
                && encoded_name_at(p, 14)
        }
        // Error: 10-byte header and an error code.
        Some(0x13) => p.len() == 11 && matches!(p.u8_at(10), Some(0x82..=0x84)),
        // Query request / positive / negative response: 10-byte header, then the destination name.
        Some(0x14..=0x16) => encoded_name_at(p, 10),
        _ => false,
    }
}

/// Session service: 4-byte header (type, flags, length).
fn session(p: &[u8]) -> bool {
    let (Some(kind), Some(len)) = (p.u8_at(0), p.u24_at(1)) else {
        return false;
    };
    let len_ok = usize::try_from(len).is_ok_and(|l| l + 4 == p.len());
    match kind {
        // Session request: called and calling names, each 0x20 + 32 encoded + scope terminator.
        0x81 => len_ok && encoded_name_at(p, 4) && encoded_name_at(p, 38),
        // Session message carrying SMBv1.
        0x00 => len >= 4 && p.get(4..8) == Some(b"\xffSMB"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    const NBNS_QUERY: &str = "20a80000000100000000000020434b4141414141414141414141414141414141414141414141414141414141410000210001";

    #[test]
    fn name_query() {
        let p = hex(NBNS_QUERY);
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 137, 137)),
            Verdict::Yes(Proto::NetBios)
        );
        // The same bytes on the DNS port are DNS's business.
        assert_eq!(detect(&pkt(&p, L4::Udp, 41335, 53)), Verdict::No);
    }

    #[test]
    fn session_request() {
        let p = hex(
            "8100004420454a4543454a45474549464244424442464846444441444344444341434143410020464345504644454745494642\
             444144484648464444414441444543414341414100",
        );
        assert_eq!(
            detect(&pkt(&p, L4::Tcp, 55489, 139)),
            Verdict::Yes(Proto::NetBios)
        );
    }

    #[test]
    fn datagram_header() {
        let mut p = hex("110a2e43c0a80543008a0022000020464445424545454b454a434e454d454a45474546454345504541414141414141414100");
        p.resize(14 + 0x22, 0);
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 138, 138)),
            Verdict::Yes(Proto::NetBios)
        );
    }

    #[test]
    fn negatives() {
        for seed in 1..200 {
            let n = noise(60, seed);
            assert_eq!(detect(&pkt(&n, L4::Udp, 137, 137)), Verdict::No);
            assert_eq!(detect(&pkt(&n, L4::Tcp, 5000, 139)), Verdict::No);
        }
        let ssdp = b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n";
        assert_eq!(detect(&pkt(ssdp, L4::Udp, 138, 138)), Verdict::No);
    }
}
