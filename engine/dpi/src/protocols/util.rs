//! Helpers shared by dissectors: text-protocol lines and reply codes, case-insensitive search, packet counts;
//! and the test helpers that build packets. Byte reads go through `xntop_wire::cursor`.

use crate::dissector::{Dir, Pkt};

/// Whether `p` starts with `pat`, ASCII case-insensitively.
pub fn starts_ci(p: &[u8], pat: &[u8]) -> bool {
    p.len() >= pat.len() && p[..pat.len()].eq_ignore_ascii_case(pat)
}

/// Whether `p` contains `pat`, ASCII case-insensitively.
pub fn contains_ci(p: &[u8], pat: &[u8]) -> bool {
    !pat.is_empty() && p.windows(pat.len()).any(|w| w.eq_ignore_ascii_case(pat))
}

/// Position of `pat` in `p`.
pub fn find(p: &[u8], pat: &[u8]) -> Option<usize> {
    if pat.is_empty() {
        return None;
    }
    p.windows(pat.len()).position(|w| w == pat)
}

/// The first line of `p` without its terminator, or `None` when `p` holds no line end.
pub fn first_line(p: &[u8]) -> Option<&[u8]> {
    let end = p.iter().position(|&b| b == b'\n')?;
    let line = &p[..end];
    Some(line.strip_suffix(b"\r").unwrap_or(line))
}

/// Whether every byte is printable ASCII (space to tilde) or a tab.
pub fn printable(p: &[u8]) -> bool {
    p.iter().all(|&b| (0x20..0x7f).contains(&b) || b == b'\t')
}

/// Whether the payload is one or more complete printable text lines (CRLF or LF), the last one possibly cut short.
pub fn text_lines(p: &[u8]) -> bool {
    p.iter()
        .all(|&b| (0x20..0x7f).contains(&b) || b == b'\t' || b == b'\r' || b == b'\n')
}

/// The command word of a client text line: `p` starts with one of `cmds` (case-insensitively) followed by a space,
/// CR or LF (or the end when the payload is cut short). Returns the index in `cmds`.
pub fn command(p: &[u8], cmds: &[&[u8]]) -> Option<usize> {
    cmds.iter()
        .position(|c| starts_ci(p, c) && matches!(p.get(c.len()), Some(b' ' | b'\r' | b'\n')))
}

/// A 3-digit reply code followed by a space, a hyphen, CR or LF (FTP and SMTP replies).
pub fn reply_code(p: &[u8]) -> Option<u16> {
    let d = p.get(..3)?;
    if !d.iter().all(u8::is_ascii_digit) || !matches!(p.get(3), Some(b' ' | b'-' | b'\r' | b'\n')) {
        return None;
    }
    if !(b'1'..=b'5').contains(&d[0]) {
        return None;
    }
    Some(d.iter().fold(0u16, |a, &b| a * 10 + u16::from(b - b'0')))
}

/// Payload packets of the flow seen before this one, both directions.
pub fn total_seen(pkt: &Pkt) -> u32 {
    u32::from(pkt.seen[0]) + u32::from(pkt.seen[1])
}

/// Payload packets seen before this one in the other direction.
pub fn seen_other(pkt: &Pkt) -> u16 {
    match pkt.dir {
        Dir::ToServer => pkt.seen[1],
        Dir::ToClient => pkt.seen[0],
    }
}

/// Payload packets seen before this one in this packet's direction.
pub fn seen_same(pkt: &Pkt) -> u16 {
    pkt.seen[pkt.dir as usize]
}

/// Parses a decimal number of at most `max_digits` digits at the start of `p`; returns it and the digits used.
pub fn decimal(p: &[u8], max_digits: usize) -> Option<(u64, usize)> {
    let n = p
        .iter()
        .take(max_digits + 1)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if n == 0 || n > max_digits {
        return None;
    }
    let v = p[..n]
        .iter()
        .fold(0u64, |a, &b| a * 10 + u64::from(b - b'0'));
    Some((v, n))
}

/// A NetBIOS first-level encoded name: 32 characters, each 'A'..='P'.
pub(crate) fn is_nb_encoded(p: &[u8]) -> bool {
    p.len() == 32 && p.iter().all(|c| (b'A'..=b'P').contains(c))
}

#[cfg(test)]
pub mod test {
    use crate::dissector::{Dir, Pkt, L4};

