//! Client fingerprints of a ClientHello: JA3 (Salesforce, MD5 of the decimal field lists) and JA4 (FoxIO: a
//! readable prefix and two truncated SHA-256 hashes over sorted lists). Built in stack buffers; GREASE ignored.

use std::fmt::Write;

use md5::{Digest, Md5};
use sha2::Sha256;

use crate::protocols::tls::parser::{ext, is_grease, u16s, ClientHello, Extensions};

/// A fixed-capacity string on the stack; writes past the end are dropped (and the fingerprint then not reported).
pub(crate) struct StackStr<const N: usize> {
    buf: [u8; N],
    len: usize,
    overflow: bool,
}

impl<const N: usize> StackStr<N> {
    pub(crate) fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
            overflow: false,
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl<const N: usize> Write for StackStr<N> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > N {
            self.overflow = true;
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_into(out: &mut [u8], bytes: &[u8]) {
    for (i, b) in bytes.iter().enumerate() {
        if let Some(pair) = out.get_mut(2 * i..2 * i + 2) {
            pair[0] = HEX[usize::from(b >> 4)];
            pair[1] = HEX[usize::from(b & 15)];
        }
    }
}

/// JA3 hash (32 lowercase hex digits) of a complete ClientHello; `None` when the hello was cut short.
#[must_use]
pub fn ja3(h: &ClientHello) -> Option<[u8; 32]> {
    if !h.complete {
        return None;
    }
    let mut s = StackStr::<4096>::new();
    let ok = (|| -> std::fmt::Result {
        write!(s, "{},", h.version)?;
        dash_list(&mut s, u16s(h.ciphers))?;
        s.write_char(',')?;
        dash_list(&mut s, Extensions::new(h.extensions).map(|(t, _)| t))?;
        s.write_char(',')?;
        dash_list(&mut s, u16s(h.groups))?;
        s.write_char(',')?;
        let mut first = true;
        for &f in h.point_formats {
            if !first {
                s.write_char('-')?;
            }
            first = false;
            write!(s, "{f}")?;
        }
        Ok(())
    })();
    ok.ok()?;
    Some(md5_hex(s.as_bytes()))
}

fn dash_list(s: &mut impl Write, values: impl Iterator<Item = u16>) -> std::fmt::Result {
    let mut first = true;
    for v in values.filter(|&v| !is_grease(v)) {
        if !first {
            s.write_char('-')?;
        }
        first = false;
        s.write_str(decimal(v, &mut [0; 5]))?;
    }
    Ok(())
}

/// `v` in decimal, written at the end of `buf` (JA3 strings hold a few hundred numbers; `write!` costs more).
fn decimal(mut v: u16, buf: &mut [u8; 5]) -> &str {
    let mut at = buf.len();
    loop {
        at -= 1;
        #[allow(clippy::cast_possible_truncation, reason = "a digit")]
        let digit = (v % 10) as u8;
        buf[at] = b'0' + digit;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[at..]).unwrap_or_default()
}

pub(crate) fn md5_hex(data: &[u8]) -> [u8; 32] {
    let digest = Md5::digest(data);
    let mut out = [0u8; 32];
    hex_into(&mut out, &digest);
    out
}

/// The transport a ClientHello travelled on (JA4's first character).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Tcp,
    Quic,
    Dtls,
}

/// The fields JA4 is computed from, with GREASE already present or not (it is skipped here).
#[derive(Clone, Copy, Debug)]
pub struct Ja4Input<'a> {
    pub transport: Transport,
    /// Highest supported version (supported_versions), else the hello's version.
    pub version: u16,
    pub sni: bool,
    /// Cipher suites as big-endian pairs.
    pub ciphers: &'a [u8],
    /// Extension types in wire order.
    pub extensions: &'a [u16],
    pub alpn: Option<&'a [u8]>,
    /// Signature algorithms as big-endian pairs, in wire order.
    pub signature_algorithms: &'a [u8],
}

/// JA4 of a ClientHello (36 characters: `t13d1516h2_8daaf6152771_b186095e22b6`).
#[must_use]
pub fn ja4(h: &ClientHello, transport: Transport) -> Option<[u8; 36]> {
    let mut exts = [0u16; 128];
    let mut n = 0;
    for (t, _) in Extensions::new(h.extensions) {
        if n == exts.len() {
            return None;
        }
        exts[n] = t;
        n += 1;
    }
    Some(ja4_of(&Ja4Input {
        transport,
        version: h.supported_version.unwrap_or(h.version),
        sni: h.sni.is_some(),
        ciphers: h.ciphers,
        extensions: &exts[..n],
        alpn: h.first_alpn(),
        signature_algorithms: h.signature_algorithms,
    }))
}

