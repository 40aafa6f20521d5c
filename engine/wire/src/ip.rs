//! IPv4 and IPv6 headers, IPv6 extension headers and fragments.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::bytes::{be16, be32};
use crate::{Decoded, Fragment, Reject};

/// IPv6 extension headers followed before the chain is called malformed.
pub const MAX_EXTENSION_HEADERS: usize = 8;

mod field {
    pub const V4_MIN_LEN: usize = 20;
    pub const V4_TOTAL_LEN: usize = 2;
    pub const V4_ID: usize = 4;
    pub const V4_FLAGS_FRAG: usize = 6;
    pub const V4_PROTO: usize = 9;
    pub const V4_SRC: usize = 12;
    pub const V4_DST: usize = 16;
    pub const V6_LEN: usize = 40;
    pub const V6_PAYLOAD_LEN: usize = 4;
    pub const V6_NEXT: usize = 6;
    pub const V6_SRC: usize = 8;
    pub const V6_DST: usize = 24;
}

/// What the IP layer leaves for L4.
pub struct L4Input<'a> {
    pub proto: u8,
    pub payload: &'a [u8],
    /// The L4 header is absent (a later fragment).
    pub later_fragment: bool,
    /// The L4 header may be cut by the fragment boundary (a first fragment): a short header is then not malformed.
    pub first_fragment: bool,
}

/// Parses an IPv4 header into `d` and returns its payload, clipped to the total length (so link padding is not
/// payload) and to the captured bytes.
pub fn ipv4<'a>(b: &'a [u8], d: &mut Decoded<'a>) -> Result<L4Input<'a>, Reject> {
    if b.len() < field::V4_MIN_LEN {
        return Err(Reject::Ipv4Truncated);
    }
    if b[0] >> 4 != 4 {
        return Err(Reject::IpBadVersion);
    }
    let ihl = usize::from(b[0] & 0x0f) * 4;
    if ihl < field::V4_MIN_LEN || ihl > b.len() {
        return Err(Reject::Ipv4BadHeaderLength);
    }
    let total = usize::from(be16(b, field::V4_TOTAL_LEN).unwrap_or(0));
    // Segmentation offload writes 0 here in captures taken on the sending host: trust the captured length.
    let end = if total == 0 {
        b.len()
    } else if total < ihl {
        return Err(Reject::Ipv4BadTotalLength);
    } else {
        total.min(b.len())
    };
    let addr = |at: usize| IpAddr::V4(Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3]));
    d.src = addr(field::V4_SRC);
    d.dst = addr(field::V4_DST);
    d.proto = b[field::V4_PROTO];
    let id = u32::from(be16(b, field::V4_ID).unwrap_or(0));
    let ff = be16(b, field::V4_FLAGS_FRAG).unwrap_or(0);
    let (more, offset) = (ff & 0x2000 != 0, ff & 0x1fff);
    d.fragment = match (offset, more) {
        (0, false) => Fragment::None,
        (0, true) => Fragment::First { id },
        _ => Fragment::Later { id },
    };
    Ok(L4Input {
        proto: d.proto,
        payload: b.get(ihl..end).unwrap_or(&[]),
        later_fragment: offset != 0,
        first_fragment: offset == 0 && more,
    })
}

/// Parses an IPv6 header and its extension headers into `d`.
pub fn ipv6<'a>(b: &'a [u8], d: &mut Decoded<'a>) -> Result<L4Input<'a>, Reject> {
    if b.len() < field::V6_LEN {
        return Err(Reject::Ipv6Truncated);
    }
    if b[0] >> 4 != 6 {
        return Err(Reject::IpBadVersion);
    }
    let plen = usize::from(be16(b, field::V6_PAYLOAD_LEN).unwrap_or(0));
    // Payload length 0 means a jumbogram (or offload): use the captured bytes.
    let end = if plen == 0 { b.len() } else { (field::V6_LEN + plen).min(b.len()) };
    let addr = |at: usize| {
        let mut a = [0u8; 16];
        a.copy_from_slice(&b[at..at + 16]);
        IpAddr::V6(Ipv6Addr::from(a))
    };
    d.src = addr(field::V6_SRC);
    d.dst = addr(field::V6_DST);
    let mut next = b[field::V6_NEXT];
    let mut rest = b.get(field::V6_LEN..end).unwrap_or(&[]);
    let mut later_fragment = false;
    let mut first_fragment = false;
    let mut headers = 0;
    loop {
        let len = match next {
            // Hop-by-hop, routing, destination options, mobility, HIP, shim6: length in 8-byte units after 8.
            0 | 43 | 60 | 135 | 139 | 140 => {
                let units = rest.get(1).ok_or(Reject::Ipv6BadExtensionHeader)?;
                (usize::from(*units) + 1) * 8
            }
            // Authentication header: length in 4-byte units after 8.
            51 => {
                let units = rest.get(1).ok_or(Reject::Ipv6BadExtensionHeader)?;
                (usize::from(*units) + 2) * 4
            }
            44 => {
                let off_flags = be16(rest, 2).ok_or(Reject::Ipv6BadExtensionHeader)?;
                let id = be32(rest, 4).ok_or(Reject::Ipv6BadExtensionHeader)?;
                let (offset, more) = (off_flags >> 3, off_flags & 1 != 0);
                later_fragment = offset != 0;
                first_fragment = offset == 0 && more;
                d.fragment = match (offset, more) {
                    (0, false) => Fragment::None,
                    (0, true) => Fragment::First { id },
                    _ => Fragment::Later { id },
                };
                8
            }
            _ => break,
        };
        headers += 1;
        if headers > MAX_EXTENSION_HEADERS || rest.len() < len {
            return Err(Reject::Ipv6BadExtensionHeader);
        }
        next = rest[0];
        rest = &rest[len..];
        if later_fragment {
            break;
        }
    }
    d.proto = next;
    Ok(L4Input {
        proto: next,
        payload: rest,
        later_fragment,
        first_fragment,
    })
}
