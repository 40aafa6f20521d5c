//! CAPWAP data channel (RFC 5415 section 4.3, RFC 5416): wireless access points tunnel their clients' frames to
//! the controller, as IEEE 802.11 frames or as Ethernet.

use crate::cursor::ReadAt;
use crate::decode::Inner;
use crate::ieee80211;
use crate::Field;

mod field {
    use super::Field;
    pub const PREAMBLE: usize = 0;
    /// HLEN (5 bits), RID (5), WBID (5), T, F, L, W, M, K, flags (3): the rest of the first word.
    pub const WORD_0: Field = 0..4;
    pub const FRAGMENT: Field = 4..8;
}

/// The fixed header; HLEN adds the radio MAC address and wireless-specific information.
pub const MIN_HEADER_LEN: usize = 8;
/// Wireless binding IEEE 802.11.
pub const WBID_IEEE80211: u8 = 1;

mod bits {
    pub const HLEN_SHIFT: u32 = 19;
    pub const RID_SHIFT: u32 = 14;
    pub const WBID_SHIFT: u32 = 9;
    pub const FIVE_BITS: u32 = 0x1f;
    /// T: the payload is in the binding's native format (802.11), not 802.3.
    pub const NATIVE: u32 = 1 << 8;
    pub const FRAGMENT: u32 = 1 << 7;
}

/// A read-only view of a CAPWAP header.
#[derive(Debug, Clone, Copy)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// `None` when the buffer does not hold the header HLEN announces, or HLEN is below the fixed header.
    pub fn new_checked(buffer: T) -> Option<Self> {
        let header = Self::new_unchecked(buffer);
        let len = header.buffer.as_ref().len();
        (len >= MIN_HEADER_LEN && (MIN_HEADER_LEN..=len).contains(&header.header_len()))
            .then_some(header)
    }

    /// Version (high nibble) and type (low nibble); 0 for a plain CAPWAP header, type 1 is DTLS.
    #[inline]
    pub fn preamble(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::PREAMBLE).unwrap_or(0)
    }

    #[inline]
    fn word0(&self) -> u32 {
        self.buffer
            .as_ref()
            .u32_at(field::WORD_0.start)
            .unwrap_or(0)
    }

    /// Header length in bytes (HLEN counts 4-byte words).
    #[inline]
    pub fn header_len(&self) -> usize {
        ((self.word0() >> bits::HLEN_SHIFT) & bits::FIVE_BITS) as usize * 4
    }

    #[inline]
    pub fn radio_id(&self) -> u8 {
        ((self.word0() >> bits::RID_SHIFT) & bits::FIVE_BITS) as u8
    }

    #[inline]
    pub fn wireless_binding(&self) -> u8 {
        ((self.word0() >> bits::WBID_SHIFT) & bits::FIVE_BITS) as u8
    }

    /// T flag: the payload is a native frame of the wireless binding.
    #[inline]
    pub fn native_frame(&self) -> bool {
        self.word0() & bits::NATIVE != 0
    }

    #[inline]
    pub fn fragmented(&self) -> bool {
        self.word0() & bits::FRAGMENT != 0
    }

    #[inline]
    pub fn fragment_id(&self) -> u16 {
        (self
            .buffer
            .as_ref()
            .u32_at(field::FRAGMENT.start)
            .unwrap_or(0)
            >> 16) as u16
    }
}

