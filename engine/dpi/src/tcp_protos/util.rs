//! Text-protocol helpers shared by the TCP dissectors (byte reads go through `xntop_wire::cursor`).

use crate::packet::{Dir, Pkt};

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

#[cfg(test)]
pub mod test {
    use crate::packet::{Dir, Pkt, L4};

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
