//! BITCOIN (the Bitcoin P2P protocol, developer reference "Message Headers"): a 24-byte header — network magic
//! (main f9beb4d9, testnet3 0b110907, testnet4 1c163f28, signet 0a03cf40, regtest fabfb5da; Namecoin f9beb4fe),
//! a 12-byte ASCII command padded with NULs, a little-endian payload size within the protocol's 32 MiB limit and a
//! checksum. Peers open with `version`; any well-formed header is Bitcoin on any port.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Bitcoin = 343, "BITCOIN", CryptoCurrency, tcp [8333];
}

/// BITCOIN's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Network magics as they appear on the wire.
const MAGICS: [u32; 6] = [
    0xf9be_b4d9,
    0x0b11_0907,
    0x1c16_3f28,
    0x0a03_cf40,
    0xfabf_b5da,
    0xf9be_b4fe,
];
/// Bytes of a message header.
const HEADER: usize = 24;
/// Bytes of the command field.
const COMMAND: usize = 12;
/// Largest payload a node accepts (MAX_SIZE).
const MAX_PAYLOAD: u32 = 32 << 20;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    match p.u32_at(0) {
        Some(m) if MAGICS.contains(&m) => {}
        Some(_) => return Verdict::No,
        // The magic continues in the next segment.
        None if MAGICS.iter().any(|m| m.to_be_bytes().starts_with(p)) => return Verdict::NeedMore,
        None => return Verdict::No,
    }
    let Some(size) = p.u32_le_at(16) else {
        // The header continues in the next segment.
        return if p.len() < HEADER && command_prefix_ok(p.rest_at(4)) {
            Verdict::NeedMore
        } else {
            Verdict::No
        };
    };
    if command_ok(&p[4..4 + COMMAND]) && size <= MAX_PAYLOAD {
        Verdict::Yes(Proto::Bitcoin)
    } else {
        Verdict::No
    }
}

/// Lower-case letters then NUL padding, at least one letter.
fn command_ok(c: &[u8]) -> bool {
    let letters = c.iter().take_while(|b| b.is_ascii_lowercase()).count();
    letters > 0 && c[letters..].iter().all(|&b| b == 0)
}

fn command_prefix_ok(c: &[u8]) -> bool {
    let c = &c[..c.len().min(COMMAND)];
    let letters = c.iter().take_while(|b| b.is_ascii_lowercase()).count();
    c[letters..].iter().all(|&b| b == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{HTTP_GET, TLS_HELLO};
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    /// The header of a mainnet `version` message with a 102-byte payload (developer reference example).
    const VERSION: &str = "f9beb4d9 76657273696f6e0000000000 66000000 3c5f5e3c";

    #[test]
    fn version_header() {
        let v = hex(VERSION);
        assert_eq!(detect(&pkt(&v, L4::Tcp, 40000, 8333)), Verdict::Yes(Proto::Bitcoin));
        assert_eq!(detect(&pkt(&v, L4::Tcp, 40000, 18333)), Verdict::Yes(Proto::Bitcoin));
        let verack = hex("0b110907 76657261636b000000000000 00000000 5df6e0e2");
        assert_eq!(detect(&pkt(&verack, L4::Tcp, 40000, 18333)), Verdict::Yes(Proto::Bitcoin));
    }

    #[test]
    fn prefixes_wait_or_refuse() {
        let v = hex(VERSION);
        for n in 1..HEADER - 4 {
            assert_eq!(detect(&pkt(&v[..n], L4::Tcp, 40000, 8333)), Verdict::NeedMore, "{n}");
        }
    }

    #[test]
    fn near_misses() {
        let mut v = hex(VERSION);
        v[4] = b'V';
        assert_eq!(detect(&pkt(&v, L4::Tcp, 1, 8333)), Verdict::No, "upper case command");
        let mut v = hex(VERSION);
        v[15] = b'x';
        assert_eq!(detect(&pkt(&v, L4::Tcp, 1, 8333)), Verdict::No, "junk after padding");
        let mut v = hex(VERSION);
        v[19] = 0x10;
        assert_eq!(detect(&pkt(&v, L4::Tcp, 1, 8333)), Verdict::No, "oversized");
        for p in [HTTP_GET, TLS_HELLO] {
            assert_eq!(detect(&pkt(p, L4::Tcp, 1, 8333)), Verdict::No);
        }
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Tcp, 1, 8333)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..100)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 2));
        }
    }
}
