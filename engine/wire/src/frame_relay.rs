//! Frame Relay (`LINKTYPE_FRELAY`): a Q.922 address of 2 to 4 bytes, then either the multiprotocol
//! encapsulation of RFC 2427 (control 0x03, an optional pad byte, an NLPID, and a SNAP header when the NLPID is
//! 0x80) or Cisco's encapsulation (an ethertype right after the address).
//!
//! Signalling (LMI and Q.933 on DLCI 0, XID frames) and OSI protocols carry no IP and end as [`Reject::NonIp`].

use crate::bytes::{be16, rest, u8_at};
use crate::decode::Inner;
use crate::ethernet::ethertype;
use crate::{ppp, Reject};

/// The longest Q.922 address (4 bytes, 23-bit DLCI); a longer chain of clear EA bits is not Frame Relay.
pub const MAX_ADDRESS_LEN: usize = 4;
pub const MIN_ADDRESS_LEN: usize = 2;

/// Address-extension bit: set in the last byte of the address.
const EA: u8 = 0x01;
/// In the last byte of a 3- or 4-byte address: the low bits are DL-CORE control, not DLCI.
const DC: u8 = 0x02;

/// Unnumbered information, the control byte of RFC 2427 frames.
pub const CONTROL_UI: u8 = 0x03;
/// Exchange identification (unnumbered, poll/final clear): parameter negotiation, not data.
pub const CONTROL_XID: u8 = 0xaf;

/// Network-layer protocol identifiers (ISO/IEC TR 9577) used by RFC 2427.
pub mod nlpid {
    /// Padding before an NLPID, to align what follows.
    pub const PAD: u8 = 0x00;
    pub const Q933: u8 = 0x08;
    pub const SNAP: u8 = 0x80;
    pub const IPV6: u8 = 0x8e;
    pub const IPV4: u8 = 0xcc;
    /// PPP in Frame Relay (RFC 1973): the PPP protocol field follows.
    pub const PPP: u8 = 0xcf;
}

/// SNAP organisation codes of RFC 2427 section 5.
pub mod oui {
    /// The PID is an ethertype.
    pub const ETHERTYPE: [u8; 3] = [0x00, 0x00, 0x00];
    /// IEEE 802.1 bridged frames; the PID names the medium.
    pub const BRIDGED: [u8; 3] = [0x00, 0x80, 0xc2];
}

/// Bridged 802.3 frame PIDs, with and without their FCS.
pub const PID_ETHERNET_WITH_FCS: u16 = 0x0001;
pub const PID_ETHERNET: u16 = 0x0007;
const SNAP_LEN: usize = 5;

/// A read-only view of a Frame Relay frame.
#[derive(Debug, Clone, Copy)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
    address_len: usize,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Walks the address to its last byte (the one with EA set).
    ///
    /// # Errors
    /// [`Reject::FrameRelayBadHeader`] when the first byte ends the address (Q.922 has at least 2), the address is
    /// longer than [`MAX_ADDRESS_LEN`], or the frame ends inside it.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        let b = buffer.as_ref();
        let address_len = (0..MAX_ADDRESS_LEN)
            .find(|&i| b.get(i).is_none_or(|byte| byte & EA != 0))
            .map_or(0, |i| i + 1);
        if address_len < MIN_ADDRESS_LEN || address_len > b.len() {
            return Err(Reject::FrameRelayBadHeader);
        }
        Ok(Self {
            buffer,
            address_len,
        })
    }

    /// Length of the Q.922 address, 2 to 4 bytes.
    #[inline]
    pub fn address_len(&self) -> usize {
        self.address_len
    }

    /// The data link connection identifier (10, 16 or 23 bits by address length).
    pub fn dlci(&self) -> u32 {
        let b = self.buffer.as_ref();
        let byte = |i| u32::from(u8_at(b, i));
        let mut dlci = ((byte(0) & 0xfc) << 2) | (byte(1) >> 4);
        if self.address_len == 4 {
            dlci = (dlci << 7) | (byte(2) >> 1);
        }
        if self.address_len >= 3 {
            let last = byte(self.address_len - 1);
            if last & u32::from(DC) == 0 {
                dlci = (dlci << 6) | (last >> 2);
            }
        }
        dlci
    }

    /// Forward and backward congestion notification and discard eligibility bits (FECN, BECN, DE).
    #[inline]
    pub fn congestion_bits(&self) -> u8 {
        (u8_at(self.buffer.as_ref(), 1) >> 1) & 0x07
    }
}