/// JA4 from its inputs.
#[must_use]
pub fn ja4_of(i: &Ja4Input) -> [u8; 36] {
    let mut out = [b'0'; 36];
    out[0] = match i.transport {
        Transport::Tcp => b't',
        Transport::Quic => b'q',
        Transport::Dtls => b'd',
    };
    let version: &[u8; 2] = match i.version {
        0x0304 => b"13",
        0x0303 => b"12",
        0x0302 => b"11",
        0x0301 => b"10",
        0x0300 => b"s3",
        0x0002 => b"s2",
        0xfeff => b"d1",
        0xfefd => b"d2",
        0xfefc => b"d3",
        _ => b"00",
    };
    out[1..3].copy_from_slice(version);
    out[3] = if i.sni { b'd' } else { b'i' };

    let mut ciphers = [0u16; 256];
    let mut nc = 0;
    for c in u16s(i.ciphers).filter(|&c| !is_grease(c)) {
        if nc < ciphers.len() {
            ciphers[nc] = c;
            nc += 1;
        }
    }
    let mut exts = [0u16; 128];
    let mut ne_all = 0;
    let mut ne_hashed = 0;
    for &e in i.extensions.iter().filter(|&&e| !is_grease(e)) {
        ne_all += 1;
        if e != ext::SERVER_NAME && e != ext::ALPN && ne_hashed < exts.len() {
            exts[ne_hashed] = e;
            ne_hashed += 1;
        }
    }
    two_digits(&mut out[4..6], nc);
    two_digits(&mut out[6..8], ne_all);
    let (a, b) = alpn_chars(i.alpn);
    out[8] = a;
    out[9] = b;
    out[10] = b'_';
    out[23] = b'_';

    let ciphers = &mut ciphers[..nc];
    ciphers.sort_unstable();
    if nc > 0 {
        let mut h = Sha256::new();
        hex_list(&mut h, ciphers.iter().copied());
        truncated_hash(&mut out[11..23], h);
    }
    let exts = &mut exts[..ne_hashed];
    exts.sort_unstable();
    if ne_hashed > 0 {
        let mut h = Sha256::new();
        hex_list(&mut h, exts.iter().copied());
        if !i.signature_algorithms.is_empty() {
            h.update(b"_");
            hex_list(&mut h, u16s(i.signature_algorithms));
        }
        truncated_hash(&mut out[24..36], h);
    }
    out
}

fn two_digits(out: &mut [u8], n: usize) {
    let n = n.min(99);
    out[0] = b'0' + (n / 10) as u8;
    out[1] = b'0' + (n % 10) as u8;
}

fn alpn_chars(alpn: Option<&[u8]>) -> (u8, u8) {
    let Some(v) = alpn.filter(|v| !v.is_empty()) else {
        return (b'0', b'0');
    };
    let (first, last) = (v[0], v[v.len() - 1]);
    if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() {
        (first, last)
    } else {
        // Non-alphanumeric: the first and last characters of the value's hex form.
        (HEX[usize::from(first >> 4)], HEX[usize::from(last & 15)])
    }
}

fn hex_list(h: &mut Sha256, values: impl Iterator<Item = u16>) {
    let mut first = true;
    for v in values {
        if !first {
            h.update(b",");
        }
        first = false;
        let mut buf = [0u8; 4];
        hex_into(&mut buf, &v.to_be_bytes());
        h.update(buf);
    }
}

fn truncated_hash(out: &mut [u8], h: Sha256) {
    let digest = h.finalize();
    hex_into(out, &digest[..6]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_matches_display() {
        for v in [0u16, 7, 10, 99, 100, 4865, 9999, 10_000, 65_535] {
            assert_eq!(decimal(v, &mut [0; 5]), v.to_string());
        }
    }

    fn pairs(list: &str) -> Vec<u8> {
        list.split(',')
            .flat_map(|h| u16::from_str_radix(h, 16).unwrap_or(0).to_be_bytes())
            .collect()
    }

    /// A published JA4 with its raw form (Chrome 143 on Android, as reported by browserleaks.com's TLS page).
    #[test]
    fn ja4_matches_published_chrome_value() {
        let ciphers =
            pairs("002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9");
        let exts: Vec<u16> =
            "0005,000a,000b,000d,0012,0017,001b,0023,002b,002d,0033,44cd,fe0d,ff01,0000,0010"
                .split(',')
                .map(|h| u16::from_str_radix(h, 16).unwrap_or(0))
                .collect();
        let sigs = pairs("0403,0804,0401,0503,0805,0501,0806,0601");
        let ja4 = ja4_of(&Ja4Input {
            transport: Transport::Tcp,
            version: 0x0304,
            sni: true,
            ciphers: &ciphers,
            extensions: &exts,
            alpn: Some(b"h2"),
            signature_algorithms: &sigs,
        });
        assert_eq!(
            std::str::from_utf8(&ja4).ok(),
            Some("t13d1516h2_8daaf6152771_d8a2da3f94cd")
        );
    }

    #[test]
    fn ja3_hash_of_published_string() {
        let text =
            "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,\
                    45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0";
        assert_eq!(
            &md5_hex(text.as_bytes()),
            b"98487aa16281980e7d1120d399efb6a4"
        );
    }

    #[test]
    fn alpn_non_alphanumeric_uses_hex() {
        assert_eq!(alpn_chars(Some(b"h2")), (b'h', b'2'));
        assert_eq!(alpn_chars(Some(&[0xab, 0xcd])), (b'a', b'd'));
        assert_eq!(alpn_chars(None), (b'0', b'0'));
    }
}
