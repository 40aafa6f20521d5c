//! Linux "cooked" capture headers: SLL (16 bytes) and SLL2 (20 bytes).

use crate::cursor::ReadAt;
use crate::Field;
use crate::Reject;

/// `ARPHRD_ETHER`: the link-layer address is a MAC address.
pub const HARDWARE_ETHERNET: u16 = 1;

mod field {
    use super::Field;
    // SLL
    pub const PACKET_TYPE: Field = 0..2;
    pub const HARDWARE_TYPE: Field = 2..4;
    pub const ADDRESS_LEN: Field = 4..6;
    pub const ADDRESS: Field = 6..14;
    pub const PROTOCOL: Field = 14..16;
    pub const PAYLOAD: usize = 16;
    // SLL2
    pub const V2_PROTOCOL: Field = 0..2;
    pub const V2_INTERFACE: Field = 4..8;
    pub const V2_HARDWARE_TYPE: Field = 8..10;
    pub const V2_PACKET_TYPE: usize = 10;
    pub const V2_ADDRESS_LEN: usize = 11;
    pub const V2_ADDRESS: Field = 12..20;
    pub const V2_PAYLOAD: usize = 20;
}

pub const HEADER_LEN: usize = field::PAYLOAD;
pub const V2_HEADER_LEN: usize = field::V2_PAYLOAD;

/// The sender's MAC address, when the header holds one.
fn mac(hardware_type: u16, address_len: usize, address: [u8; 8]) -> Option<[u8; 6]> {
    match address {
        [a, b, c, d, e, f, _, _] if hardware_type == HARDWARE_ETHERNET && address_len == 6 => {
            Some([a, b, c, d, e, f])
        }
        _ => None,
    }
}

/// A read-only view of an SLL header.
#[derive(Debug, Clone, Copy)]
pub struct Sll<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Sll<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// # Errors
    /// [`Reject::SllTruncated`] when the buffer is shorter than the header.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Reject::SllTruncated);
        }
        Ok(Self::new_unchecked(buffer))
    }

    /// 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us.
    #[inline]
    pub fn packet_type(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::PACKET_TYPE.start)
            .unwrap_or(0)
    }

    /// An `ARPHRD_*` value.
    #[inline]
    pub fn hardware_type(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::HARDWARE_TYPE.start)
            .unwrap_or(0)
    }

    /// The sender's MAC address for Ethernet devices.
    pub fn src_mac(&self) -> Option<[u8; 6]> {
        let b = self.buffer.as_ref();
        let len = usize::from(b.u16_at(field::ADDRESS_LEN.start).unwrap_or(0));
        mac(
            self.hardware_type(),
            len,
            b.array_at(field::ADDRESS.start).unwrap_or_default(),
        )
    }

    /// An ethertype for the link types xntop sees (Ethernet, tunnels, PPP).
    #[inline]
    pub fn protocol(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::PROTOCOL.start)
            .unwrap_or(0)
    }
}

impl<'a> Sll<&'a [u8]> {
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.buffer.rest_at(field::PAYLOAD)
    }
}

/// A read-only view of an SLL2 header.
#[derive(Debug, Clone, Copy)]
pub struct Sll2<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Sll2<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// # Errors
    /// [`Reject::SllTruncated`] when the buffer is shorter than the header.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        if buffer.as_ref().len() < V2_HEADER_LEN {
            return Err(Reject::SllTruncated);
        }
        Ok(Self::new_unchecked(buffer))
    }

    #[inline]
    pub fn protocol(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::V2_PROTOCOL.start)
            .unwrap_or(0)
    }

    #[inline]
    pub fn interface_index(&self) -> u32 {
        self.buffer
            .as_ref()
            .u32_at(field::V2_INTERFACE.start)
            .unwrap_or(0)
    }

    #[inline]
    pub fn hardware_type(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::V2_HARDWARE_TYPE.start)
            .unwrap_or(0)
    }

    #[inline]
    pub fn packet_type(&self) -> u8 {
        self.buffer
            .as_ref()
            .u8_at(field::V2_PACKET_TYPE)
            .unwrap_or(0)
    }

    pub fn src_mac(&self) -> Option<[u8; 6]> {
        let b = self.buffer.as_ref();
        let len = usize::from(b.u8_at(field::V2_ADDRESS_LEN).unwrap_or(0));
        mac(
            self.hardware_type(),
            len,
            b.array_at(field::V2_ADDRESS.start).unwrap_or_default(),
        )
    }
}

