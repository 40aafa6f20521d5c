//! 802.11 frames as monitor-mode captures hold them: `LINKTYPE_IEEE802_11` (105), and the frame after a radiotap,
//! Prism, AVS or PPI header. The MAC header itself is read by [`crate::ieee80211`].
//!
//! Only unprotected data frames with an RFC 1042 LLC/SNAP header carry IP we can read; beacons, probes,
//! acknowledgements, null frames and encrypted bodies are well-formed frames without IP ([`Reject::NonIp`]).

use crate::decode::Inner;
use crate::ieee80211::{self, HEADER_LEN, LLC_SNAP_LEN};
use crate::Reject;

/// Length of the frame check sequence some captures keep at the end of each frame.
pub const FCS_LEN: usize = 4;

/// Frame control, first byte: protocol version 0, type 2 (data).
const DATA_V0: u8 = 0x08;
const TYPE_VERSION_MASK: u8 = 0x0f;
/// Frame control, first byte: a data subtype without a body (null, QoS null, CF-Ack/Poll only).
const SUBTYPE_NO_DATA: u8 = 0x40;
/// Frame control, second byte: the body is encrypted.
const PROTECTED: u8 = 0x40;

/// The packet in an 802.11 frame; `fcs` when the frame ends with its 4-byte FCS.
///
/// Unlike [`ieee80211::llc_snap_payload`] for CAPWAP, the frame-control bytes are never read swapped: a capture
/// holds them in their on-air order.
///
/// # Errors
/// [`Reject::Ieee80211Truncated`] for a data frame shorter than its header and LLC/SNAP header, [`Reject::NonIp`]
/// for every frame without a readable IP packet.
pub fn frame(frame: &[u8], fcs: bool) -> Result<Inner<'_>, Reject> {
    let frame = if fcs {
        frame
            .len()
            .checked_sub(FCS_LEN)
            .and_then(|n| frame.get(..n))
            .ok_or(Reject::Ieee80211Truncated)?
    } else {
        frame
    };
    let (fc0, fc1) = match *frame {
        [fc0, fc1, ..] => (fc0, fc1),
        _ => return Err(Reject::Ieee80211Truncated),
    };
    if fc0 & TYPE_VERSION_MASK != DATA_V0 || fc0 & SUBTYPE_NO_DATA != 0 || fc1 & PROTECTED != 0 {
        return Err(Reject::NonIp);
    }
    match ieee80211::llc_snap_payload(frame) {
        Some((et, packet)) => Ok(Inner::EtherType(et, packet)),
        None if frame.len() < HEADER_LEN + LLC_SNAP_LEN => Err(Reject::Ieee80211Truncated),
        // Another LLC, or an A-MSDU.
        None => Err(Reject::NonIp),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, LinkType, Reject};

    // ---- PACKETS wlan
    /// Dot11 / LLC / SNAP / IP / UDP 192.0.2.1:5070 > 198.51.100.2:5071 / Raw (ieee802_11)
    pub(crate) static WLAN_DATA_IPV4_UDP: [u8; 64] = [
        0x08, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44,
        0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00,
        0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x8e, 0x95, 0xc0,
        0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0xce, 0x13, 0xcf, 0x00, 0x0c, 0x13, 0x27,
        0x77, 0x6c, 0x61, 0x6e,
    ];
    /// Dot11 / Dot11QoS / LLC / SNAP / IPv6 / TCP 2001:db8::1:40028 > 2001:db8::2:https S (ieee802_11)
    pub(crate) static WLAN_QOS_IPV6_TCP: [u8; 114] = [
        0x88, 0x02, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00, 0x06, 0x00, 0xaa, 0xaa, 0x03, 0x00,
        0x00, 0x00, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x28, 0x06, 0x40, 0x20, 0x01, 0x0d,
        0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01,
        0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c,
        0x5c, 0x01, 0xbb, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
        0x4f, 0x9a, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    /// 802.11 Management Beacon 00:00:00:00:00:01 (TA=SA) > ff:ff:ff:ff:ff:ff (RA=DA) / Dot11Beacon / SSID='xntop' (ieee802_11)
    pub(crate) static WLAN_BEACON: [u8; 43] = [
        0x80, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x64, 0x00, 0x04, 0x11, 0x00, 0x05, 0x78, 0x6e, 0x74, 0x6f, 0x70,
    ];
    /// 802.11 Data Data 00:11:22:33:44:55 (TA=SA) > 00:00:00:00:00:01 (RA=BSSID) / Raw (ieee802_11)
    pub(crate) static WLAN_PROTECTED: [u8; 56] = [
        0x08, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44,
        0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00, 0x01, 0x00, 0x00, 0x20, 0x00, 0x00,
        0x00, 0x00, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
        0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
    ];
    /// 802.11 Data Null (no data) 00:11:22:33:44:55 (TA=SA) > 00:00:00:00:00:01 (RA=BSSID) (ieee802_11)
    pub(crate) static WLAN_NULL: [u8; 24] = [
        0x48, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44,
        0x55, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    ];
    /// 802.11 Control Ack 00:00:00:00:00:00 (TA) > 00:11:22:33:44:55 (RA) (ieee802_11)
    pub(crate) static WLAN_ACK: [u8; 10] =
        [0xd4, 0x00, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
    // ---- END

    #[test]
    fn data_frames_carry_ip() {
        let d = decode(LinkType::Ieee80211, &WLAN_DATA_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5071, &b"wlan"[..]));
        assert_eq!((d.src_mac, d.dst_mac), (None, None));
        let d = decode(LinkType::Ieee80211, &WLAN_QOS_IPV6_TCP).expect("decodes");
        assert_eq!((d.proto, d.dst_port), (6, 443));
    }

    #[test]
    fn frames_without_ip() {
        for frame in [
            &WLAN_BEACON[..],
            &WLAN_PROTECTED[..],
            &WLAN_NULL[..],
            &WLAN_ACK[..],
        ] {
            assert_eq!(decode(LinkType::Ieee80211, frame), Err(Reject::NonIp));
        }
        // Not read swapped: an ACK with the retry bit looks like a data frame to the CAPWAP reading.
        let mut ack = WLAN_ACK;
        ack[1] = 0x08;
        assert_eq!(decode(LinkType::Ieee80211, &ack), Err(Reject::NonIp));
    }

    #[test]
    fn truncated_and_fcs() {
        assert_eq!(
            decode(LinkType::Ieee80211, &WLAN_DATA_IPV4_UDP[..30]),
            Err(Reject::Ieee80211Truncated)
        );
        assert_eq!(
            decode(LinkType::Ieee80211, &WLAN_DATA_IPV4_UDP[..1]),
            Err(Reject::Ieee80211Truncated)
        );
        // The FCS is cut off before the IP packet is read: the same packet with 4 bytes less.
        let with = frame(&WLAN_DATA_IPV4_UDP, true).expect("decodes");
        let without = frame(&WLAN_DATA_IPV4_UDP, false).expect("decodes");
        match (with, without) {
            (Inner::EtherType(_, a), Inner::EtherType(_, b)) => {
                assert_eq!(a.len() + FCS_LEN, b.len())
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            frame(&[0x08, 0x01, 0], true),
            Err(Reject::Ieee80211Truncated)
        );
    }
}
