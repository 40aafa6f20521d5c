//! Cisco HDLC (`LINKTYPE_C_HDLC`, RFC 1547 section 4.3.1): an address byte, a control byte and an ethertype.
//!
//! Serial links between Cisco routers carry IP this way, and keep themselves alive with SLARP and CDP frames:
//! those are well-formed frames without IP and come back as [`Reject::NonIp`].

use crate::bytes::{be16, rest, u8_at, Field};
use crate::decode::Inner;
use crate::Reject;

mod field {
    use super::Field;
    pub const ADDRESS: usize = 0;
    pub const CONTROL: usize = 1;
    pub const PROTOCOL: Field = 2..4;
    pub const PAYLOAD: usize = 4;
}

pub const HEADER_LEN: usize = field::PAYLOAD;

/// Address of a frame to one station.
pub const ADDRESS_UNICAST: u8 = 0x0f;
/// Address of a broadcast frame (keepalives).
pub const ADDRESS_BROADCAST: u8 = 0x8f;

/// Protocol values seen on Cisco serial links besides the ethertypes of IP, MPLS and VLAN.
pub mod protocol {
    /// Serial Line ARP: address requests and the line keepalive.
    pub const SLARP: u16 = 0x8035;
    /// Cisco Discovery Protocol.
    pub const CDP: u16 = 0x2000;
    /// OSI network layer (CLNS, IS-IS).
    pub const OSI: u16 = 0xfefe;
}

/// True for the two address values Cisco HDLC uses. `LINKTYPE_PPP` and `LINKTYPE_PPP_HDLC` captures may hold Cisco
/// HDLC frames, and neither value can start a PPP frame (0xff is PPP's address; a PPP protocol field never starts
/// with 0x0f or 0x8f, RFC 1661 section 2).
#[inline]
#[must_use]
pub const fn is_address(byte: u8) -> bool {
    byte == ADDRESS_UNICAST || byte == ADDRESS_BROADCAST
}

/// A read-only view of a Cisco HDLC header.
#[derive(Debug, Clone, Copy)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// The address byte is not checked: tshark and libpcap read the protocol whatever the address says.
    ///
    /// # Errors
    /// [`Reject::ChdlcTruncated`] when the buffer is shorter than the header.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Reject::ChdlcTruncated);
        }
        Ok(Self::new_unchecked(buffer))
    }

    #[inline]
    pub fn address(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::ADDRESS)
    }

    #[inline]
    pub fn control(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::CONTROL)
    }

    /// An ethertype, or one of [`protocol`].
    #[inline]
    pub fn protocol(&self) -> u16 {
        be16(self.buffer.as_ref(), field::PROTOCOL)
    }
}

