//! TLS handshake views (RFC 8446, RFC 5246): the ClientHello's fields that name and fingerprint a client, and the
//! ServerHello's negotiated version. Zero-copy over the handshake bytes; every read is bounds-checked.
//!
//! The same parser serves TCP (records carrying handshake messages), DTLS (RFC 9147 records and handshake headers)
//! and QUIC (CRYPTO stream, handshake messages without records).

use xntop_wire::cursor::{self, Cursor, ReadAt};

/// GREASE values (RFC 8701) are random per connection: fingerprints skip them.
#[must_use]
pub fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && v >> 8 == v & 0xff
}

pub mod ext {
    pub const SERVER_NAME: u16 = 0;
    pub const SUPPORTED_GROUPS: u16 = 10;
    pub const EC_POINT_FORMATS: u16 = 11;
    pub const SIGNATURE_ALGORITHMS: u16 = 13;
    pub const ALPN: u16 = 16;
    pub const SUPPORTED_VERSIONS: u16 = 43;
    pub const ENCRYPTED_CLIENT_HELLO: u16 = 0xfe0d;
}

/// The parts of a ClientHello fingerprints and names are made of. Slices point into the packet.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientHello<'a> {
    /// `legacy_version` of the hello body.
    pub version: u16,
    /// Cipher suites, 2 bytes each.
    pub ciphers: &'a [u8],
    /// The extensions block (type, length, body)*; may be cut short when the hello was truncated.
    pub extensions: &'a [u8],
    /// Whether the whole hello was present (fingerprints need every extension).
    pub complete: bool,
    pub sni: Option<&'a [u8]>,
    /// ALPN protocol-name list (each with its one-byte length).
    pub alpn: Option<&'a [u8]>,
    /// Highest non-GREASE entry of supported_versions, when present.
    pub supported_version: Option<u16>,
    pub groups: &'a [u8],
    pub point_formats: &'a [u8],
    pub signature_algorithms: &'a [u8],
    pub ech: bool,
}

impl<'a> ClientHello<'a> {
    /// Parses a ClientHello body (after the 4-byte handshake header). `declared` is the body length the
    /// handshake header announced; a shorter `body` is a truncated hello, parsed as far as it goes.
    #[must_use]
    pub fn parse(body: &'a [u8], declared: usize, dtls: bool) -> Option<Self> {
        Self::read(body, declared, dtls).ok()
    }

    fn read(body: &'a [u8], declared: usize, dtls: bool) -> cursor::Result<Self> {
        let mut c = Cursor::new(body);
        let version = c.get_u16()?;
        if !((0x0300..=0x0304).contains(&version) || dtls && version >= 0xfefc) {
            return Err(cursor::Error);
        }
        c.skip(32)?;
        let session = c.get_bytes_with_u8_length()?;
        if session.len() > 32 {
            return Err(cursor::Error);
        }
        if dtls {
            c.get_bytes_with_u8_length()?; // cookie
        }
        let ciphers = c.get_bytes_with_u16_length()?;
        if ciphers.len() % 2 != 0 {
            return Err(cursor::Error);
        }
        let compression = c.get_bytes_with_u8_length()?;
        if compression.is_empty() {
            return Err(cursor::Error);
        }
        let mut hello = ClientHello {
            version,
            ciphers,
            complete: body.len() >= declared,
            ..Self::default()
        };
        if c.is_empty() {
            return Ok(hello);
        }
        let ext_len = usize::from(c.get_u16()?);
        let rest = c.rest();
        if rest.len() < ext_len {
            hello.complete = false;
        }
        hello.extensions = &rest[..ext_len.min(rest.len())];
        for (ty, data) in Extensions::new(hello.extensions) {
            let mut d = Cursor::new(data);
            match ty {
                ext::SERVER_NAME => hello.sni = parse_sni(data),
                ext::ALPN => hello.alpn = d.get_bytes_with_u16_length().ok(),
                ext::SUPPORTED_GROUPS => {
                    hello.groups = d.get_bytes_with_u16_length().unwrap_or(&[])
                }
                ext::EC_POINT_FORMATS => {
                    hello.point_formats = d.get_bytes_with_u8_length().unwrap_or(&[]);
                }
                ext::SIGNATURE_ALGORITHMS => {
                    hello.signature_algorithms = d.get_bytes_with_u16_length().unwrap_or(&[]);
                }
                ext::SUPPORTED_VERSIONS => {
                    hello.supported_version = d
                        .get_bytes_with_u8_length()
                        .ok()
                        .and_then(|v| u16s(v).filter(|&v| !is_grease(v)).max());
                }
                ext::ENCRYPTED_CLIENT_HELLO => hello.ech = true,
                _ => {}
            }
        }
        Ok(hello)
    }

