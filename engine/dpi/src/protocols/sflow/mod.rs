//! sFlow datagrams (sFlow v5 spec, sflow.org; v2/v4 share the header): version 2, 4 or 5, agent address type
//! 1 (IPv4) or 2 (IPv6), sub-agent id, sequence number, uptime and a sample count; in v5 each sample is
//! `format (4) | length (4) | data` and the samples tile the datagram.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    SFlow = 129, "sFlow", Network, udp [6343];
}

/// sFlow's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Samples walked at most (a datagram fits far fewer).
const MAX_SAMPLES: u32 = 256;

fn datagram(p: &[u8]) -> bool {
    let Some(version) = p.u32_at(0) else {
        return false;
    };
    let header = match p.u32_at(4) {
        Some(1) => 28,
        Some(2) => 40,
        _ => return false,
    };
    let Some(samples) = p.u32_at(header - 4) else {
        return false;
    };
    if !matches!(version, 2 | 4 | 5) || samples > MAX_SAMPLES {
        return false;
    }
    if version != 5 {
        return samples > 0 && p.len() > header;
    }
    // v5: the samples tile the datagram exactly.
    let mut at = header;
    for _ in 0..samples {
        let Some(len) = p.u32_at(at + 4).and_then(|l| usize::try_from(l).ok()) else {
            return false;
        };
        let Some(next) = at.checked_add(8 + len) else { return false };
        if len % 4 != 0 || next > p.len() {
            return false;
        }
        at = next;
    }
    at == p.len()
}

fn detect(pkt: &Pkt) -> Verdict {
    if datagram(pkt.payload) {
        Verdict::Yes(Proto::SFlow)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    /// An sFlow v5 datagram built from the v5 spec: IPv4 agent 10.0.0.1, sub-agent 0, sequence 7, uptime, one
    /// counters sample (format 2) of 12 bytes.
    const V5: &str = "00000005 00000001 0a000001 00000000 00000007 0001d4c0 00000001 \
         00000002 0000000c 00000001 00000001 00000000";

    #[test]
    fn v5() {
        let d = hex(V5);
        assert_eq!(detect(&pkt(&d, L4::Udp, 40000, 6343)), Verdict::Yes(Proto::SFlow));
    }

    #[test]
    fn near_misses() {
        let d = hex(V5);
        for (at, b) in [(3, 3u8), (7, 3), (27, 2), (35, 0x10)] {
            let mut x = d.clone();
            x[at] = b;
            assert_eq!(detect(&pkt(&x, L4::Udp, 1, 6343)), Verdict::No, "{at}");
        }
        assert_eq!(detect(&pkt(&d[..40], L4::Udp, 1, 6343)), Verdict::No);
        for seed in 1..300 {
            assert_eq!(detect(&pkt(&noise(48, seed), L4::Udp, 1, 6343)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 6343));
        }
    }
}
