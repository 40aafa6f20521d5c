//! DNS message view (RFC 1035) for DNS, mDNS (RFC 6762) and LLMNR (RFC 4795), on any port: header sanity,
//! the first question's name and type, the response code and the A/AAAA answers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use xntop_wire::cursor::{Cursor, ReadAt};

/// Longest name we keep (RFC 1035: 255 octets on the wire).
pub const MAX_NAME: usize = 255;
/// Answers kept per response.
pub const MAX_ANSWERS: usize = 8;

/// A parsed DNS message: header plus what DPI reports.
#[derive(Clone, Debug)]
pub struct Message {
    pub id: u16,
    pub response: bool,
    pub opcode: u8,
    pub rcode: u8,
    pub questions: u16,
    pub answers: u16,
    /// First question's name in dotted form (lowercase), `name_len` bytes of `name`.
    pub name: [u8; MAX_NAME],
    pub name_len: usize,
    pub qtype: u16,
    pub addrs: [Option<IpAddr>; MAX_ANSWERS],
}

impl Message {
    #[must_use]
    pub fn name(&self) -> &[u8] {
        &self.name[..self.name_len]
    }

    /// The A/AAAA addresses in the answer section.
    pub fn addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.addrs.iter().flatten().copied()
    }
}

/// Parses `p` as a DNS message. Strict on the header (a random payload rarely passes): counts must be small, a
/// query must have exactly one question and no answers, the opcode must be standard-ish and the question must parse.
#[must_use]
pub fn parse(p: &[u8]) -> Option<Message> {
    let mut c = Cursor::new(p);
    let mut field = || c.get_u16().ok();
    let (id, flags, qd, an, ns, ar) = (field()?, field()?, field()?, field()?, field()?, field()?);
    let response = flags & 0x8000 != 0;
    let opcode = ((flags >> 11) & 0xf) as u8;
    let rcode = (flags & 0xf) as u8;
    // Z bit (0x0040) must be zero; opcodes 0 (query), 1 (inverse), 2 (status), 4 (notify), 5 (update).
    if flags & 0x0040 != 0 || !matches!(opcode, 0 | 1 | 2 | 4 | 5) || rcode > 10 {
        return None;
    }
    if qd > 16 || an > 64 || ns > 64 || ar > 64 {
        return None;
    }
    if !response && (an > 0 && opcode != 5 && opcode != 1 || qd == 0 && opcode == 0) {
        return None;
    }
    if qd == 0 && an == 0 {
        return None;
    }
    let mut m = Message {
        id,
        response,
        opcode,
        rcode,
        questions: qd,
        answers: an,
        name: [0; MAX_NAME],
        name_len: 0,
        qtype: 0,
        addrs: [None; MAX_ANSWERS],
    };
    let mut pos = 12;
    for q in 0..qd {
        let (len, next) = read_name(p, pos, if q == 0 { Some(&mut m.name) } else { None })?;
        if q == 0 {
            m.name_len = len;
        }
        let mut c = Cursor::new(p.get(next..)?);
        let qtype = c.get_u16().ok()?;
        let class = c.get_u16().ok()? & 0x7fff; // mDNS: top bit = unicast-response
        if !matches!(class, 1 | 3 | 4 | 254 | 255) || qtype == 0 {
            return None;
        }
        if q == 0 {
            m.qtype = qtype;
        }
        pos = next + 4;
    }
    // Answers: a truncated or odd record ends the walk, keeping what was read.
    let mut kept = 0;
    for _ in 0..an {
        let Some((_, next)) = read_name(p, pos, None) else {
            break;
        };
        let mut c = Cursor::new(p.rest_at(next));
        let (Ok(ty), Ok(_class), Ok(_ttl), Ok(rdata)) = (
            c.get_u16(),
            c.get_u16(),
            c.get_u32(),
            c.get_bytes_with_u16_length(),
        ) else {
            break;
        };
        pos = next + 10 + rdata.len();
        let addr = match (ty, rdata.len()) {
            (1, 4) => Some(IpAddr::V4(Ipv4Addr::new(
                rdata[0], rdata[1], rdata[2], rdata[3],
            ))),
            (28, 16) => <[u8; 16]>::try_from(rdata)
                .ok()
                .map(|b| IpAddr::V6(Ipv6Addr::from(b))),
            _ => None,
        };
        if let Some(a) = addr {
            if kept < MAX_ANSWERS {
                m.addrs[kept] = Some(a);
                kept += 1;
            }
        }
    }
    Some(m)
}

/// Reads a (possibly compressed) name at `pos`; returns its dotted length and the offset after it in the message.
/// Compression pointers must point backwards, which bounds the walk.
fn read_name(
    p: &[u8],
    mut pos: usize,
    mut out: Option<&mut [u8; MAX_NAME]>,
) -> Option<(usize, usize)> {
    let mut len = 0usize;
    let mut end = None;
    let mut hops = 0;
    loop {
        let b = p.u8_at(pos)?;
        match b & 0xc0 {
            0x00 if b == 0 => {
                return Some((len, end.unwrap_or(pos + 1)));
            }
            0x00 => {
                let label = p.get(pos + 1..pos + 1 + usize::from(b))?;
                if len + usize::from(b) + usize::from(len > 0) > MAX_NAME {
                    return None;
                }
                if let Some(o) = out.as_deref_mut() {
                    if len > 0 {
                        o[len] = b'.';
                    }
                    let start = len + usize::from(len > 0);
                    for (d, &s) in o[start..start + label.len()].iter_mut().zip(label) {
                        *d = s.to_ascii_lowercase();
                    }
                }
                len += usize::from(b) + usize::from(len > 0);
                pos += 1 + usize::from(b);
            }
            0xc0 => {
                let target = usize::from(p.u16_at(pos)? & 0x3fff);
                if target >= pos || hops > 32 {
                    return None;
                }
                hops += 1;
                end.get_or_insert(pos + 2);
                pos = target;
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        crate::protocols::util::testutil::hex(s)
    }

    // dig 9.18 asking dnsmasq 2.90 for A www.xnt.test, and the answer: frames 1 and 2 of pcaps/dns.pcap.
    const QUERY: &str =
        "ead8012000010000000000010377777703786e740474657374000001000100002904d0000000000000";
    const ANSWER: &str = "ead8858000010001000000010377777703786e7404746573740000010001c00c00010001\
                          0000000000040a4d000200002904d0000000000000";

    #[test]
    fn query_and_answer() {
        let q = parse(&hex(QUERY)).expect("query parses");
        assert!(!q.response);
        assert_eq!(q.name(), b"www.xnt.test");
        assert_eq!(q.qtype, 1);
        let a = parse(&hex(ANSWER)).expect("answer parses");
        assert!(a.response);
        assert_eq!(a.rcode, 0);
        assert_eq!(
            a.addresses().collect::<Vec<_>>(),
            vec![IpAddr::V4(Ipv4Addr::new(10, 77, 0, 2))]
        );
    }

    #[test]
    fn compression_loop_is_rejected() {
        // A question name that points at itself.
        let mut m = hex("000101000001000000000000");
        m.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1]);
        assert!(parse(&m).is_none());
    }

    #[test]
    fn not_dns() {
        assert!(parse(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").is_none());
        assert!(parse(&[0u8; 12]).is_none());
    }
}
