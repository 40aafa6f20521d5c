//! NFS and the ONC RPC services it needs (RFC 5531 RPC, RFC 1813/7530 NFS, RFC 1833 portmap, mountd): a CALL
//! message — RPC version 2 to program 100003 (NFS), 100005 (mountd) or 100000 (portmap), program version 1–4, a
//! known credential flavor whose length fits the message — over UDP, or over TCP behind its record mark (last
//! fragment bit, a fragment length covering the packet). nDPI names the three programs NFS; so do we. A flow
//! seen first from a reply waits for the next call.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    Nfs = 11, "NFS", DataTransfer, tcp [2049], udp [2049];
}

/// NFS's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// RPC programs named NFS: portmap, NFS, mountd.
const PROGRAMS: [u32; 3] = [100_000, 100_003, 100_005];
/// Highest program version of any of them (NFSv4, portmap v4).
const MAX_VERSION: u32 = 4;
/// Credential flavors (RFC 5531 §8.2: AUTH_NONE, AUTH_SYS, AUTH_SHORT, AUTH_DH; RFC 2203 RPCSEC_GSS).
const FLAVORS: [u32; 5] = [0, 1, 2, 3, 6];
/// Longest opaque credential body (RFC 5531 §8.2).
const MAX_CRED: u32 = 400;
/// Bytes of a call before the credential: xid, type, rpcvers, prog, vers, proc, flavor, length.
const CALL_HEAD: usize = 32;
/// Longest TCP record fragment believed (NFS READ/WRITE of 1 MiB plus headers, with room).
const MAX_FRAGMENT: u32 = 4 << 20;
/// Payload packets a flow seen from its replies waits for a call.
const WAIT_PACKETS: u32 = 8;

/// What one RPC message says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rpc {
    /// A call to one of [`PROGRAMS`].
    Call,
    /// A well-formed reply (or a call to another program): may be followed by a call.
    Other,
}

