//! Just enough packet parsing for pcapgen: link-type conversion to Ethernet,
//! finding the IP header behind up to two VLAN tags, rewriting addresses with
//! a per-copy bijection (fixing checksums incrementally), and flow keys.

use crate::pcap::{
    LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2,
    LINKTYPE_LOOP, LINKTYPE_NULL, LINKTYPE_RAW, LINKTYPE_RAW_OLD12, LINKTYPE_RAW_OLD14,
};

pub const ETH_IPV4: u16 = 0x0800;
pub const ETH_IPV6: u16 = 0x86dd;
const ETH_VLAN: [u16; 3] = [0x8100, 0x88a8, 0x9100];
/// Locally administered MACs used for the synthetic Ethernet header.
pub const MAC_A: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
pub const MAC_B: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];

fn be16(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(off)?, *b.get(off + 1)?]))
}

fn eth_header(ethertype: u16) -> [u8; 14] {
    let mut h = [0u8; 14];
    h[0..6].copy_from_slice(&MAC_B);
    h[6..12].copy_from_slice(&MAC_A);
    h[12..14].copy_from_slice(&ethertype.to_be_bytes());
    h
}

fn ethertype_for_ip(first: Option<&u8>) -> Option<u16> {
    match first.map(|b| b >> 4) {
        Some(4) => Some(ETH_IPV4),
        Some(6) => Some(ETH_IPV6),
        _ => None,
    }
}

/// Convert one packet of `linktype` to an Ethernet frame.
/// Returns the new frame and original length, or None when the link type is
/// not supported (or the payload is not IP where that matters).
pub fn to_ethernet(linktype: u32, data: &[u8], orig_len: u32) -> Option<(Vec<u8>, u32)> {
    let wrap = |ethertype: u16, strip: usize| -> Option<(Vec<u8>, u32)> {
        let payload = data.get(strip..)?;
        let mut v = Vec::with_capacity(14 + payload.len());
        v.extend_from_slice(&eth_header(ethertype));
        v.extend_from_slice(payload);
        let orig = (i64::from(orig_len) - strip as i64 + 14).max(v.len() as i64);
        Some((v, u32::try_from(orig).ok()?))
    };
    match linktype {
        LINKTYPE_ETHERNET => Some((data.to_vec(), orig_len)),
        LINKTYPE_RAW | LINKTYPE_RAW_OLD12 | LINKTYPE_RAW_OLD14 => {
            wrap(ethertype_for_ip(data.first())?, 0)
        }
        LINKTYPE_IPV4 => wrap(ETH_IPV4, 0),
        LINKTYPE_IPV6 => wrap(ETH_IPV6, 0),
        LINKTYPE_NULL | LINKTYPE_LOOP => {
            // 4-byte address family: host order for NULL, network order for LOOP.
            let fam = data.get(0..4)?;
            let v = if linktype == LINKTYPE_LOOP || fam[0] == 0 {
                u32::from_be_bytes([fam[0], fam[1], fam[2], fam[3]])
            } else {
                u32::from_le_bytes([fam[0], fam[1], fam[2], fam[3]])
            };
            let et = match v {
                2 => ETH_IPV4,
                10 | 24 | 28 | 30 => ETH_IPV6,
                _ => ethertype_for_ip(data.get(4))?,
            };
            wrap(et, 4)
        }
        LINKTYPE_LINUX_SLL => {
            let proto = be16(data, 14)?;
            (proto >= 0x0600).then_some(())?;
            wrap(proto, 16)
        }
        LINKTYPE_LINUX_SLL2 => {
            let proto = be16(data, 0)?;
            (proto >= 0x0600).then_some(())?;
            wrap(proto, 20)
        }
        _ => None,
    }
}

/// Offset and version (4 or 6) of the IP header in an Ethernet frame,
/// skipping up to two VLAN tags.
pub fn find_ip(frame: &[u8]) -> Option<(usize, u8)> {
    let mut et = be16(frame, 12)?;
    let mut off = 14;
    for _ in 0..2 {
        if ETH_VLAN.contains(&et) {
            et = be16(frame, off + 2)?;
            off += 4;
        }
    }
    match et {
        ETH_IPV4 if frame.len() >= off + 20 && frame[off] >> 4 == 4 => Some((off, 4)),
        ETH_IPV6 if frame.len() >= off + 40 && frame[off] >> 4 == 6 => Some((off, 6)),
        _ => None,
    }
}