    /// The first ALPN protocol name, when offered.
    #[must_use]
    pub fn first_alpn(&self) -> Option<&'a [u8]> {
        Cursor::new(self.alpn?).get_bytes_with_u8_length().ok()
    }
}

/// Iterates (type, body) over an extensions block, stopping at the first extension cut short.
#[derive(Clone, Debug)]
pub struct Extensions<'a> {
    c: Cursor<'a>,
}

impl<'a> Extensions<'a> {
    #[must_use]
    pub fn new(block: &'a [u8]) -> Self {
        Self {
            c: Cursor::new(block),
        }
    }
}

impl<'a> Iterator for Extensions<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let ty = self.c.get_u16().ok()?;
        let data = self.c.get_bytes_with_u16_length().ok()?;
        Some((ty, data))
    }
}

/// Big-endian u16 values of a byte list (an odd trailing byte is ignored).
pub fn u16s(b: &[u8]) -> impl Iterator<Item = u16> + '_ {
    b.chunks_exact(2).map(|p| u16::from_be_bytes([p[0], p[1]]))
}

fn parse_sni(data: &[u8]) -> Option<&[u8]> {
    let mut list = Cursor::new(data).get_sub_with_u16_length().ok()?;
    while !list.is_empty() {
        let kind = list.get_u8().ok()?;
        let name = list.get_bytes_with_u16_length().ok()?;
        if kind == 0 && !name.is_empty() {
            return Some(name);
        }
    }
    None
}

/// What the first bytes of a TCP stream say about TLS.
#[derive(Clone, Copy, Debug)]
pub enum Record<'a> {
    /// A ClientHello (body may be truncated; `declared` is its announced length).
    ClientHello { body: &'a [u8], declared: usize },
    /// A ServerHello with the version it negotiated (supported_versions wins over legacy_version).
    ServerHello { version: u16 },
    /// A TLS record of another kind (or a handshake we do not read): TLS, but nothing to extract.
    Other,
}

/// Reads the first handshake message of a TLS record at the start of `p`. `None` when `p` is not TLS.
#[must_use]
pub fn first_record(p: &[u8]) -> Option<Record<'_>> {
    let mut c = Cursor::new(p);
    let content = c.get_u8().ok()?;
    let version = c.get_u16().ok()?;
    let len = usize::from(c.get_u16().ok()?);
    if !(0x0300..=0x0304).contains(&version) || len == 0 || len > (1 << 14) + 2048 {
        return None;
    }
    match content {
        // change_cipher_spec, alert, application_data: TLS, but only believable with a plausible length.
        20 => (len == 1).then_some(Record::Other),
        21 => (len == 2 || len > 16).then_some(Record::Other),
        23 => (len > 16).then_some(Record::Other),
        22 => handshake(c.rest(), false),
        _ => None,
    }
}

/// Reads a handshake message header and body.
pub(crate) fn handshake(p: &[u8], dtls: bool) -> Option<Record<'_>> {
    let mut c = Cursor::new(p);
    let kind = c.get_u8().ok()?;
    let declared = c.get_u24().ok()? as usize;
    if dtls {
        // message_seq, fragment_offset, fragment_length
        c.skip(2).ok()?;
        let offset = c.get_u24().ok()?;
        c.get_u24().ok()?;
        if offset != 0 {
            return Some(Record::Other);
        }
    }
    if declared > 1 << 17 {
        return None;
    }
    let body = c.rest();
    match kind {
        1 => {
            ClientHello::parse(body, declared, dtls)?;
            Some(Record::ClientHello { body, declared })
        }
        2 => server_hello_version(body, dtls).map(|version| Record::ServerHello { version }),
        _ => Some(Record::Other),
    }
}

