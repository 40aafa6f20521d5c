//! The facts of a TCP SYN that passive OS fingerprints are made of (p0f 3's signature fields): initial TTL, MSS,
//! window scale, option layout and header quirks, packed into 64 bits so a packet descriptor carries them for the
//! one packet of a flow that needs them, without allocating. The window is in [`crate::TcpInfo::window`].
//!
//! Layout of the packed value (bit 0 = least significant): TTL 0..8, MSS 8..24 (0: no MSS option), window scale
//! 24..28 (15: no option; larger scales are capped at 14 and flagged), option layout 28..52 (eight 3-bit codes,
//! [`Opt`]), padding bytes after an end-of-options 52..56, quirks 56..64 ([`quirk`]). Zero means "not a SYN".

use crate::cursor::ReadAt;

/// TCP option kinds as p0f names them; 3-bit codes in the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Opt {
    /// End of the layout (no more options).
    End = 0,
    Eol = 1,
    Nop = 2,
    Mss = 3,
    Ws = 4,
    Sok = 5,
    Ts = 6,
    /// SACK blocks or any other kind.
    Other = 7,
}

impl Opt {
    fn from_code(c: u8) -> Self {
        match c & 7 {
            1 => Self::Eol,
            2 => Self::Nop,
            3 => Self::Mss,
            4 => Self::Ws,
            5 => Self::Sok,
            6 => Self::Ts,
            7 => Self::Other,
            _ => Self::End,
        }
    }
}

/// Quirk bits (p0f's names in comments).
pub mod quirk {
    /// `df`: IPv4 don't-fragment set.
    pub const DF: u8 = 1;
    /// `id+`: DF set and a non-zero IP id.
    pub const NZ_ID: u8 = 2;
    /// `id-`: DF clear and a zero IP id.
    pub const ZERO_ID: u8 = 4;
    /// `ecn`: ECN bits in the IP header, or ECE/CWR in the SYN.
    pub const ECN: u8 = 8;
    /// `seq-`: zero sequence number.
    pub const ZERO_SEQ: u8 = 16;
    /// `ack+`: non-zero acknowledgement number without ACK.
    pub const NZ_ACK: u8 = 32;
    /// `ts1-`: own timestamp zero.
    pub const ZERO_TS1: u8 = 64;
    /// `ts2+`: peer timestamp non-zero in a SYN; `exws` (scale over 14) and malformed options fold in here too.
    pub const ODD: u8 = 128;
}

/// Options kept in the layout; a longer list is cut (rare in SYNs: at most 8 in real stacks).
pub const MAX_LAYOUT: usize = 8;

/// The IP header facts a signature needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IpFacts {
    pub ttl: u8,
    /// IPv4 DF and id; IPv6 has neither.
    pub df: bool,
    pub id: u16,
    /// ECN bits of the TOS / traffic class.
    pub ecn: bool,
    /// An IPv6 header: DF and id do not apply.
    pub v6: bool,
}

/// A packed SYN signature (see the module documentation); `SynSig::default()` = none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SynSig(pub [u32; 2]);

impl SynSig {
    #[must_use]
    pub fn bits(self) -> u64 {
        u64::from(self.0[0]) | (u64::from(self.0[1]) << 32)
    }

    #[must_use]
    pub fn from_bits(b: u64) -> Self {
        #[allow(clippy::cast_possible_truncation, reason = "halves")]
        let halves = [b as u32, (b >> 32) as u32];
        Self(halves)
    }

    #[must_use]
    pub fn is_none(self) -> bool {
        self.bits() == 0
    }

    fn field(self, at: u32, width: u32) -> u64 {
        (self.bits() >> at) & ((1 << width) - 1)
    }

    #[must_use]
    pub fn ttl(self) -> u8 {
        u8::try_from(self.field(0, 8)).unwrap_or(0)
    }

    /// The MSS option's value, when present.
    #[must_use]
    pub fn mss(self) -> Option<u16> {
        u16::try_from(self.field(8, 16)).ok().filter(|&m| m != 0)
    }

    /// The window scale option's value (capped at 14), when present.
    #[must_use]
    pub fn wscale(self) -> Option<u8> {
        u8::try_from(self.field(24, 4)).ok().filter(|&w| w != 15)
    }

    /// The options in order; an end-of-options is followed by its padding count in [`SynSig::eol_pad`].
    pub fn layout(self) -> impl Iterator<Item = Opt> {
        let l = self.field(28, 24);
        (0..MAX_LAYOUT as u64)
            .map(move |i| Opt::from_code(u8::try_from((l >> (3 * i)) & 7).unwrap_or(0)))
            .take_while(|o| *o != Opt::End)
    }

    #[must_use]
    pub fn eol_pad(self) -> u8 {
        u8::try_from(self.field(52, 4)).unwrap_or(0)
    }

    #[must_use]
    pub fn quirks(self) -> u8 {
        u8::try_from(self.field(56, 8)).unwrap_or(0)
    }
}