impl<'a> Header<&'a [u8]> {
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        rest(self.buffer, field::PAYLOAD)
    }

    /// What the frame carries, named by its ethertype (SLARP, CDP and OSI are not IP and end there).
    #[inline]
    pub fn inner(&self) -> Inner<'a> {
        Inner::EtherType(self.protocol(), self.payload())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, LinkType, Reject};

    // ---- PACKETS chdlc
    /// CHDLC / IP / TCP 192.0.2.1:40020 > 198.51.100.2:bgp S (c_hdlc)
    pub(crate) static CHDLC_IPV4_TCP: [u8; 64] = [
        0x0f, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x8e,
        0x84, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x54, 0x00, 0xb3, 0x00, 0x00,
        0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0xbf, 0xe7, 0x00, 0x00, 0x02,
        0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x03, 0x03, 0x07,
    ];
    /// CHDLC / IPv6 / UDP 2001:db8::1:5000 > 2001:db8::2:5001 / Raw (c_hdlc)
    pub(crate) static CHDLC_IPV6_UDP: [u8; 58] = [
        0x8f, 0x00, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x11, 0x40, 0x20, 0x01, 0x0d,
        0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01,
        0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x13,
        0x88, 0x13, 0x89, 0x00, 0x0e, 0x52, 0x41, 0x63, 0x68, 0x64, 0x6c, 0x63, 0x36,
    ];
    /// CHDLC / MPLS / IP / UDP 192.0.2.1:5002 > 198.51.100.2:5003 / Raw (c_hdlc)
    pub(crate) static CHDLC_MPLS_UDP: [u8; 40] = [
        0x0f, 0x00, 0x88, 0x47, 0x00, 0x01, 0x01, 0x40, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00,
        0x00, 0x40, 0x11, 0x8e, 0x95, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0x8a,
        0x13, 0x8b, 0x00, 0x0c, 0x12, 0xa6, 0x6d, 0x70, 0x6c, 0x73,
    ];
    /// CHDLC / SLARP (c_hdlc)
    pub(crate) static CHDLC_SLARP: [u8; 18] = [
        0x8f, 0x00, 0x80, 0x35, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
        0x04, 0xff, 0xff,
    ];
    /// CHDLC / CDPv2_HDR (c_hdlc)
    pub(crate) static CHDLC_CDP: [u8; 19] = [
        0x8f, 0x00, 0x20, 0x00, 0x02, 0xb4, 0xaf, 0xb8, 0x00, 0x01, 0x00, 0x0b, 0x72, 0x6f, 0x75,
        0x74, 0x65, 0x72, 0x31,
    ];
    /// Raw / CHDLC / IP / UDP 192.0.2.1:5004 > 198.51.100.2:5005 / Raw (c_hdlc_with_dir)
    pub(crate) static CHDLC_DIR_IPV4_UDP: [u8; 36] = [
        0x01, 0x0f, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x1f, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11,
        0x8e, 0x96, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0x8c, 0x13, 0x8d, 0x00,
        0x0b, 0x16, 0x1e, 0x64, 0x69, 0x72,
    ];
    // ---- END

    #[test]
    fn header_fields() {
        let h = Header::new_checked(&CHDLC_IPV4_TCP[..]).expect("long enough");
        assert_eq!(
            (h.address(), h.control(), h.protocol()),
            (ADDRESS_UNICAST, 0, 0x0800)
        );
        assert_eq!(h.payload().first(), Some(&0x45));
        let slarp = Header::new_checked(&CHDLC_SLARP[..]).expect("long enough");
        assert_eq!(
            (slarp.address(), slarp.protocol()),
            (ADDRESS_BROADCAST, protocol::SLARP)
        );
    }

    #[test]
    fn ipv4_ipv6_and_mpls() {
        let d = decode(LinkType::CiscoHdlc, &CHDLC_IPV4_TCP).expect("decodes");
        assert_eq!((d.proto, d.src_port, d.dst_port), (6, 40020, 179));
        assert_eq!((d.src_mac, d.dst_mac), (None, None));
        let d = decode(LinkType::CiscoHdlc, &CHDLC_IPV6_UDP).expect("decodes");
        assert!(d.src.is_ipv6());
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5001, &b"chdlc6"[..]));
        let d = decode(LinkType::CiscoHdlc, &CHDLC_MPLS_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5003, &b"mpls"[..]));
    }

    #[test]
    fn keepalives_are_not_ip() {
        for frame in [&CHDLC_SLARP[..], &CHDLC_CDP[..]] {
            assert_eq!(decode(LinkType::CiscoHdlc, frame), Err(Reject::NonIp));
        }
    }

    #[test]
    fn with_direction() {
        let d = decode(LinkType::CiscoHdlcWithDir, &CHDLC_DIR_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port), (17, 5005));
        // The same frame without its direction byte is Cisco HDLC.
        let d2 = decode(LinkType::CiscoHdlc, &CHDLC_DIR_IPV4_UDP[1..]).expect("decodes");
        assert_eq!(d.payload, d2.payload);
    }

    #[test]
    fn truncated() {
        assert_eq!(
            decode(LinkType::CiscoHdlc, &CHDLC_IPV4_TCP[..3]),
            Err(Reject::ChdlcTruncated)
        );
        assert_eq!(
            decode(LinkType::CiscoHdlc, &CHDLC_IPV4_TCP[..10]),
            Err(Reject::Ipv4Truncated)
        );
        assert_eq!(
            decode(LinkType::CiscoHdlcWithDir, &[]),
            Err(Reject::CaptureHeaderMalformed)
        );
    }
}