impl<'a> Header<&'a [u8]> {
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.buffer.rest_at(self.header_len())
    }

    /// The client's frame: an 802.11 data frame reduced to its LLC/SNAP payload, or an Ethernet frame.
    pub fn inner(&self) -> Option<Inner<'a>> {
        // Fragments hold part of a frame only; DTLS-protected payloads cannot be read.
        if self.preamble() != 0 || self.fragmented() {
            return None;
        }
        if !self.native_frame() {
            return Some(Inner::Ethernet(self.payload()));
        }
        if self.wireless_binding() != WBID_IEEE80211 {
            return None;
        }
        let (ethertype, packet) = ieee80211::llc_snap_payload(self.payload())?;
        Some(Inner::EtherType(ethertype, packet))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, tcp_flags, LinkType, Tunnel};
    use std::net::{IpAddr, Ipv4Addr};

    // ---- PACKETS capwap
    /// Ether / IP / UDP / Raw / Dot11 / Dot11QoS / LLC / SNAP / IP / TCP 192.0.2.1:40013 > 198.51.100.2:http S (ethernet)
    pub(crate) static CAPWAP_80211_QOS: [u8; 144] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x82, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x02, 0x66, 0xcb, 0x00, 0x71, 0x01,
        0xcb, 0x00, 0x71, 0x02, 0x2f, 0xbe, 0x14, 0x7f, 0x00, 0x6e, 0xa9, 0x73, 0x00, 0x10, 0x43,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x88, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x05,
        0x00, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0x00, 0x01,
        0x00, 0x00, 0x40, 0x06, 0x8e, 0x84, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c,
        0x4d, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
        0xc0, 0x51, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    /// Ether / IP / UDP / Raw / Dot11 / LLC / SNAP / IPv6 / UDP 2001:db8::1:9008 > 2001:db8::2:9009 / Raw (ethernet)
    pub(crate) static CAPWAP_80211_WDS_RADIO_MAC: [u8; 147] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x85, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x02, 0x63, 0xcb, 0x00, 0x71, 0x01,
        0xcb, 0x00, 0x71, 0x02, 0x14, 0x7f, 0x2f, 0xbf, 0x00, 0x71, 0x24, 0xb0, 0x00, 0x20, 0x43,
        0x10, 0x00, 0x00, 0x00, 0x00, 0x06, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x00, 0x08, 0x03,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xaa, 0xaa,
        0x03, 0x00, 0x00, 0x00, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x11, 0x40, 0x20,
        0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x02, 0x23, 0x30, 0x23, 0x31, 0x00, 0x0b, 0x73, 0x9d, 0x77, 0x64, 0x73,
    ];
    /// Ether / IP / UDP / Raw / Ether / IP / UDP 192.0.2.1:9010 > 198.51.100.2:9011 / Raw (ethernet)
    pub(crate) static CAPWAP_8023: [u8; 96] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x52, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x02, 0x96, 0xcb, 0x00, 0x71, 0x01,
        0xcb, 0x00, 0x71, 0x02, 0x2f, 0xc0, 0x14, 0x7f, 0x00, 0x3e, 0xe1, 0x6f, 0x00, 0x10, 0x42,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x8e,
        0x95, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x23, 0x32, 0x23, 0x33, 0x00, 0x0c,
        0x62, 0xd6, 0x38, 0x30, 0x32, 0x33,
    ];
    // ---- END

    /// Ethernet + IPv4 + UDP.
    const CAPWAP_AT: usize = 42;
    const OUTER_SRC: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1));

    #[test]
    fn header_fields() {
        let h = Header::new_checked(&CAPWAP_80211_WDS_RADIO_MAC[CAPWAP_AT..]).expect("valid");
        assert_eq!(
            (
                h.preamble(),
                h.header_len(),
                h.radio_id(),
                h.wireless_binding()
            ),
            (0, 16, 1, 1)
        );
        assert!(h.native_frame() && !h.fragmented());
        let h = Header::new_checked(&CAPWAP_8023[CAPWAP_AT..]).expect("valid");
        assert_eq!((h.header_len(), h.native_frame()), (8, false));
        assert!(Header::new_checked(&CAPWAP_8023[CAPWAP_AT..CAPWAP_AT + 7]).is_none());
    }

    #[test]
    fn qos_data_frame() {
        let d = decode(LinkType::Ethernet, &CAPWAP_80211_QOS).expect("decodes");
        assert_eq!(d.tunnel, Tunnel::Capwap);
        assert_eq!(d.src, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
        assert_eq!((d.proto, d.src_port, d.dst_port), (6, 40013, 80));
        assert_eq!(d.tcp.map(|t| t.flags), Some(tcp_flags::SYN));
    }

    #[test]
    fn four_address_frame_after_a_radio_mac() {
        let d = decode(LinkType::Ethernet, &CAPWAP_80211_WDS_RADIO_MAC).expect("decodes");
        assert_eq!(
            (d.tunnel, d.proto, d.src_port, d.dst_port),
            (Tunnel::Capwap, 17, 9008, 9009)
        );
        assert!(d.src.is_ipv6());
        assert_eq!(d.payload, b"wds");
    }

    #[test]
    fn ethernet_payload() {
        let d = decode(LinkType::Ethernet, &CAPWAP_8023).expect("decodes");
        assert_eq!(
            (d.tunnel, d.proto, d.src_port, d.dst_port),
            (Tunnel::Capwap, 17, 9010, 9011)
        );
        assert_eq!(d.payload, b"8023");
    }

    #[test]
    fn unreadable_payloads_keep_the_outer_flow() {
        let mut dtls = CAPWAP_80211_QOS;
        dtls[CAPWAP_AT] = 0x01;
        let mut fragment = CAPWAP_80211_QOS;
        fragment[CAPWAP_AT + 3] |= 0x80;
        let mut hlen_past_end = CAPWAP_80211_QOS;
        hlen_past_end[CAPWAP_AT + 1] |= 0xf8;
        for bytes in [dtls, fragment, hlen_past_end] {
            let d = decode(LinkType::Ethernet, &bytes).expect("decodes");
            assert_eq!(
                (d.tunnel, d.src, d.proto, d.dst_port),
                (Tunnel::None, OUTER_SRC, 17, 5247)
            );
        }
    }
}