    /// A TCP packet for tests.
    pub fn tcp(payload: &[u8], dir: Dir, seen: [u16; 2]) -> Pkt<'_> {
        Pkt {
            payload,
            dir,
            l4: L4::Tcp,
            client_port: 40000,
            server_port: 12345,
            seen,
        }
    }

    /// First client packet.
    pub fn c0(payload: &[u8]) -> Pkt<'_> {
        tcp(payload, Dir::ToServer, [0, 0])
    }

    /// First server packet (server speaks first).
    pub fn s0(payload: &[u8]) -> Pkt<'_> {
        tcp(payload, Dir::ToClient, [0, 0])
    }

    /// Random-looking bytes (deterministic).
    pub fn noise(n: usize, seed: u32) -> Vec<u8> {
        let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 8) as u8
            })
            .collect()
    }

    pub const HTTP_GET: &[u8] = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";
    pub const TLS_HELLO: &[u8] =
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x8a\x1b\x77\x00\x11\x22";
}

#[cfg(test)]
pub(crate) mod testutil {
    use crate::dissector::{Dir, Pkt, L4};

    /// Hex string (whitespace ignored) to bytes.
    pub fn hex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s
            .bytes()
            .filter(u8::is_ascii_hexdigit)
            .map(|c| match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                _ => c - b'A' + 10,
            })
            .collect();
        digits
            .chunks(2)
            .map(|c| (c[0] << 4) | c.get(1).copied().unwrap_or_default())
            .collect()
    }

    /// A first client → server packet.
    pub fn pkt(payload: &[u8], l4: L4, client_port: u16, server_port: u16) -> Pkt<'_> {
        Pkt {
            payload,
            dir: Dir::ToServer,
            l4,
            client_port,
            server_port,
            seen: [0, 0],
        }
    }

    /// A packet with explicit direction and counts.
    pub fn pkt_at(
        payload: &[u8],
        l4: L4,
        client_port: u16,
        server_port: u16,
        dir: Dir,
        seen: [u16; 2],
    ) -> Pkt<'_> {
        Pkt {
            payload,
            dir,
            l4,
            client_port,
            server_port,
            seen,
        }
    }

    /// Pseudo-random bytes (xorshift), deterministic.
    pub fn noise(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod harness {
    use std::sync::Arc;

    use xntop_model::L7Meta;

    use crate::dissector::{Dissector, Flow, Follow, Pkt, Verdict};
    use crate::engine::{Classification, DpiContext, Endpoints};
    use crate::DnsCache;

    /// A dissector's view of one flow, outside the engine: what `probe` and `follow` recorded.
    pub struct Harness {
        pub class: Classification,
        pub meta: Option<Box<L7Meta>>,
        state: Option<Box<dyn std::any::Any + Send>>,
        ctx: DpiContext,
        ep: Endpoints,
    }

    impl Harness {
        /// A flow from 10.0.0.1:`pkt.client_port` to 10.0.0.2:`pkt.server_port`.
        pub fn new(pkt: &Pkt) -> Self {
            Self {
                class: Classification::default(),
                meta: None,
                state: None,
                ctx: DpiContext::new(Arc::new(DnsCache::new(64))),
                ep: Endpoints {
                    l4: match pkt.l4 {
                        crate::L4::Tcp => 6,
                        crate::L4::Udp => 17,
                    },
                    client: [10, 0, 0, 1].into(),
                    server: [10, 0, 0, 2].into(),
                    client_port: pkt.client_port,
                    server_port: pkt.server_port,
                },
            }
        }

        fn flow(&mut self) -> Flow<'_> {
            Flow {
                class: &mut self.class,
                meta: &mut self.meta,
                state: &mut self.state,
                ctx: &mut self.ctx,
                ep: &self.ep,
            }
        }

        /// Moves the flow's server to `addr`:`port` (for dissectors that look at addresses).
        pub fn set_server(&mut self, addr: std::net::IpAddr, port: u16) {
            self.ep.server = addr;
            self.ep.server_port = port;
        }

        /// Moves the flow's client to `addr`:`port`.
        pub fn set_client(&mut self, addr: std::net::IpAddr, port: u16) {
            self.ep.client = addr;
            self.ep.client_port = port;
        }

        pub fn probe(&mut self, d: &dyn Dissector, pkt: &Pkt) -> Verdict {
            d.probe(pkt, &mut self.flow())
        }

        pub fn follow(&mut self, d: &dyn Dissector, pkt: &Pkt) -> Follow {
            d.follow(pkt, &mut self.flow())
        }
    }
}
