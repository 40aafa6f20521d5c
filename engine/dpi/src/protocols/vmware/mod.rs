//! VMware: the ESXi/Workstation authentication daemon (vmware-authd, TCP 902) greets with
//! `220 VMware Authentication Daemon Version …`, before its FTP-like USER/PASS exchange; the remote console's UDP
//! heartbeat to port 902 is 66 bytes starting with 0xa4 (nDPI's rule).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    VMware = 28, "VMware", RemoteAccess, tcp [903], udp [902, 903];
}

/// VMware's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const BANNER: &[u8] = b"220 VMware Authentication Daemon";
const HEARTBEAT_PORT: u16 = 902;
const HEARTBEAT_LEN: usize = 66;
const HEARTBEAT_START: u8 = 0xa4;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let yes = match pkt.l4 {
        L4::Tcp => pkt.dir == Dir::ToClient && p.starts_with(BANNER),
        L4::Udp => {
            pkt.dst_port() == HEARTBEAT_PORT && p.len() == HEARTBEAT_LEN && p[0] == HEARTBEAT_START
        }
    };
    if yes {
        Verdict::Yes(Proto::VMware)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::s0;
    use crate::protocols::util::testutil::{noise, pkt};

    #[test]
    fn authd_banner_and_heartbeat() {
        // vmware-authd's banner as ESXi 6.x sends it.
        let banner = b"220 VMware Authentication Daemon Version 1.10: SSL Required, ServerDaemonProtocol:SOAP, \
MKSDisplayProtocol:VNC , VMXARGS supported, NFCSSL supported/t\r\n";
        assert_eq!(detect(&s0(banner)), Verdict::Yes(Proto::VMware));
        let mut hb = vec![HEARTBEAT_START];
        hb.extend(noise(65, 2));
        assert_eq!(detect(&pkt(&hb, L4::Udp, 40000, 902)), Verdict::Yes(Proto::VMware));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&s0(b"220 (vsFTPd 3.0.3)\r\n")), Verdict::No);
        let mut hb = vec![HEARTBEAT_START];
        hb.extend(noise(64, 2));
        assert_eq!(detect(&pkt(&hb, L4::Udp, 40000, 902)), Verdict::No);
        hb.push(0);
        assert_eq!(detect(&pkt(&hb, L4::Udp, 40000, 903)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, HEARTBEAT_PORT));
        }
    }
}