/// Reads an RPC message at the start of `m` (the record mark already removed).
fn message(m: &[u8]) -> Option<Rpc> {
    match m.u32_at(4)? {
        0 => {
            let (rpcvers, prog, vers) = (m.u32_at(8)?, m.u32_at(12)?, m.u32_at(16)?);
            let (flavor, len) = (m.u32_at(24)?, m.u32_at(28)?);
            if rpcvers != 2 || !FLAVORS.contains(&flavor) || len > MAX_CRED {
                return None;
            }
            // The verifier's flavor and length follow the credential, 4-byte aligned.
            let verf = CALL_HEAD + usize::try_from(len.div_ceil(4) * 4).ok()?;
            if !FLAVORS.contains(&m.u32_at(verf)?) || m.u32_at(verf + 4)? > MAX_CRED {
                return None;
            }
            if PROGRAMS.contains(&prog) && (1..=MAX_VERSION).contains(&vers) {
                Some(Rpc::Call)
            } else {
                Some(Rpc::Other)
            }
        }
        // Reply: MSG_ACCEPTED or MSG_DENIED.
        1 => (m.u32_at(8)? <= 1).then_some(Rpc::Other),
        _ => None,
    }
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let body = match pkt.l4 {
        L4::Udp => p,
        L4::Tcp => {
            let Some(mark) = p.u32_at(0) else {
                return Verdict::No;
            };
            let len = mark & 0x7fff_ffff;
            // Last-fragment bit set; the fragment covers the packet (it may continue in later segments).
            let covers = usize::try_from(len).is_ok_and(|l| l + 4 >= p.len());
            if mark & 0x8000_0000 == 0 || len > MAX_FRAGMENT || !covers {
                return Verdict::No;
            }
            p.rest_at(4)
        }
    };
    match message(body) {
        Some(Rpc::Call) => Verdict::Yes(Proto::Nfs),
        Some(Rpc::Other) if crate::protocols::util::total_seen(pkt) < WAIT_PACKETS => {
            Verdict::NeedMore
        }
        _ => Verdict::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use proptest::prelude::*;

    /// NFSv3 GETATTR call built from RFC 1813/5531 field by field: xid, CALL, rpcvers 2, program 100003 v3,
    /// procedure 1, AUTH_UNIX credential (stamp, machine "nfs1", uid 0, gid 0, no groups), AUTH_NONE verifier,
    /// then a 32-byte file handle.
    const GETATTR: &str = "1f2e3d4c 00000000 00000002 000186a3 00000003 00000001 \
         00000001 00000018 5f000001 00000004 6e667331 00000000 00000000 00000000 \
         00000000 00000000 \
         00000020 0101010101010101010101010101010101010101010101010101010101010101";
    /// Portmap GETPORT for mountd v3/TCP (RFC 1833), AUTH_NONE credential and verifier.
    const GETPORT: &str = "00000abc 00000000 00000002 000186a0 00000002 00000003 \
         00000000 00000000 00000000 00000000 000186a5 00000003 00000006 00000000";
    /// A successful reply header (xid, REPLY, MSG_ACCEPTED, AUTH_NONE verifier, SUCCESS).
    const REPLY: &str = "1f2e3d4c 00000001 00000000 00000000 00000000 00000000 00000000";

    fn record(body: &[u8]) -> Vec<u8> {
        let mark = 0x8000_0000u32 | u32::try_from(body.len()).unwrap_or(0);
        let mut v = mark.to_be_bytes().to_vec();
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn calls_over_tcp_and_udp() {
        let call = hex(GETATTR);
        assert_eq!(detect(&pkt(&call, L4::Udp, 800, 2049)), Verdict::Yes(Proto::Nfs));
        assert_eq!(
            detect(&pkt(&record(&call), L4::Tcp, 800, 2049)),
            Verdict::Yes(Proto::Nfs)
        );
        let getport = hex(GETPORT);
        assert_eq!(detect(&pkt(&getport, L4::Udp, 900, 111)), Verdict::Yes(Proto::Nfs));
        // A WRITE bigger than the segment: the fragment length covers more than the packet.
        let mut big = record(&call);
        big[1] = 0x01;
        assert_eq!(detect(&pkt(&big, L4::Tcp, 800, 2049)), Verdict::Yes(Proto::Nfs));
    }

    #[test]
    fn a_reply_waits_for_a_call() {
        let reply = hex(REPLY);
        assert_eq!(detect(&pkt(&reply, L4::Udp, 2049, 800)), Verdict::NeedMore);
        assert_eq!(detect(&pkt(&record(&reply), L4::Tcp, 2049, 800)), Verdict::NeedMore);
    }

    #[test]
    fn near_misses() {
        let call = hex(GETATTR);
        // Other programs (NIS 100004), RPC version 3, version 5, bad flavor, no record mark over TCP.
        for (at, v) in [(15, 0xa4u8), (11, 3), (19, 5), (27, 9)] {
            let mut m = call.clone();
            m[at] = v;
            assert_ne!(detect(&pkt(&m, L4::Udp, 800, 2049)), Verdict::Yes(Proto::Nfs), "{at}");
        }
        assert_eq!(detect(&pkt(&call, L4::Tcp, 800, 2049)), Verdict::No);
        // Record mark shorter than the packet.
        let mut short = record(&call);
        short[3] = 8;
        assert_eq!(detect(&pkt(&short, L4::Tcp, 800, 2049)), Verdict::No);
        for seed in 1..200 {
            let n = noise(80, seed);
            assert_ne!(detect(&pkt(&n, L4::Udp, 800, 2049)), Verdict::Yes(Proto::Nfs));
            assert_ne!(detect(&pkt(&n, L4::Tcp, 800, 2049)), Verdict::Yes(Proto::Nfs));
        }
        assert_eq!(detect(&pkt(crate::protocols::util::test::HTTP_GET, L4::Tcp, 1, 2049)), Verdict::No);
    }

    #[test]
    fn prefixes_never_misread() {
        let call = hex(GETATTR);
        for n in 0..40 {
            assert_ne!(detect(&pkt(&call[..n], L4::Udp, 800, 2049)), Verdict::Yes(Proto::Nfs), "{n}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..200), udp in any::<bool>()) {
            let l4 = if udp { L4::Udp } else { L4::Tcp };
            let _ = detect(&pkt(&p, l4, 800, 2049));
        }
    }
}