fn server_hello_version(body: &[u8], dtls: bool) -> Option<u16> {
    let mut c = Cursor::new(body);
    let legacy = c.get_u16().ok()?;
    if !((0x0300..=0x0304).contains(&legacy) || dtls && legacy >= 0xfefc) {
        return None;
    }
    c.skip(32).ok()?;
    c.get_bytes_with_u8_length().ok()?;
    c.get_u16().ok()?; // cipher
    c.get_u8().ok()?; // compression
    let Ok(exts) = c.get_bytes_with_u16_length() else {
        return Some(legacy);
    };
    for (ty, data) in Extensions::new(exts) {
        if ty == ext::SUPPORTED_VERSIONS && data.len() == 2 {
            return data.u16_at(0);
        }
    }
    Some(legacy)
}

/// DTLS (RFC 6347 / RFC 9147 plaintext records): the first record of a datagram.
#[must_use]
pub fn dtls_record(p: &[u8]) -> Option<Record<'_>> {
    let mut c = Cursor::new(p);
    let content = c.get_u8().ok()?;
    let version = c.get_u16().ok()?;
    // DTLS 1.0 (0xfeff), 1.2 (0xfefd), 1.3 keeps 1.2 on the wire; OpenSSL's pre-standard 0x0100.
    if !matches!(version, 0xfeff | 0xfefd | 0xfefc | 0x0100) {
        return None;
    }
    c.skip(8).ok()?; // epoch + sequence number
    let len = usize::from(c.get_u16().ok()?);
    if len == 0 || len > c.rest().len() + 2048 {
        return None;
    }
    match content {
        22 => handshake(c.rest(), true),
        20..=23 => Some(Record::Other),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// curl 7.88.1 (OpenSSL 3.0.19, Debian 12) ClientHello for example.com, recorded on loopback against
    /// `openssl s_server`. tshark 4.0 gives its JA3 as 0149f47eabf9a20d0893e2a44e5a6323.
    pub(crate) const CURL_HELLO: &str = concat!(
        "1603010200010001fc0303cc6996c6081ce4781d526a7fc794fc6d354add8163b44205fb8a742ff62ad4b720ec0b5340",
        "52f67046e18c9dfd9877eb10e7f2438069c1e647a9746ee7327b034a003e130213031301c02cc030009fcca9cca8ccaa",
        "c02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d003c0035002f00ff01000175",
        "00000010000e00000b6578616d706c652e636f6d000b000403000102000a00160014001d0017001e0019001801000101",
        "0102010301040010000e000c02683208687474702f312e31001600000017000000310000000d002a0028040305030603",
        "080708080809080a080b080408050806040105010601030303010302040205020602002b000908030403030302030100",
        "2d00020101003300260024001d002020afcb830ea97039268c2c173ed581dc70b49adf956d6fa1515a394ebe442f7300",
        "1500b2000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "00000000000000000000000000000000000000000000000000000000000000000000000000",
    );

    pub(crate) fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(char::is_ascii_hexdigit).collect();
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0))
            .collect()
    }

    #[test]
    fn grease_values() {
        assert!(is_grease(0x0a0a));
        assert!(is_grease(0xfafa));
        assert!(!is_grease(0x0a1a));
        assert!(!is_grease(0x1301));
    }

    #[test]
    fn client_hello_fields() {
        let pkt = hex(CURL_HELLO);
        let Some(Record::ClientHello { body, declared }) = first_record(&pkt) else {
            panic!("not a client hello");
        };
        let h = ClientHello::parse(body, declared, false).expect("parses");
        assert_eq!(h.version, 0x0303);
        assert_eq!(h.sni, Some(&b"example.com"[..]));
        assert_eq!(h.first_alpn(), Some(&b"h2"[..]));
        assert_eq!(h.supported_version, Some(0x0304));
        assert_eq!(h.ciphers.len(), 62);
        assert!(h.complete);
        assert_eq!(
            crate::ja::ja3(&h).as_ref().map(|j| &j[..]),
            Some(&b"0149f47eabf9a20d0893e2a44e5a6323"[..]),
            "JA3 as tshark computes it"
        );
    }

    #[test]
    fn truncated_hello_still_names_the_server() {
        let pkt = hex(CURL_HELLO);
        let cut = &pkt[..175];
        let Some(Record::ClientHello { body, declared }) = first_record(cut) else {
            panic!("not a client hello");
        };
        let h = ClientHello::parse(body, declared, false).expect("parses");
        assert!(!h.complete);
        assert_eq!(h.sni, Some(&b"example.com"[..]));
    }

    #[test]
    fn not_tls() {
        assert!(first_record(b"GET / HTTP/1.1\r\n").is_none());
        assert!(first_record(b"\x16\x03").is_none());
        assert!(first_record(&[0x16, 0x03, 0x01, 0, 0]).is_none());
    }
}