/// The signature of a SYN whose TCP header (with options) is `header`, sent in an IP packet with `ip`'s facts.
/// `header` must hold at least the 20-byte fixed header.
#[must_use]
pub fn signature(ip: IpFacts, header: &[u8]) -> SynSig {
    let mut quirks = 0u8;
    if ip.df {
        quirks |= quirk::DF;
        if ip.id != 0 {
            quirks |= quirk::NZ_ID;
        }
    } else if ip.id == 0 && !ip.v6 {
        quirks |= quirk::ZERO_ID;
    }
    let flags = header.u8_at(13).unwrap_or(0);
    if ip.ecn || flags & 0xc0 != 0 {
        quirks |= quirk::ECN;
    }
    if header.u32_at(4).unwrap_or(0) == 0 {
        quirks |= quirk::ZERO_SEQ;
    }
    if flags & 0x10 == 0 && header.u32_at(8).unwrap_or(0) != 0 {
        quirks |= quirk::NZ_ACK;
    }
    let header_len = usize::from(header.u8_at(12).unwrap_or(0) >> 4) * 4;
    let options = header.get(20..header_len.min(header.len())).unwrap_or(&[]);
    let (mut mss, mut wscale, mut layout, mut n, mut pad) = (0u64, 15u64, 0u64, 0usize, 0u64);
    let mut push = |o: Opt, n: &mut usize| {
        if *n < MAX_LAYOUT {
            layout |= (o as u64) << (3 * *n);
            *n += 1;
        }
    };
    let mut i = 0;
    while i < options.len() {
        let kind = options[i];
        match kind {
            0 => {
                push(Opt::Eol, &mut n);
                pad = (options.len() - i - 1).min(15) as u64;

                break;
            }
            1 => {
                push(Opt::Nop, &mut n);
                i += 1;
                continue;
            }
            _ => {}
        }
        let len = usize::from(options.get(i + 1).copied().unwrap_or(0));
        if len < 2 || i + len > options.len() {
            quirks |= quirk::ODD;
            break;
        }
        let body = &options[i + 2..i + len];
        match (kind, len) {
            (2, 4) => {
                push(Opt::Mss, &mut n);
                mss = u64::from(u16::from_be_bytes([body[0], body[1]]));
            }
            (3, 3) => {
                push(Opt::Ws, &mut n);
                if body[0] > 14 {
                    quirks |= quirk::ODD;
                }
                wscale = u64::from(body[0].min(14));
            }
            (4, 2) => push(Opt::Sok, &mut n),
            (8, 10) => {
                push(Opt::Ts, &mut n);
                if body[..4] == [0; 4] {
                    quirks |= quirk::ZERO_TS1;
                }
                if body[4..8] != [0; 4] {
                    quirks |= quirk::ODD;
                }
            }
            _ => push(Opt::Other, &mut n),
        }
        i += len;
    }
    SynSig::from_bits(
        u64::from(ip.ttl)
            | (mss << 8)
            | (wscale << 24)
            | (layout << 28)
            | (pad << 52)
            | (u64::from(quirks) << 56),
    )
}

impl IpFacts {
    /// The facts of an IPv6 header (no DF, no id).
    #[must_use]
    pub fn v6(hop_limit: u8, traffic_class: u8) -> Self {
        Self {
            ttl: hop_limit,
            df: false,
            id: 0,
            ecn: traffic_class & 3 != 0,
            v6: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Linux 6.x's SYN from curl over a veth (tcpdump -x): MSS 1460, SACK permitted, timestamps, NOP, wscale 7.
    const LINUX_SYN: [u8; 40] = [
        0x9c, 0x40, 0x00, 0x50, 0x5b, 0x2e, 0x6c, 0x31, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa,
        0xf0, 0x1f, 0x45, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x8d, 0x7c,
        0x4d, 0x5b, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];

    #[test]
    fn linux_syn() {
        let ip = IpFacts {
            ttl: 64,
            df: true,
            id: 0x4d2a,
            ecn: false,
            v6: false,
        };
        let s = signature(ip, &LINUX_SYN);
        assert_eq!(s.ttl(), 64);
        assert_eq!(s.mss(), Some(1460));
        assert_eq!(s.wscale(), Some(7));
        assert_eq!(
            s.layout().collect::<Vec<_>>(),
            [Opt::Mss, Opt::Sok, Opt::Ts, Opt::Nop, Opt::Ws]
        );
        assert_eq!(s.quirks(), quirk::DF | quirk::NZ_ID);
        assert_eq!(SynSig::from_bits(s.bits()), s);
        assert!(!s.is_none());
        // Over IPv6: no DF/id quirks.
        let s6 = signature(IpFacts::v6(64, 0), &LINUX_SYN);
        assert_eq!(s6.quirks(), 0);
    }

    #[test]
    fn eol_padding_and_odd_options() {
        // mss, nop, ws, nop, nop, ts, sok, eol + 1 byte of padding (macOS).
        let mut h = vec![0u8; 20];
        h[12] = 0xb0;
        h[13] = 0x02;
        h.extend_from_slice(&[
            2, 4, 5, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 4, 2, 0, 0,
        ]);
        let s = signature(IpFacts::default(), &h);
        assert_eq!(
            s.layout().collect::<Vec<_>>(),
            [
                Opt::Mss,
                Opt::Nop,
                Opt::Ws,
                Opt::Nop,
                Opt::Nop,
                Opt::Ts,
                Opt::Sok,
                Opt::Eol
            ]
        );
        assert_eq!(s.eol_pad(), 1);
        assert_eq!(s.wscale(), Some(6));
        // An option running past the header.
        let mut bad = vec![0u8; 20];
        bad[12] = 0x60;
        bad.extend_from_slice(&[2, 9, 0, 0]);
        assert_eq!(
            signature(IpFacts::default(), &bad).quirks() & quirk::ODD,
            quirk::ODD
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Any header bytes give a signature without panicking, and the packed fields read back.
        #[test]
        fn any_header(bytes in proptest::collection::vec(proptest::num::u8::ANY, 20..80), ttl in 1u8..) {
            let s = signature(IpFacts { ttl, df: true, id: 1, ecn: false, v6: false }, &bytes);
            proptest::prop_assert_eq!(s.ttl(), ttl);
            proptest::prop_assert!(s.layout().count() <= MAX_LAYOUT);
        }
    }
}
