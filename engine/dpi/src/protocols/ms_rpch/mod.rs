//! MS-RPCH, RPC over HTTP (Microsoft's [MS-RPCH] spec): the version 2 channels are HTTP requests with the
//! methods `RPC_IN_DATA` and `RPC_OUT_DATA` (§2.1.2.1), which plain HTTP does not know — named HTTP.MS_RPCH; the
//! version 1 transport (ncacn_http, §2.1.1) opens with the server's `ncacn_http/1.0` greeting.

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::{command, first_line};
use crate::proto::Proto;

crate::proto::identities! {
    MsRpch = 127, "MS_RPCH", Rpc;
}

/// MS-RPCH's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&MsRpchDissector),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// The channel-opening methods (§2.1.2.1.1, §2.1.2.1.2).
const METHODS: &[&[u8]] = &[b"RPC_IN_DATA", b"RPC_OUT_DATA"];
/// The version 1 server greeting (§2.1.1.1).
const GREETING: &[u8] = b"ncacn_http/1.0";

struct MsRpchDissector;

impl Dissector for MsRpchDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let p = pkt.payload;
        if p.starts_with(GREETING) {
            return Verdict::Yes(Proto::MsRpch);
        }
        let Some(line) = first_line(p) else {
            return Verdict::No;
        };
        let http = line.ends_with(b" HTTP/1.1") || line.ends_with(b" HTTP/1.0");
        if command(p, METHODS).is_some() && http {
            flow.set_app(Proto::MsRpch);
            return Verdict::Yes(Proto::Http);
        }
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::{Dir, L4};
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{noise, pkt_at};
    use proptest::prelude::*;

    /// An IN channel request as [MS-RPCH] §4.1 shows Outlook Anywhere's (RPC proxy URL, the fixed 1 GiB length).
    const IN_DATA: &[u8] = b"RPC_IN_DATA /rpc/rpcproxy.dll?mail.contoso.com:6001 HTTP/1.1\r\nAccept: application/rpc\r\nUser-Agent: MSRPC\r\nHost: mail.contoso.com\r\nContent-Length: 1073741824\r\nConnection: Keep-Alive\r\nCache-Control: no-cache\r\nPragma: no-cache\r\n\r\n";

    fn probe(p: &[u8], dir: Dir) -> (Verdict, Proto) {
        let pkt = pkt_at(p, L4::Tcp, 50000, 593, dir, [0, 0]);
        let mut h = Harness::new(&pkt);
        let v = h.probe(&MsRpchDissector, &pkt);
        (v, h.class.app)
    }

    #[test]
    fn channels_and_greeting() {
        assert_eq!(probe(IN_DATA, Dir::ToServer), (Verdict::Yes(Proto::Http), Proto::MsRpch));
        let out = b"RPC_OUT_DATA /rpc/rpcproxy.dll?srv:6004 HTTP/1.1\r\nHost: srv\r\n\r\n";
        assert_eq!(probe(out, Dir::ToServer), (Verdict::Yes(Proto::Http), Proto::MsRpch));
        assert_eq!(probe(b"ncacn_http/1.0", Dir::ToClient).0, Verdict::Yes(Proto::MsRpch));
    }

    #[test]
    fn others() {
        assert_eq!(probe(crate::protocols::util::test::HTTP_GET, Dir::ToServer).0, Verdict::No);
        assert_eq!(probe(b"RPC_IN_DATA /x RTSP/1.0\r\n", Dir::ToServer).0, Verdict::No);
        assert_eq!(probe(&IN_DATA[..30], Dir::ToServer).0, Verdict::No);
        for seed in 1..50 {
            assert_eq!(probe(&noise(60, seed), Dir::ToServer).0, Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = probe(&p, Dir::ToServer);
        }
    }
}