impl<'a> Sll2<&'a [u8]> {
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.buffer.rest_at(field::V2_PAYLOAD)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, LinkType, Reject};

    // ---- PACKETS sll
    /// CookedLinux / IP / UDP 192.0.2.1:3333 > 198.51.100.2:4444 / Raw (linux_sll)
    pub(crate) static SLL_IPV4_UDP: [u8; 47] = [
        0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x00, 0x08,
        0x00, 0x45, 0x00, 0x00, 0x1f, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x8e, 0x96, 0xc0, 0x00,
        0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x0d, 0x05, 0x11, 0x5c, 0x00, 0x0b, 0x15, 0xd3, 0x73,
        0x6c, 0x6c,
    ];
    /// CookedLinux / Dot1Q / IP / TCP 192.0.2.1:40003 > 198.51.100.2:ssh S (linux_sll)
    pub(crate) static SLL_VLAN_TCP: [u8; 80] = [
        0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x00, 0x81,
        0x00, 0x00, 0x07, 0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06,
        0x8e, 0x84, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x43, 0x00, 0x16, 0x00,
        0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0xc0, 0x95, 0x00, 0x00,
        0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    /// CookedLinuxV2 / IPv6 / TCP 2001:db8::1:40004 > 2001:db8::2:https S (linux_sll2)
    pub(crate) static SLL2_IPV6_TCP: [u8; 100] = [
        0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x06, 0x00, 0x11, 0x22,
        0x33, 0x44, 0x55, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0x28, 0x06, 0x40, 0x20, 0x01,
        0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20,
        0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x9c, 0x44, 0x01, 0xbb, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa,
        0xf0, 0x4f, 0xb2, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    // ---- END

    const MAC: [u8; 6] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];

    #[test]
    fn sll_header_fields() {
        let h = Sll::new_checked(&SLL_IPV4_UDP[..]).expect("long enough");
        assert_eq!(
            (h.packet_type(), h.hardware_type(), h.protocol()),
            (0, HARDWARE_ETHERNET, 0x0800)
        );
        assert_eq!(h.src_mac(), Some(MAC));
        assert_eq!(
            Sll::new_checked(&SLL_IPV4_UDP[..15]).err(),
            Some(Reject::SllTruncated)
        );
    }

    #[test]
    fn sll2_header_fields() {
        let h = Sll2::new_checked(&SLL2_IPV6_TCP[..]).expect("long enough");
        assert_eq!(
            (h.protocol(), h.interface_index(), h.packet_type()),
            (0x86dd, 2, 0)
        );
        assert_eq!(h.src_mac(), Some(MAC));
        assert_eq!(
            Sll2::new_checked(&SLL2_IPV6_TCP[..19]).err(),
            Some(Reject::SllTruncated)
        );
    }

    #[test]
    fn sll_ipv4_udp() {
        let d = decode(LinkType::LinuxSll, &SLL_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.src_port, d.dst_port), (17, 3333, 4444));
        assert_eq!((d.src_mac, d.dst_mac), (Some(MAC), None));
        assert_eq!(d.payload, b"sll");
    }

    #[test]
    fn sll_vlan_is_followed() {
        let d = decode(LinkType::LinuxSll, &SLL_VLAN_TCP).expect("decodes");
        assert_eq!((d.vlan, d.proto, d.dst_port), (7, 6, 22));
    }

    #[test]
    fn sll2_ipv6_tcp() {
        let d = decode(LinkType::LinuxSll2, &SLL2_IPV6_TCP).expect("decodes");
        assert!(d.src.is_ipv6());
        assert_eq!((d.proto, d.src_port, d.dst_port), (6, 40004, 443));
    }

    #[test]
    fn truncated_and_non_ip() {
        assert_eq!(
            decode(LinkType::LinuxSll, &SLL_IPV4_UDP[..10]),
            Err(Reject::SllTruncated)
        );
        assert_eq!(
            decode(LinkType::LinuxSll2, &SLL2_IPV6_TCP[..1]),
            Err(Reject::SllTruncated)
        );
        let mut arp = SLL_IPV4_UDP;
        arp[14..16].copy_from_slice(&[0x08, 0x06]);
        assert_eq!(decode(LinkType::LinuxSll, &arp), Err(Reject::NonIp));
    }
}
