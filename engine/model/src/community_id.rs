//! The Community ID flow hash, version 1 (Corelight's specification, shared by Zeek, Suricata and Elastic):
//! `"1:" + base64(SHA-1(seed ‖ ordered addresses ‖ proto ‖ 0 ‖ ordered ports))`.
//!
//! The endpoints are ordered so both directions of a flow hash the same: the smaller (address, port) pair goes
//! first. ICMP and ICMPv6 put the message type and code where ports go, with request/reply types mapped onto
//! each other; a message type without a counterpart (errors, one-way messages) is hashed as seen, unordered.

use std::net::IpAddr;

use sha1::{Digest, Sha1};

const ICMP: u8 = 1;
const TCP: u8 = 6;
const UDP: u8 = 17;
const ICMPV6: u8 = 58;
const SCTP: u8 = 132;

/// Request ↔ reply pairs of ICMP (RFC 792, 950, 1256): echo, router, timestamp, information, address mask.
const ICMP4_PAIRS: [(u8, u8); 10] = [
    (8, 0),
    (0, 8),
    (10, 9),
    (9, 10),
    (13, 14),
    (14, 13),
    (15, 16),
    (16, 15),
    (17, 18),
    (18, 17),
];

/// Request ↔ reply pairs of ICMPv6: echo, multicast listener, router, neighbour, node information (who-are-you),
/// home agent address discovery.
const ICMP6_PAIRS: [(u8, u8); 12] = [
    (128, 129),
    (129, 128),
    (130, 131),
    (131, 130),
    (133, 134),
    (134, 133),
    (135, 136),
    (136, 135),
    (139, 140),
    (140, 139),
    (144, 145),
    (145, 144),
];

/// The flow's Community ID with seed 0, e.g. `1:wCb3OG7yAFWelaUydu0D+125CLM=`. For ICMP and ICMPv6,
/// `src_port` is the message type and `dst_port` the code.
#[must_use]
pub fn community_id(proto: u8, src: IpAddr, src_port: u16, dst: IpAddr, dst_port: u16) -> String {
    let digest = hash(0, proto, src, src_port, dst, dst_port);
    let mut out = String::with_capacity(30);
    out.push_str("1:");
    base64_into(&digest, &mut out);
    out
}

/// The 20-byte SHA-1 behind [`community_id`], with a seed.
#[must_use]
pub fn hash(seed: u16, proto: u8, src: IpAddr, sport: u16, dst: IpAddr, dport: u16) -> [u8; 20] {
    let (mut sport, mut dport, mut one_way) = (sport, dport, false);
    if proto == ICMP || proto == ICMPV6 {
        let pairs: &[(u8, u8)] = if proto == ICMP {
            &ICMP4_PAIRS
        } else {
            &ICMP6_PAIRS
        };
        let msg_type = u8::try_from(sport).unwrap_or(u8::MAX);
        match pairs.iter().find(|(t, _)| *t == msg_type) {
            Some(&(_, reply)) => dport = u16::from(reply),
            None => one_way = true,
        }
        sport = u16::from(msg_type);
    }
    let (a, b) = (octets(src), octets(dst));
    let ordered = one_way || (a.as_slice(), sport) < (b.as_slice(), dport);
    let (first, second, p1, p2) = if ordered {
        (a, b, sport, dport)
    } else {
        (b, a, dport, sport)
    };
    let mut h = Sha1::new();
    h.update(seed.to_be_bytes());
    h.update(first.as_slice());
    h.update(second.as_slice());
    h.update([proto, 0]);
    if matches!(proto, ICMP | TCP | UDP | ICMPV6 | SCTP) {
        h.update(p1.to_be_bytes());
        h.update(p2.to_be_bytes());
    }
    h.finalize().into()
}

/// An address's bytes in network order (4 or 16 of them).
struct Octets {
    bytes: [u8; 16],
    len: usize,
}

