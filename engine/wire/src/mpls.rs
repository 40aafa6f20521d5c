//! MPLS label stack entries (RFC 3032).

use crate::cursor::ReadAt;
use crate::Field;
use crate::Reject;

mod field {
    use super::Field;
    pub const ENTRY: Field = 0..4;
    pub const PAYLOAD: usize = 4;
}

/// Length of one label stack entry.
pub const ENTRY_LEN: usize = field::PAYLOAD;

/// A read-only view of one label stack entry.
#[derive(Debug, Clone, Copy)]
pub struct Label<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Label<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// # Errors
    /// [`Reject::MplsTruncated`] when the buffer is shorter than an entry.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        if buffer.as_ref().len() < ENTRY_LEN {
            return Err(Reject::MplsTruncated);
        }
        Ok(Self::new_unchecked(buffer))
    }

    #[inline]
    fn entry(&self) -> u32 {
        self.buffer.as_ref().u32_at(field::ENTRY.start).unwrap_or(0)
    }

    /// The 20-bit label value.
    #[inline]
    pub fn label(&self) -> u32 {
        self.entry() >> 12
    }

    /// Traffic class (3 bits).
    #[inline]
    pub fn traffic_class(&self) -> u8 {
        ((self.entry() >> 9) & 0x7) as u8
    }

    #[inline]
    pub fn bottom_of_stack(&self) -> bool {
        self.entry() & 0x100 != 0
    }

    #[inline]
    pub fn ttl(&self) -> u8 {
        (self.entry() & 0xff) as u8
    }
}

impl<'a> Label<&'a [u8]> {
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.buffer.rest_at(field::PAYLOAD)
    }
}

/// Walks the label stack to its bottom entry and returns what follows it.
///
/// Each entry consumes 4 bytes, so the walk ends on any input without a separate bound.
///
/// # Errors
/// [`Reject::MplsTruncated`] when the stack or the packet after it is cut.
pub fn payload_after_stack(mut buffer: &[u8]) -> Result<&[u8], Reject> {
    loop {
        let label = Label::new_checked(buffer)?;
        buffer = label.payload();
        if label.bottom_of_stack() {
            if buffer.is_empty() {
                return Err(Reject::MplsTruncated);
            }
            return Ok(buffer);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, LinkType, Reject};
    use std::net::{IpAddr, Ipv4Addr};

    // ---- PACKETS mpls
    /// Ether / MPLS / MPLS / IP / UDP 192.0.2.1:1234 > 198.51.100.2:5678 / Raw (ethernet)
    pub(crate) static MPLS_TWO_LABELS: [u8; 54] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x88, 0x47, 0x00,
        0x06, 0x40, 0x40, 0x00, 0x0c, 0x81, 0x40, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00,
        0x40, 0x11, 0x8e, 0x95, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x04, 0xd2, 0x16,
        0x2e, 0x00, 0x0c, 0x1e, 0xbb, 0x6d, 0x70, 0x6c, 0x73,
    ];
    /// Ether / MPLS / IPv6 / TCP 2001:db8::1:40001 > 2001:db8::2:https S (ethernet)
    pub(crate) static MPLS_IPV6: [u8; 98] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x88, 0x47, 0x00,
        0x01, 0x01, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0x28, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d,
        0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c, 0x41,
        0x01, 0xbb, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x4f,
        0xb5, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    // ---- END

    #[test]
    fn label_fields() {
        let entry = [0x00, 0x06, 0x41, 0x40]; // label 100, TC 0, bottom of stack, TTL 64
        let label = Label::new_checked(&entry[..]).expect("4 bytes");
        assert_eq!(label.label(), 100);
        assert_eq!(label.traffic_class(), 0);
        assert!(label.bottom_of_stack());
        assert_eq!(label.ttl(), 64);
        assert!(label.payload().is_empty());
        assert_eq!(
            Label::new_checked(&entry[..3]).err(),
            Some(Reject::MplsTruncated)
        );
    }

    #[test]
    fn two_labels_then_ipv4() {
        let d = decode(LinkType::Ethernet, &MPLS_TWO_LABELS).expect("decodes");
        assert_eq!(d.src, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
        assert_eq!((d.proto, d.src_port, d.dst_port), (17, 1234, 5678));
        assert_eq!(d.payload, b"mpls");
    }

    #[test]
    fn single_label_then_ipv6() {
        let d = decode(LinkType::Ethernet, &MPLS_IPV6).expect("decodes");
        assert!(d.src.is_ipv6());
        assert_eq!((d.proto, d.src_port, d.dst_port), (6, 40001, 443));
    }

    #[test]
    fn cut_stack_is_truncated() {
        // Ethernet (14) + first label (4) + half of the second.
        assert_eq!(
            decode(LinkType::Ethernet, &MPLS_TWO_LABELS[..20]),
            Err(Reject::MplsTruncated)
        );
        // Bottom label present but nothing after it.
        assert_eq!(
            decode(LinkType::Ethernet, &MPLS_TWO_LABELS[..22]),
            Err(Reject::MplsTruncated)
        );
        // Never reaching bottom of stack.
        let mut no_bottom = MPLS_TWO_LABELS;
        no_bottom[20] &= !0x01;
        assert_eq!(
            decode(LinkType::Ethernet, &no_bottom[..26]),
            Err(Reject::MplsTruncated)
        );
    }

    #[test]
    fn non_ip_after_stack() {
        let mut pw = MPLS_TWO_LABELS;
        pw[22] = 0x00; // pseudowire control word, not IP
        assert_eq!(decode(LinkType::Ethernet, &pw), Err(Reject::NonIp));
    }
}