/// DER (X.509) reading: just enough to find a certificate's subject common name and DNS subject-alt-names.
pub mod x509 {
    use xntop_wire::cursor::{self, Cursor};

    /// One DER element: (tag, contents, rest after it). Lengths of up to three bytes (16 MiB) are read.
    fn element(p: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        read(p).ok()
    }

    fn read(p: &[u8]) -> cursor::Result<(u8, &[u8], &[u8])> {
        let mut c = Cursor::new(p);
        let tag = c.get_u8()?;
        let first = c.get_u8()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 3 {
                return Err(cursor::Error);
            }
            c.get_bytes(n)?
                .iter()
                .fold(0usize, |a, &b| a << 8 | usize::from(b))
        };
        let contents = c.get_bytes(len)?;
        Ok((tag, contents, c.rest()))
    }

    const CN: &[u8] = &[0x55, 0x04, 0x03];
    const SAN: &[u8] = &[0x55, 0x1d, 0x11];

    /// Calls `f` with the subject CN and then each DNS subject-alt-name of a DER certificate.
    pub fn names(cert: &[u8], mut f: impl FnMut(&[u8])) -> Option<()> {
        let (_, cert, _) = element(cert)?;
        let (_, tbs, _) = element(cert)?;
        let mut rest = tbs;
        let (tag, _, r) = element(rest)?;
        if tag == 0xa0 {
            rest = r; // version
        }
        let (_, _, r) = element(rest)?; // serial
        let (_, _, r) = element(r)?; // signature algorithm
        let (_, _, r) = element(r)?; // issuer
        let (_, _, r) = element(r)?; // validity
        let (_, subject, r) = element(r)?;
        let (_, _, mut r) = element(r)?; // subject public key info
                                         // Subject: SET { SEQUENCE { OID, value } }*
        let mut rdns = subject;
        while let Some((_, set, next)) = element(rdns) {
            let mut atvs = set;
            while let Some((_, atv, n2)) = element(atvs) {
                if let Some((0x06, oid, v)) = element(atv) {
                    if oid == CN {
                        if let Some((_, value, _)) = element(v) {
                            f(value);
                        }
                    }
                }
                atvs = n2;
            }
            rdns = next;
        }
        // Optional issuer/subject unique ids, then [3] extensions.
        while let Some((tag, contents, next)) = element(r) {
            if tag == 0xa3 {
                let (_, exts, _) = element(contents)?;
                let mut e = exts;
                while let Some((_, ext, n2)) = element(e) {
                    if let Some((0x06, oid, mut v)) = element(ext) {
                        if oid == SAN {
                            if let Some((0x01, _, after)) = element(v) {
                                v = after; // critical flag
                            }
                            let (_, octets, _) = element(v)?;
                            let (_, general_names, _) = element(octets)?;
                            let mut g = general_names;
                            while let Some((tag, name, n3)) = element(g) {
                                if tag == 0x82 {
                                    f(name);
                                }
                                g = n3;
                            }
                        }
                    }
                    e = n2;
                }
            }
            r = next;
        }
        Some(())
    }
}

/// The first certificate of a server's Certificate message found in the TLS records at the start of `p`
/// (TLS ≤ 1.2: in clear after the ServerHello, often in the same segment).
#[must_use]
pub fn server_certificate(p: &[u8]) -> Option<&[u8]> {
    let mut records = Cursor::new(p);
    while !records.is_empty() {
        let content = records.get_u8().ok()?;
        records.get_u16().ok()?;
        let len = usize::from(records.get_u16().ok()?);
        // A record cut by the segment end: read what is there.
        let body = records.get_bytes(len).unwrap_or_else(|_| records.rest());
        let cut = body.len() < len;
        if content == 22 {
            let mut hs = Cursor::new(body);
            while !hs.is_empty() {
                let kind = hs.get_u8().ok()?;
                let n = hs.get_u24().ok()? as usize;
                let msg = hs.get_bytes(n).unwrap_or_else(|_| hs.rest());
                if kind == 11 {
                    let mut c = Cursor::new(msg);
                    c.get_u24().ok()?; // list length
                    let cert_len = c.get_u24().ok()? as usize;
                    return Some(c.get_bytes(cert_len).unwrap_or_else(|_| c.rest()));
                }
                if msg.len() < n {
                    return None;
                }
            }
        }
        if cut {
            return None;
        }
    }
    None
}
