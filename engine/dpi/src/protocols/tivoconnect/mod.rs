//! TiVoConnect, TiVo's discovery beacon (TiVo's "TiVo Connect Discovery Protocol" note): `key=value` lines, the
//! first being `tivoconnect=<version>`, sent by UDP broadcast or over TCP to port 2190. As nDPI does, the first
//! key decides (case-insensitively); the beacon's machine name is recorded as the flow's server name.

use crate::dissector::{set_str, Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::starts_ci;

crate::proto::identities! {
    TiVoConnect = 308, "TiVoConnect", Network, tcp [2190], udp [2190];
}

/// TiVoConnect's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&TiVoDissector),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const KEY: &[u8] = b"tivoconnect=";
/// Lines of the beacon read for the machine name.
const MAX_LINES: usize = 32;

/// The `machine=` value of a beacon.
fn machine(p: &[u8]) -> Option<&[u8]> {
    p.split(|&b| b == b'\n')
        .take(MAX_LINES)
        .find_map(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            starts_ci(line, b"machine=").then(|| &line[b"machine=".len()..])
        })
}

struct TiVoDissector;

impl Dissector for TiVoDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        if !starts_ci(pkt.payload, KEY) {
            return Verdict::No;
        }
        if let Some(name) = machine(pkt.payload) {
            set_str(&mut flow.meta().server_name, name);
        }
        Verdict::Yes(Proto::TiVoConnect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{noise, pkt};
    use crate::L4;

    /// A beacon with the keys the discovery note lists.
    const BEACON: &[u8] = b"tivoconnect=1\nswversion=1.0\nmethod=broadcast\nidentity={D936E980-79E4-4C1B-8AB1-7B4D8F0A1B2C}\n\
machine=Living Room\nplatform=pc/WinNT:6.1.7601\nservices=TiVoMediaServer:8080/http\n";

    #[test]
    fn beacon_names_the_machine() {
        let k = pkt(BEACON, L4::Udp, 2190, 2190);
        let mut h = Harness::new(&k);
        assert_eq!(h.probe(&TiVoDissector, &k), Verdict::Yes(Proto::TiVoConnect));
        assert_eq!(h.meta.and_then(|m| m.server_name).as_deref(), Some("Living Room"));
    }

    #[test]
    fn others() {
        for p in [&b"tivoconnect 1\n"[..], b"GET / HTTP/1.1\r\n\r\n", &noise(30, 1)] {
            let k = pkt(p, L4::Tcp, 1, 2190);
            assert_eq!(Harness::new(&k).probe(&TiVoDissector, &k), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let mut q = KEY.to_vec();
            q.extend_from_slice(&p);
            let k = pkt(&q, L4::Udp, 1, 2190);
            proptest::prop_assert_eq!(Harness::new(&k).probe(&TiVoDissector, &k), Verdict::Yes(Proto::TiVoConnect));
        }
    }
}