impl Octets {
    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

fn octets(ip: IpAddr) -> Octets {
    match ip {
        IpAddr::V4(v4) => {
            let mut bytes = [0u8; 16];
            bytes[..4].copy_from_slice(&v4.octets());
            Octets { bytes, len: 4 }
        }
        IpAddr::V6(v6) => Octets {
            bytes: v6.octets(),
            len: 16,
        },
    }
}

/// Standard base64 (RFC 4648 §4) with padding.
fn base64_into(data: &[u8], out: &mut String) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0u8; 4]))
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            let mut s = String::new();
            base64_into(input.as_bytes(), &mut s);
            assert_eq!(s, expected, "{input}");
        }
    }

    /// Protocol, source, destination, source port, destination port, ID (seed 0), ID (seed 1), hex digest.
    type Row = (
        u8,
        &'static str,
        &'static str,
        u16,
        u16,
        &'static str,
        &'static str,
        &'static str,
    );

    /// The specification's README tables (baseline/README.md): default seed, seed 1, and the hex digests.
    #[test]
    fn spec_tables() {
        let v6a = "fe80:0001:0203:0405:0607:0809:0A0B:0C0D";
        let v6b = "fe80:1011:1213:1415:1617:1819:1A1B:1C1D";
        let rows: [Row; 16] = [
            (
                6,
                "1.2.3.4",
                "5.6.7.8",
                1122,
                3344,
                "1:wCb3OG7yAFWelaUydu0D+125CLM=",
                "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=",
                "c026f7386ef200559e95a53276ed03fb5db908b3",
            ),
            (
                6,
                "5.6.7.8",
                "1.2.3.4",
                3344,
                1122,
                "1:wCb3OG7yAFWelaUydu0D+125CLM=",
                "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=",
                "c026f7386ef200559e95a53276ed03fb5db908b3",
            ),
            (
                17,
                "1.2.3.4",
                "5.6.7.8",
                1122,
                3344,
                "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=",
                "1:OShq+iKDAMVouh/4bMxB9Sz4amw=",
                "d0cbbd227431eb3e1988264cffb1d78b658c84e8",
            ),
            (
                17,
                "5.6.7.8",
                "1.2.3.4",
                3344,
                1122,
                "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=",
                "1:OShq+iKDAMVouh/4bMxB9Sz4amw=",
                "d0cbbd227431eb3e1988264cffb1d78b658c84e8",
            ),
            (
                132,
                "1.2.3.4",
                "5.6.7.8",
                1122,
                3344,
                "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=",
                "1:uitchpn5MMGAQKBJh7bIr/bAr7s=",
                "10ab7832cc6ec9a13a98bfa19ab12443d72c0c3f",
            ),
            (
                132,
                "5.6.7.8",
                "1.2.3.4",
                3344,
                1122,
                "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=",
                "1:uitchpn5MMGAQKBJh7bIr/bAr7s=",
                "10ab7832cc6ec9a13a98bfa19ab12443d72c0c3f",
            ),
            (
                1,
                "1.2.3.4",
                "5.6.7.8",
                8,
                0,
                "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=",
                "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=",
                "72ba1d4472f6144b078dbbf752446b7dbb386d9d",
            ),
            (
                1,
                "5.6.7.8",
                "1.2.3.4",
                0,
                0,
                "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=",
                "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=",
                "72ba1d4472f6144b078dbbf752446b7dbb386d9d",
            ),
            (
                1,
                "1.2.3.4",
                "5.6.7.8",
                11,
                0,
                "1:f/YiSyWqczrTgfUCZlBUnvHRcPk=",
                "1:1DD7cWGC/Yg91YGsQeni8du3pIA=",
                "7ff6224b25aa733ad381f5026650549ef1d170f9",
            ),
            (
                58,
                v6a,
                v6b,
                128,
                0,
                "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=",
                "1:IO27GQzPuCtNnwFvjWALMHu5tJE=",
                "d1b7fb872309530b777cc103ef3f0b21f46905ea",
            ),
            (
                58,
                v6b,
                v6a,
                129,
                0,
                "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=",
                "1:IO27GQzPuCtNnwFvjWALMHu5tJE=",
                "d1b7fb872309530b777cc103ef3f0b21f46905ea",
            ),
            (
                58,
                v6a,
                v6b,
                146,
                0,
                "1:fYC8+pz24E+EhANP1EZhpX0Dw10=",
                "1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s=",
                "7d80bcfa9cf6e04f8484034fd44661a57d03c35d",
            ),
            (
                46,
                "1.2.3.4",
                "5.6.7.8",
                0,
                0,
                "1:ikv3kmf89luf73WPz1jOs49S768=",
                "1:/buhqeOmaRCopOZFy9HnoJd5XW8=",
                "8a4bf79267fcf65b9fef758fcf58ceb38f52efaf",
            ),
            (
                46,
                "5.6.7.8",
                "1.2.3.4",
                0,
                0,
                "1:ikv3kmf89luf73WPz1jOs49S768=",
                "1:/buhqeOmaRCopOZFy9HnoJd5XW8=",
                "8a4bf79267fcf65b9fef758fcf58ceb38f52efaf",
            ),
            (
                46,
                v6a,
                v6b,
                0,
                0,
                "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=",
                "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=",
                "c10ff69b0ae75cfe259897077462f978f8d1f9ed",
            ),
            (
                46,
                v6b,
                v6a,
                0,
                0,
                "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=",
                "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=",
                "c10ff69b0ae75cfe259897077462f978f8d1f9ed",
            ),
        ];
        for (proto, s, d, sp, dp, deflt, seed1, hex) in rows {
            let (s, d) = (ip(s), ip(d));
            assert_eq!(community_id(proto, s, sp, d, dp), deflt, "{proto} {s} {d}");
            let mut with_seed = String::from("1:");
            base64_into(&hash(1, proto, s, sp, d, dp), &mut with_seed);
            assert_eq!(with_seed, seed1, "seed 1: {proto} {s} {d}");
            let digest: String = hash(0, proto, s, sp, d, dp)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(digest, hex, "hex: {proto} {s} {d}");
        }
    }

    /// Every flow of the specification's baseline file (baseline/baseline_deflt.json, made by pycommunityid from
    /// the spec's combined.pcap), committed under testdata/.
    #[test]
    fn spec_baseline_file() {
        let text = include_str!("../testdata/community-id/baseline_deflt.json");
        let mut checked = 0;
        for entry in text.split('{').skip(1) {
            let field = |name: &str| -> Option<&str> {
                let at = entry.find(&format!("\"{name}\": "))? + name.len() + 4;
                let rest = &entry[at..];
                let end = rest.find([',', '}'])?;
                Some(rest[..end].trim().trim_matches('"'))
            };
            let (Some(proto), Some(s), Some(d), Some(sp), Some(dp), Some(id)) = (
                field("proto"),
                field("saddr"),
                field("daddr"),
                field("sport"),
                field("dport"),
                field("communityid"),
            ) else {
                panic!("unreadable baseline entry {entry}");
            };
            let proto: u8 = proto.parse().unwrap_or(0);
            let port = |p: &str| p.parse::<u16>().unwrap_or(0);
            assert_eq!(
                community_id(proto, ip(s), port(sp), ip(d), port(dp)),
                id,
                "{entry}"
            );
            checked += 1;
        }
        assert_eq!(checked, 23);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Both directions of a port-based flow hash the same.
        #[test]
        fn symmetric(a: [u8; 4], b: [u8; 4], pa: u16, pb: u16, proto in proptest::sample::select(vec![6u8, 17, 132])) {
            let (a, b) = (IpAddr::from(a), IpAddr::from(b));
            proptest::prop_assert_eq!(community_id(proto, a, pa, b, pb), community_id(proto, b, pb, a, pa));
        }
    }
}