/// Transport info: protocol, offset of the L4 header (None for non-first fragments).
fn l4_of(frame: &[u8], ip: usize, ver: u8) -> (u8, Option<usize>) {
    if ver == 4 {
        let ihl = usize::from(frame[ip] & 0x0f) * 4;
        let proto = frame[ip + 9];
        let frag_off = be16(frame, ip + 6).unwrap_or(0) & 0x1fff;
        (proto, (frag_off == 0 && ihl >= 20).then_some(ip + ihl))
    } else {
        let mut nh = frame[ip + 6];
        let mut off = ip + 40;
        for _ in 0..8 {
            match nh {
                0 | 43 | 60 => {
                    let (Some(&next), Some(&len)) = (frame.get(off), frame.get(off + 1)) else {
                        return (nh, None);
                    };
                    nh = next;
                    off += (usize::from(len) + 1) * 8;
                }
                44 => {
                    let Some(&next) = frame.get(off) else {
                        return (nh, None);
                    };
                    let fo = be16(frame, off + 2).unwrap_or(0) & 0xfff8;
                    nh = next;
                    off += 8;
                    if fo != 0 {
                        return (nh, None);
                    }
                }
                _ => break,
            }
        }
        (nh, Some(off))
    }
}

/// One's-complement incremental checksum update (RFC 1624, eqn. 3) for a
/// change of the 16-bit-aligned bytes `old` -> `new`.
fn csum_adjust(csum: u16, old: &[u8], new: &[u8]) -> u16 {
    let mut sum = u32::from(!csum);
    for (o, n) in old.chunks(2).zip(new.chunks(2)) {
        let ow = u16::from_be_bytes([o[0], *o.get(1).unwrap_or(&0)]);
        let nw = u16::from_be_bytes([n[0], *n.get(1).unwrap_or(&0)]);
        sum += u32::from(!ow) + u32::from(nw);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fn patch_csum(frame: &mut [u8], at: usize, old: &[u8], new: &[u8], udp: bool) {
    let Some(c) = be16(frame, at) else { return };
    if udp && c == 0 {
        return; // IPv4 UDP without checksum
    }
    let mut n = csum_adjust(c, old, new);
    if udp && n == 0 {
        n = 0xffff;
    }
    frame[at..at + 2].copy_from_slice(&n.to_be_bytes());
}

/// Bijective per-copy address map. Copy 0 is the identity.
/// IPv4: bytes 1..3 (as a big-endian u16) += k. IPv6: bytes 2..4 += k.
/// The first byte(s) are kept so multicast stays multicast and
/// link-local stays link-local.
pub fn map_addr(addr: &mut [u8], k: u16) {
    let i = if addr.len() == 4 { 1 } else { 2 };
    let w = u16::from_be_bytes([addr[i], addr[i + 1]]).wrapping_add(k);
    addr[i..i + 2].copy_from_slice(&w.to_be_bytes());
}

/// Rewrite the IP addresses of `frame` for copy `k`, keeping IPv4 header,
/// TCP, UDP and ICMPv6 checksums valid. Returns false if nothing was rewritten.
pub fn rewrite(frame: &mut [u8], k: u16) -> bool {
    if k == 0 {
        return true;
    }
    let Some((ip, ver)) = find_ip(frame) else {
        return false;
    };
    let (src, alen) = if ver == 4 { (ip + 12, 4) } else { (ip + 8, 16) };
    let old: [u8; 32] = {
        let mut o = [0u8; 32];
        o[..2 * alen].copy_from_slice(&frame[src..src + 2 * alen]);
        o
    };
    map_addr(&mut frame[src..src + alen], k);
    map_addr(&mut frame[src + alen..src + 2 * alen], k);
    let mut new = [0u8; 32];
    new[..2 * alen].copy_from_slice(&frame[src..src + 2 * alen]);
    let (old, new) = (&old[..2 * alen], &new[..2 * alen]);
    if ver == 4 {
        patch_csum(frame, ip + 10, old, new, false);
    }
    let (proto, l4) = l4_of(frame, ip, ver);
    if let Some(l4) = l4 {
        match proto {
            6 => patch_csum(frame, l4 + 16, old, new, false),
            17 => patch_csum(frame, l4 + 6, old, new, ver == 4),
            58 if ver == 6 => patch_csum(frame, l4 + 2, old, new, false),
            _ => {}
        }
    }
    true
}

/// Direction-independent flow key (ip version, proto, endpoints sorted) or None
/// for non-IP frames.
pub fn flow_key(frame: &[u8]) -> Option<Vec<u8>> {
    let (ip, ver) = find_ip(frame)?;
    let (src, alen) = if ver == 4 { (ip + 12, 4) } else { (ip + 8, 16) };
    let (proto, l4) = l4_of(frame, ip, ver);
    let ports = match (proto, l4) {
        (6 | 17 | 132, Some(l4)) => (
            be16(frame, l4).unwrap_or(0),
            be16(frame, l4 + 2).unwrap_or(0),
        ),
        _ => (0, 0),
    };
    let mut a = frame[src..src + alen].to_vec();
    a.extend_from_slice(&ports.0.to_be_bytes());
    let mut b = frame[src + alen..src + 2 * alen].to_vec();
    b.extend_from_slice(&ports.1.to_be_bytes());
    if a > b {
        std::mem::swap(&mut a, &mut b);
    }
    let mut key = vec![ver, proto];
    key.extend_from_slice(&a);
    key.extend_from_slice(&b);
    Some(key)
}

/// Full one's-complement checksum of `data` (used for the IPv4 header).
pub fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for c in data.chunks(2) {
        sum += u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ethernet + VLAN + IPv4 + UDP with valid checksums.
    fn udp4_frame(vlan: bool) -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(&MAC_B);
        f.extend_from_slice(&MAC_A);
        if vlan {
            f.extend_from_slice(&[0x81, 0x00, 0x00, 0x2a]);
        }
        f.extend_from_slice(&ETH_IPV4.to_be_bytes());
        let ip = f.len();
        let payload = b"hello";
        let tot = 20 + 8 + payload.len() as u16;
        f.extend_from_slice(&[
            0x45,
            0,
            (tot >> 8) as u8,
            tot as u8,
            0,
            1,
            0x40,
            0,
            64,
            17,
            0,
            0,
        ]);
        f.extend_from_slice(&[192, 168, 1, 10, 10, 255, 255, 1]);
        let c = checksum(&f[ip..ip + 20]);
        f[ip + 10..ip + 12].copy_from_slice(&c.to_be_bytes());
        f.extend_from_slice(&[0x30, 0x39, 0x00, 0x35, 0, 13, 0, 0]);
        f.extend_from_slice(payload);
        let c = udp4_csum(&f, ip);
        f[ip + 26..ip + 28].copy_from_slice(&c.to_be_bytes());
        f
    }

    fn udp4_csum(f: &[u8], ip: usize) -> u16 {
        let mut pseudo = f[ip + 12..ip + 20].to_vec();
        let udp = &f[ip + 20..];
        pseudo.extend_from_slice(&[0, 17, 0, udp.len() as u8]);
        let mut u = udp.to_vec();
        u[6] = 0;
        u[7] = 0;
        pseudo.extend_from_slice(&u);
        checksum(&pseudo)
    }

    #[test]
    fn rewrite_keeps_checksums_valid_and_is_bijective() {
        for vlan in [false, true] {
            let orig = udp4_frame(vlan);
            let ip = if vlan { 18 } else { 14 };
            for k in [1u16, 2, 255, 256, 1000, 65535] {
                let mut f = orig.clone();
                assert!(rewrite(&mut f, k));
                assert_eq!(checksum(&f[ip..ip + 20]), 0, "ip csum k={k}");
                let stored = u16::from_be_bytes([f[ip + 26], f[ip + 27]]);
                assert_eq!(stored, udp4_csum(&f, ip), "udp csum k={k}");
                assert_ne!(f[ip + 12..ip + 20], orig[ip + 12..ip + 20]);
                // first byte kept
                assert_eq!(f[ip + 12], 192);
                assert_eq!(f[ip + 16], 10);
            }
        }
        // same mapping for both directions: a->b and b->a stay one flow per copy
        let mut a = [192u8, 168, 1, 10];
        let mut b = [10u8, 255, 255, 1];
        map_addr(&mut a, 7);
        map_addr(&mut b, 7);
        assert_eq!(a, [192, 168, 8, 10]); // 2nd+3rd octets as one u16: 168.1 + 7
        assert_eq!(b, [10, 0, 6, 1]); // 0xffff + 7 wraps
    }

    #[test]
    fn raw_ip_to_ethernet_adds_14() {
        let mut raw = vec![0x45u8; 20];
        raw[0] = 0x45;
        let (f, orig) = to_ethernet(101, &raw, 1500).unwrap_or_default();
        assert_eq!(f.len(), 34);
        assert_eq!(orig, 1514);
        assert_eq!(find_ip(&f), Some((14, 4)));
        let sll = {
            let mut s = vec![0u8; 14];
            s.extend_from_slice(&ETH_IPV6.to_be_bytes());
            s.extend_from_slice(&[0x60; 40]);
            s
        };
        let (f, orig) = to_ethernet(113, &sll, 56).unwrap_or_default();
        assert_eq!((f.len(), orig), (54, 54));
        assert_eq!(find_ip(&f), Some((14, 6)));
        assert!(to_ethernet(127, &raw, 20).is_none());
    }

    #[test]
    fn flow_key_is_direction_independent() {
        let f = udp4_frame(false);
        let mut r = f.clone();
        // swap addresses and ports
        r[26..30].copy_from_slice(&f[30..34]);
        r[30..34].copy_from_slice(&f[26..30]);
        r[34..36].copy_from_slice(&f[36..38]);
        r[36..38].copy_from_slice(&f[34..36]);
        assert_eq!(flow_key(&f), flow_key(&r));
        assert!(flow_key(&f).is_some());
    }
}
