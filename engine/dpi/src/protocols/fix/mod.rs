//! FIX (FIX Trading Community, "FIX Session Protocol" / FIXT 1.1): a message opens with the BeginString field
//! `8=FIX.4.x` or `8=FIXT.1.1`, SOH, then BodyLength `9=<digits>` and SOH, then MsgType `35=`.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::decimal;
use crate::proto::Proto;

crate::proto::identities! {
    Fix = 230, "FIX", Rpc;
}

/// FIX's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// The field separator.
const SOH: u8 = 0x01;
/// Longest BeginString value (`FIXT.1.1`, `FIX.4.4`, `FIX.5.0SP2`).
const MAX_BEGIN: usize = 12;
/// Digits of BodyLength.
const MAX_LENGTH_DIGITS: usize = 7;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let Some(rest) = p.strip_prefix(b"8=FIX") else {
        return Verdict::No;
    };
    let Some(end) = rest.iter().take(MAX_BEGIN).position(|&b| b == SOH) else {
        return Verdict::No;
    };
    let Some(rest) = rest[end + 1..].strip_prefix(b"9=") else {
        return Verdict::No;
    };
    let ok = decimal(rest, MAX_LENGTH_DIGITS)
        .is_some_and(|(_, n)| rest.get(n) == Some(&SOH) && rest[n + 1..].starts_with(b"35="));
    if ok {
        Verdict::Yes(Proto::Fix)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, HTTP_GET};
    use proptest::prelude::*;

    /// A FIX 4.2 Logon (MsgType A) as the FIX 4.2 specification's session examples show it (| is SOH).
    const LOGON: &[u8] = b"8=FIX.4.2\x019=65\x0135=A\x0134=1\x0149=CLIENT\x0152=20240101-12:00:00\x0156=SERVER\x0198=0\x01108=30\x0110=062\x01";

    #[test]
    fn logon() {
        assert_eq!(detect(&c0(LOGON)), Verdict::Yes(Proto::Fix));
        let fixt = b"8=FIXT.1.1\x019=70\x0135=A\x01";
        assert_eq!(detect(&c0(fixt)), Verdict::Yes(Proto::Fix));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&c0(b"8=FIX.4.2\x019=x\x0135=A\x01")), Verdict::No);
        assert_eq!(detect(&c0(b"8=FIX.4.2\x0135=A\x01")), Verdict::No);
        assert_eq!(detect(&c0(b"8=FIX.4.2|9=65|35=A|")), Verdict::No);
        for n in 0..16 {
            assert_eq!(detect(&c0(&LOGON[..n])), Verdict::No, "{n}");
        }
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(40, 1))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(tail in proptest::collection::vec(any::<u8>(), 0..80)) {
            let mut p = b"8=FIX".to_vec();
            p.extend_from_slice(&tail);
            let _ = detect(&c0(&p));
        }
    }
}
