//! Mining (crypto-currency pool protocols): Stratum JSON-RPC lines (`mining.subscribe`, `mining.authorize`,
//! `mining.submit`, `mining.notify`, … — Stratum v1 as Bitcoin pools speak it), the Ethereum pool methods
//! (`eth_submitLogin`, `eth_getWork`, `eth_submitWork`, `eth_submitHashrate`, the `"worker"` field of the
//! EthereumStratum dialect) and the CryptoNote/Monero pool protocol (`login` with an `agent`, jobs with a `blob`).
//! A generic JSON-RPC `"method"` is not enough: JSON-RPC carries much else.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
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

/// Method names (quoted, as they appear in a request) that only mining pools use.
const METHODS: &[&[u8]] = &[
    b"\"mining.subscribe\"",
    b"\"mining.authorize\"",
    b"\"mining.submit\"",
    b"\"mining.notify\"",
    b"\"mining.set_difficulty\"",
    b"\"mining.set_target\"",
    b"\"mining.extranonce.subscribe\"",
    b"\"mining.configure\"",
    b"\"mining.hello\"",
    b"\"eth_submitLogin\"",
    b"\"eth_getWork\"",
    b"\"eth_submitWork\"",
    b"\"eth_submitHashrate\"",
];

/// The start of the message is looked at, as far as this.
const SCAN: usize = 1024;

fn detect(pkt: &Pkt) -> Verdict {
    let p = &pkt.payload[..pkt.payload.len().min(SCAN)];
    let Some(open) = p.iter().position(|&b| !b.is_ascii_whitespace()) else {
        return Verdict::No;
    };
    if p[open] != b'{' {
        return Verdict::No;
    }
    let body = &p[open..];
    let pool = METHODS.iter().any(|m| find(body, m).is_some())
        || (find(body, b"\"worker\"").is_some() && find(body, b"\"eth").is_some())
        // CryptoNote pools: {"method":"login","params":{"login":…,"pass":…,"agent":…}} and its job answer.
        || (find(body, b"\"login\"").is_some() && find(body, b"\"agent\"").is_some())
        || (find(body, b"\"job\"").is_some() && find(body, b"\"blob\"").is_some());
    if pool {
        Verdict::Yes(Proto::Mining)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{HTTP_GET, TLS_HELLO};
    use crate::protocols::util::testutil::{noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn stratum_v1() {
        // The first lines of a Stratum v1 session (slushpool's protocol document).
        let sub = b"{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.10.0\"]}\n";
        assert_eq!(detect(&pkt(sub, L4::Tcp, 40000, 3333)), Verdict::Yes(Proto::Mining));
        let auth = b"{\"params\": [\"worker1\", \"x\"], \"id\": 2, \"method\": \"mining.authorize\"}\n";
        assert_eq!(detect(&pkt(auth, L4::Tcp, 40000, 3333)), Verdict::Yes(Proto::Mining));
    }

    #[test]
    fn ethereum_and_cryptonote_pools() {
        let eth = b"{\"worker\": \"eth1.0\", \"jsonrpc\": \"2.0\", \"params\": [\"0x0fcc.rig2\", \"x\"], \"id\": 2, \"method\": \"eth_submitLogin\"}\n";
        assert_eq!(detect(&pkt(eth, L4::Tcp, 40000, 4444)), Verdict::Yes(Proto::Mining));
        let xmr = b"{\"method\":\"login\",\"params\":{\"login\":\"4BCe\",\"pass\":\"x\",\"agent\":\"xmrig/6.21\"},\"id\":1}\n";
        assert_eq!(detect(&pkt(xmr, L4::Tcp, 40000, 3333)), Verdict::Yes(Proto::Mining));
    }

    #[test]
    fn other_json_rpc_is_not_mining() {
        let rpc = b"{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\",\"params\":[],\"id\":1}";
        assert_eq!(detect(&pkt(rpc, L4::Tcp, 40000, 8545)), Verdict::No);
        let lsp = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}";
        assert_eq!(detect(&pkt(lsp, L4::Tcp, 40000, 2087)), Verdict::No);
        for p in [HTTP_GET, TLS_HELLO, b"mining.subscribe".as_slice()] {
            assert_eq!(detect(&pkt(p, L4::Tcp, 1, 2)), Verdict::No);
        }
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(200, seed), L4::Tcp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..2000)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 2));
        }
    }
}