impl<'a> Frame<&'a [u8]> {
    /// The bytes after the address.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        rest(self.buffer, self.address_len)
    }

    /// What the frame carries. A control byte other than UI on a DLCI other than 0 is read as Cisco's
    /// encapsulation, as tshark and tcpdump read it.
    ///
    /// # Errors
    /// [`Reject::FrameRelayBadHeader`] for an encapsulation header cut short, [`Reject::NonIp`] for signalling,
    /// XID and protocols other than IP, MPLS and bridged Ethernet.
    pub fn inner(&self) -> Result<Inner<'a>, Reject> {
        let after = self.payload();
        match after.first() {
            None => Err(Reject::FrameRelayBadHeader),
            Some(&CONTROL_UI) => multiprotocol(rest(after, 1)),
            Some(&CONTROL_XID) => Err(Reject::NonIp),
            // DLCI 0 carries only LAPF signalling.
            Some(_) if self.dlci() == 0 => Err(Reject::NonIp),
            Some(_) if after.len() < 2 => Err(Reject::FrameRelayBadHeader),
            Some(_) => Ok(Inner::EtherType(be16(after, 0..2), rest(after, 2))),
        }
    }
}

/// RFC 2427 after the control byte: an optional pad, the NLPID, and for SNAP the OUI and PID.
fn multiprotocol(b: &[u8]) -> Result<Inner<'_>, Reject> {
    let b = b.strip_prefix(&[nlpid::PAD]).unwrap_or(b);
    let (&id, after) = b.split_first().ok_or(Reject::FrameRelayBadHeader)?;
    match id {
        nlpid::IPV4 => Ok(Inner::EtherType(ethertype::IPV4, after)),
        nlpid::IPV6 => Ok(Inner::EtherType(ethertype::IPV6, after)),
        nlpid::PPP => ppp::information(after),
        nlpid::SNAP => {
            let snap = after.get(..SNAP_LEN).ok_or(Reject::FrameRelayBadHeader)?;
            let (org, pid) = (&snap[..3], be16(snap, 3..5));
            let packet = rest(after, SNAP_LEN);
            if org == oui::ETHERTYPE {
                Ok(Inner::EtherType(pid, packet))
            } else if org == oui::BRIDGED && matches!(pid, PID_ETHERNET | PID_ETHERNET_WITH_FCS) {
                Ok(Inner::Ethernet(packet))
            } else {
                Err(Reject::NonIp)
            }
        }
        _ => Err(Reject::NonIp),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, LinkType, Reject};

    // ---- PACKETS frame_relay
    /// Raw / IP / UDP 192.0.2.1:5030 > 198.51.100.2:5031 / Raw (frelay)
    pub(crate) static FR_IPV4_UDP: [u8; 34] = [
        0x18, 0x41, 0x03, 0xcc, 0x45, 0x00, 0x00, 0x1e, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x8e,
        0x97, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0xa6, 0x13, 0xa7, 0x00, 0x0a,
        0x85, 0xe3, 0x66, 0x72,
    ];
    /// Raw / IPv6 / TCP 2001:db8::1:40023 > 2001:db8::2:http S (frelay)
    pub(crate) static FR_SNAP_IPV6_TCP: [u8; 90] = [
        0x30, 0x81, 0x03, 0x00, 0x80, 0x00, 0x00, 0x00, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00,
        0x28, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x02, 0x9c, 0x57, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00,
        0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x51, 0x0a, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04,
        0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    /// Raw / IPv6 / UDP 2001:db8::1:5032 > 2001:db8::2:5033 / Raw (frelay)
    pub(crate) static FR_4BYTE_IPV6_UDP: [u8; 57] = [
        0x24, 0x10, 0xa2, 0x59, 0x03, 0x8e, 0x60, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x11, 0x40, 0x20,
        0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x02, 0x13, 0xa8, 0x13, 0xa9, 0x00, 0x0b, 0xe2, 0x9f, 0x66, 0x72, 0x34,
    ];
    /// Raw / IP / UDP 192.0.2.1:5034 > 198.51.100.2:5035 / Raw (frelay)
    pub(crate) static FR_PPP_IPV4_UDP: [u8; 37] = [
        0x48, 0xc1, 0x03, 0xcf, 0x00, 0x21, 0x45, 0x00, 0x00, 0x1f, 0x00, 0x01, 0x00, 0x00, 0x40,
        0x11, 0x8e, 0x96, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0xaa, 0x13, 0xab,
        0x00, 0x0b, 0x0b, 0xdb, 0x70, 0x70, 0x70,
    ];
    /// Raw / Ether / IP / UDP 192.0.2.1:5036 > 198.51.100.2:5037 / Raw (frelay)
    pub(crate) static FR_BRIDGED_IPV4_UDP: [u8; 59] = [
        0x64, 0x01, 0x03, 0x00, 0x80, 0x00, 0x80, 0xc2, 0x00, 0x07, 0x66, 0x77, 0x88, 0x99, 0xaa,
        0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45, 0x00, 0x00, 0x23, 0x00, 0x01,
        0x00, 0x00, 0x40, 0x11, 0x8e, 0x92, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13,
        0xac, 0x13, 0xad, 0x00, 0x0f, 0x55, 0x03, 0x62, 0x72, 0x69, 0x64, 0x67, 0x65, 0x64,
    ];
    /// Raw / IP / TCP 192.0.2.1:40024 > 198.51.100.2:https S (frelay)
    pub(crate) static FR_CISCO_IPV4_TCP: [u8; 64] = [
        0x7c, 0x41, 0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x8e,
        0x84, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x58, 0x01, 0xbb, 0x00, 0x00,
        0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0xbe, 0xdb, 0x00, 0x00, 0x02,
        0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x03, 0x03, 0x07,
    ];
    /// Raw (frelay)
    pub(crate) static FR_LMI: [u8; 14] = [
        0x00, 0x01, 0x03, 0x08, 0x00, 0x75, 0x95, 0x01, 0x01, 0x00, 0x03, 0x02, 0x01, 0x00,
    ];
    /// Raw / IP / UDP 192.0.2.1:5038 > 198.51.100.2:5039 / Raw (frelay_with_dir)
    pub(crate) static FR_DIR_IPV4_UDP: [u8; 36] = [
        0x00, 0x94, 0x81, 0x03, 0xcc, 0x45, 0x00, 0x00, 0x1f, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11,
        0x8e, 0x96, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0xae, 0x13, 0xaf, 0x00,
        0x0b, 0x15, 0xda, 0x64, 0x69, 0x72,
    ];
    // ---- END

    #[test]
    fn q922_addresses() {
        let f = Frame::new_checked(&FR_IPV4_UDP[..]).expect("2-byte address");
        assert_eq!((f.address_len(), f.dlci()), (2, 100));
        let f = Frame::new_checked(&FR_4BYTE_IPV6_UDP[..]).expect("4-byte address");
        assert_eq!((f.address_len(), f.dlci()), (4, 0x12_3456));
        // One byte with EA set, five without: neither is a Q.922 address.
        assert!(Frame::new_checked(&[0x01u8, 0x03, 0xcc][..]).is_err());
        assert!(Frame::new_checked(&[0u8; 8][..]).is_err());
        assert!(Frame::new_checked(&[0x18u8][..]).is_err());
    }

    #[test]
    fn rfc2427_nlpid_and_snap() {
        let d = decode(LinkType::FrameRelay, &FR_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5031, &b"fr"[..]));
        let d = decode(LinkType::FrameRelay, &FR_SNAP_IPV6_TCP).expect("decodes");
        assert!(d.src.is_ipv6());
        assert_eq!((d.proto, d.dst_port), (6, 80));
        let d = decode(LinkType::FrameRelay, &FR_4BYTE_IPV6_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port), (17, 5033));
        let d = decode(LinkType::FrameRelay, &FR_PPP_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port), (17, 5035));
    }

    #[test]
    fn bridged_ethernet_keeps_its_macs() {
        let d = decode(LinkType::FrameRelay, &FR_BRIDGED_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port), (17, 5037));
        assert_eq!(d.src_mac, Some([0x00, 0x11, 0x22, 0x33, 0x44, 0x55]));
    }

    #[test]
    fn cisco_encapsulation() {
        let d = decode(LinkType::FrameRelay, &FR_CISCO_IPV4_TCP).expect("decodes");
        assert_eq!((d.proto, d.dst_port), (6, 443));
    }

    #[test]
    fn signalling_is_not_ip() {
        assert_eq!(decode(LinkType::FrameRelay, &FR_LMI), Err(Reject::NonIp));
        // Not UI on DLCI 0: LAPF, not Cisco's encapsulation.
        let mut lapf = FR_CISCO_IPV4_TCP;
        lapf[..2].copy_from_slice(&[0x00, 0x01]);
        assert_eq!(decode(LinkType::FrameRelay, &lapf), Err(Reject::NonIp));
    }

    #[test]
    fn with_direction() {
        let d = decode(LinkType::FrameRelayWithDir, &FR_DIR_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port), (17, 5039));
    }

    #[test]
    fn truncated() {
        for cut in [1, 2, 3] {
            assert_eq!(
                decode(LinkType::FrameRelay, &FR_SNAP_IPV6_TCP[..cut]),
                Err(Reject::FrameRelayBadHeader),
                "{cut}"
            );
        }
        assert_eq!(
            decode(LinkType::FrameRelay, &FR_SNAP_IPV6_TCP[..7]),
            Err(Reject::FrameRelayBadHeader)
        );
        assert_eq!(
            decode(LinkType::FrameRelay, &FR_CISCO_IPV4_TCP[..3]),
            Err(Reject::FrameRelayBadHeader)
        );
    }
}
