//! Mining: cryptocurrency pool mining over the Stratum JSON-RPC dialects (Stratum v1 as Slush Pool documented it,
//! Ethereum's `eth_*` proxy calls, and the Monero/CryptoNote `login`/`job` dialect that xmrig and xmr-stak speak).
//! nDPI names any TCP JSON with a `"method":`, `"blob":`, `"worker":` or `"eth1.0"` key Mining; that would take every
//! JSON-RPC service, so here the payload must be a JSON object naming a mining method (`mining.*`,
//! `eth_submitLogin`, `eth_getWork`, `eth_submitWork`, `eth_submitHashrate`), a CryptoNote login with its miner
//! `agent`, or a job with a `blob` and a `job_id`.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use crate::protocols::util::find;

crate::proto::identities! {
    Mining = 42, "Mining", CryptoCurrency;
}

/// Mining's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Shortest message considered.
const MIN_LEN: usize = 11;
/// How much of the packet is searched (a login or job fits; longer is a share submission list).
const WINDOW: usize = 2048;
const METHODS: &[&[u8]] = &[
    b"\"mining.",
    b"\"eth_submitLogin\"",
    b"\"eth_getWork\"",
    b"\"eth_submitWork\"",
    b"\"eth_submitHashrate\"",
];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let start = p.iter().position(|b| !b.is_ascii_whitespace());
    if pkt.l4 != L4::Tcp || p.len() < MIN_LEN || start.map(|i| p[i]) != Some(b'{') {
        return Verdict::No;
    }
    let w = &p[..p.len().min(WINDOW)];
    let has = |s: &[u8]| find(w, s).is_some();
    let method = has(b"\"method\"") && METHODS.iter().any(|m| has(m));
    let login = has(b"\"login\"") && has(b"\"agent\"") && has(b"\"pass\"");
    let job = has(b"\"blob\"") && has(b"\"job_id\"");
    if method || login || job {
        Verdict::Yes(Proto::Mining)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::pkt;

    #[test]
    fn stratum_dialects() {
        for m in [
            &b"{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cpuminer/2.5.1\"]}\n"[..],
            b"{\"worker\": \"eth1.0\", \"jsonrpc\": \"2.0\", \"params\": [\"0xabc.rig2\", \"x\"], \"id\": 2, \"method\": \"eth_submitLogin\"}\n",
            b"{\"method\":\"login\",\"params\":{\"login\":\"4ABC\",\"pass\":\"x\",\"agent\":\"xmrig/6.21.0\"},\"id\":1}\n",
            b"{\"id\":1,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"id\":\"1\",\"job\":{\"blob\":\"0606\",\"job_id\":\"7\",\"target\":\"dc460300\"},\"status\":\"OK\"}}\n",
        ] {
            assert_eq!(detect(&pkt(m, L4::Tcp, 40000, 3333)), Verdict::Yes(Proto::Mining), "{}", String::from_utf8_lossy(m));
        }
    }

    #[test]
    fn other_json_rpc_is_not_mining() {
        for m in [
            &b"{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\",\"params\":[],\"id\":1}"[..],
            b"{\"method\":\"login\",\"params\":{\"user\":\"a\"}}",
            b"GET / HTTP/1.1\r\n\r\n",
        ] {
            assert_eq!(detect(&pkt(m, L4::Tcp, 40000, 8545)), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 3333));
        }
    }
}
