//! JSON-RPC 2.0 (jsonrpc.org specification) carried bare over TCP or UDP: a JSON object (or a batch array of
//! them) whose member `"jsonrpc"` is `"2.0"`, with a `method`, `result` or `error` member, near the start.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::find;
use crate::proto::Proto;

crate::proto::identities! {
    JsonRpc = 375, "JSON-RPC", Rpc;
}

/// JSON-RPC's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// Bytes searched for the members (they open a request in practice).
const WINDOW: usize = 512;
/// Members one of which every request, notification or response has.
const MEMBERS: &[&[u8]] = &[b"\"method\"", b"\"result\"", b"\"error\""];

/// After `"jsonrpc"`: optional spaces, a colon, optional spaces, `"2.0"`.
fn version_follows(p: &[u8]) -> bool {
    let trim = |s: &[u8]| -> usize { s.iter().take_while(|b| b.is_ascii_whitespace()).count() };
    let mut at = trim(p);
    if p.get(at) != Some(&b':') {
        return false;
    }
    at += 1;
    at += trim(&p[at..]);
    p[at..].starts_with(b"\"2.0\"")
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = &pkt.payload[..pkt.payload.len().min(WINDOW)];
    let start = p.iter().position(|b| !b.is_ascii_whitespace());
    let opens = match start.map(|s| &p[s..]) {
        Some([b'{', ..]) => true,
        Some([b'[', rest @ ..]) => rest.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'),
        _ => false,
    };
    let versioned = find(p, b"\"jsonrpc\"").is_some_and(|at| version_follows(&p[at + 9..]));
    if opens && versioned && MEMBERS.iter().any(|m| find(p, m).is_some()) {
        Verdict::Yes(Proto::JsonRpc)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, s0, HTTP_GET};
    use proptest::prelude::*;

    #[test]
    fn spec_examples() {
        // From the specification's §7 examples.
        let call = br#"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"#;
        let answer = br#"{"jsonrpc": "2.0", "result": 19, "id": 1}"#;
        let batch = br#"[ {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"} ]"#;
        assert_eq!(detect(&c0(call)), Verdict::Yes(Proto::JsonRpc));
        assert_eq!(detect(&s0(answer)), Verdict::Yes(Proto::JsonRpc));
        assert_eq!(detect(&c0(batch)), Verdict::Yes(Proto::JsonRpc));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&c0(br#"{"jsonrpc": "1.0", "method": "x"}"#)), Verdict::No);
        assert_eq!(detect(&c0(br#"{"jsonrpc": "2.0"}"#)), Verdict::No);
        assert_eq!(detect(&c0(br#"{"method": "x", "params": []}"#)), Verdict::No);
        assert_eq!(detect(&c0(br#"x{"jsonrpc": "2.0", "method": "x"}"#)), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(60, 1))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(tail in proptest::collection::vec(any::<u8>(), 0..80)) {
            let mut p = br#"{"jsonrpc""#.to_vec();
            p.extend_from_slice(&tail);
            let _ = detect(&c0(&p));
        }
    }
}
