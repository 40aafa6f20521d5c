//! QUIC Initial packets: header protection removal and payload decryption (RFC 9001 §5, RFC 9369), then the
//! CRYPTO frames reassembled, so the TLS parser can read the ClientHello.

use aes::cipher::BlockEncrypt;
use aes::Aes128;
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::Aes128Gcm;
use hkdf::Hkdf;
use sha2::Sha256;
use xntop_wire::cursor::{self, Cursor, ReadAt};

/// Versions we can decrypt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuicVersion {
    /// QUIC version 1 (RFC 9000), wire version 0x00000001.
    V1,
    /// QUIC version 2 (RFC 9369), wire version 0x6b3343cf.
    V2,
    /// IETF drafts 27..=34 (wire versions 0xff00001b..=0xff000022). Facebook mvfst 0xfaceb002 and 0xfaceb00e,
    /// which follow draft 27, are reported as `Draft(27)`.
    Draft(u8),
}

/// Why a datagram could not be decrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuicError {
    /// The first byte does not have the long-header bit set.
    NotLongHeader,
    /// A long header of a known version, but not an Initial packet (or a malformed Initial header, such as a
    /// connection ID longer than 20 bytes).
    NotInitial,
    /// A long header whose version we cannot decrypt (includes Version Negotiation).
    UnknownVersion,
    /// The datagram ends before the packet does, the packet is too short to carry a header-protection sample and an
    /// AEAD tag, or `scratch` is smaller than the packet.
    Truncated,
    /// The AEAD tag did not verify (wrong keys, corrupted packet, or not a client Initial).
    Decrypt,
}

impl From<cursor::Error> for QuicError {
    fn from(_: cursor::Error) -> Self {
        Self::Truncated
    }
}

const SALT_V1: [u8; 20] = [
    0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad,
    0xcc, 0xbb, 0x7f, 0x0a,
];
const SALT_V2: [u8; 20] = [
    0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb,
    0xf9, 0xbd, 0x2e, 0xd9,
];
const SALT_DRAFT_29: [u8; 20] = [
    0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0,
    0x43, 0x90, 0xa8, 0x99,
];
const SALT_DRAFT_23: [u8; 20] = [
    0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65,
    0xbe, 0xf9, 0xf5, 0x02,
];

const VERSION_V1: u32 = 0x0000_0001;
const VERSION_V2: u32 = 0x6b33_43cf;
const MAX_CID_LEN: usize = 20;
const SAMPLE_LEN: usize = 16;
const TAG_LEN: usize = 16;

impl QuicVersion {
    /// Maps a wire version to one we can decrypt.
    fn from_wire(v: u32) -> Option<Self> {
        match v {
            VERSION_V1 => Some(Self::V1),
            VERSION_V2 => Some(Self::V2),
            0xff00_001b..=0xff00_0022 => Some(Self::Draft((v & 0xff) as u8)),
            0xface_b002 | 0xface_b00e => Some(Self::Draft(27)),
            _ => None,
        }
    }

    fn salt(self) -> &'static [u8; 20] {
        match self {
            Self::V1 => &SALT_V1,
            Self::V2 => &SALT_V2,
            Self::Draft(n) if n >= 33 => &SALT_V1,
            Self::Draft(n) if n >= 29 => &SALT_DRAFT_29,
            Self::Draft(_) => &SALT_DRAFT_23,
        }
    }

    /// The long-header packet type (bits 4-5 of the first byte) of an Initial packet.
    fn initial_type(self) -> u8 {
        match self {
            Self::V2 => 0b01,
            _ => 0b00,
        }
    }

    fn labels(self) -> (&'static [u8], &'static [u8], &'static [u8]) {
        match self {
            Self::V2 => (b"quicv2 key", b"quicv2 iv", b"quicv2 hp"),
            _ => (b"quic key", b"quic iv", b"quic hp"),
        }
    }
}

/// Which byte ranges of the CRYPTO stream buffer have been written, across calls. Keeps up to a few disjoint ranges;
/// when more would be needed the ranges furthest from the start are forgotten, so coverage is only ever
/// under-reported (the prefix starting at 0 is never lost).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CryptoCoverage {
    ranges: [(u32, u32); COVERAGE_RANGES],
    len: usize,
}

const COVERAGE_RANGES: usize = 8;

impl CryptoCoverage {
    /// Nothing covered.
    pub const fn new() -> Self {
        Self {
            ranges: [(0, 0); COVERAGE_RANGES],
            len: 0,
        }
    }

    /// Length of the fully written prefix starting at offset 0.
    pub fn contiguous(&self) -> usize {
        match self.ranges.first() {
            Some(&(0, end)) if self.len > 0 => end as usize,
            _ => 0,
        }
    }

    /// Records `[start, end)` as written.
    fn insert(&mut self, start: u32, end: u32) {
        if start >= end {
            return;
        }
        let (mut start, mut end) = (start, end);
        let mut merged = [(0u32, 0u32); COVERAGE_RANGES];
        let mut n = 0usize;
        let mut push = |r: (u32, u32), n: &mut usize| {
            if let Some(slot) = merged.get_mut(*n) {
                *slot = r;
                *n += 1;
            }
        };
        let mut placed = false;
        for &(s, e) in self.ranges.iter().take(self.len) {
            if e < start {
                push((s, e), &mut n);
            } else if s > end {
                if !placed {
                    push((start, end), &mut n);
                    placed = true;
                }
                push((s, e), &mut n);
            } else {
                start = start.min(s);
                end = end.max(e);
            }
        }
        if !placed {
            push((start, end), &mut n);
        }
        self.ranges = merged;
        self.len = n;
    }
}

/// Initial packet protection keys for one direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct InitialKeys {
    key: [u8; 16],
    iv: [u8; 12],
    hp: [u8; 16],
}

/// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context.
fn expand_label(prk: &Hkdf<Sha256>, label: &[u8], out: &mut [u8]) -> Option<()> {
    // 2 (length) + 1 (label length) + "tls13 " + label (at most 10 bytes here) + 1 (context length)
    let mut info = [0u8; 32];
    let full_len = 6 + label.len();
    let total = 3 + full_len + 1;
    let len = u16::try_from(out.len()).ok()?;
    let label_len = u8::try_from(full_len).ok()?;
    let buf = info.get_mut(..total)?;
    buf.get_mut(..2)?.copy_from_slice(&len.to_be_bytes());
    *buf.get_mut(2)? = label_len;
    buf.get_mut(3..9)?.copy_from_slice(b"tls13 ");
    buf.get_mut(9..9 + label.len())?.copy_from_slice(label);
    *buf.get_mut(total - 1)? = 0;
    prk.expand(buf, out).ok()
}

/// RFC 9001 §5.2 (RFC 9369 §3.3 for v2): the client's Initial keys for a given original Destination Connection ID.
fn client_initial_keys(version: QuicVersion, dcid: &[u8]) -> Option<InitialKeys> {
    let initial = Hkdf::<Sha256>::new(Some(version.salt()), dcid);
    let mut client_secret = [0u8; 32];
    expand_label(&initial, b"client in", &mut client_secret)?;
    let client = Hkdf::<Sha256>::from_prk(&client_secret).ok()?;
    let (key_label, iv_label, hp_label) = version.labels();
    let mut keys = InitialKeys {
        key: [0; 16],
        iv: [0; 12],
        hp: [0; 16],
    };
    expand_label(&client, key_label, &mut keys.key)?;
    expand_label(&client, iv_label, &mut keys.iv)?;
    expand_label(&client, hp_label, &mut keys.hp)?;
    Some(keys)
}

/// A variable-length integer used as a length.
fn varint_len(c: &mut Cursor<'_>) -> cursor::Result<usize> {
    usize::try_from(c.get_varint()?).map_err(|_| cursor::Error)
}

fn skip_varints(c: &mut Cursor<'_>, n: usize) -> cursor::Result<()> {
    for _ in 0..n {
        c.get_varint()?;
    }
    Ok(())
}

/// The parsed (still protected) long header of one packet.
struct LongHeader<'a> {
    version: QuicVersion,
    is_initial: bool,
    dcid: &'a [u8],
    /// Offset of the (protected) packet number within the packet.
    pn_offset: usize,
    /// Total length of this packet within the datagram.
    packet_len: usize,
}

/// Parses the long header at the start of `pkt`.
fn parse_long_header(pkt: &[u8]) -> Result<LongHeader<'_>, QuicError> {
    let mut r = Cursor::new(pkt);
    let first = r.get_u8()?;
    if first & 0x80 == 0 {
        return Err(QuicError::NotLongHeader);
    }
    let wire = r.get_u32()?;
    let version = QuicVersion::from_wire(wire).ok_or(QuicError::UnknownVersion)?;
    let is_initial = (first >> 4) & 0b11 == version.initial_type();
    let dcid_len = usize::from(r.get_u8()?);
    if dcid_len > MAX_CID_LEN {
        return Err(QuicError::NotInitial);
    }
    let dcid = r.get_bytes(dcid_len)?;
    let scid_len = usize::from(r.get_u8()?);
    if scid_len > MAX_CID_LEN {
        return Err(QuicError::NotInitial);
    }
    r.skip(scid_len)?;
    let packet_type = (first >> 4) & 0b11;
    // Retry packets (type 0b11 in v1, 0b00 in v2) have no length field: they take the rest of the datagram.
    let is_retry = match version {
        QuicVersion::V2 => packet_type == 0b00,
        _ => packet_type == 0b11,
    };
    if is_retry {
        return Ok(LongHeader {
            version,
            is_initial,
            dcid,
            pn_offset: pkt.len(),
            packet_len: pkt.len(),
        });
    }
    if is_initial {
        let token_len = varint_len(&mut r)?;
        r.skip(token_len)?;
    }
    let length = varint_len(&mut r)?;
    let pn_offset = r.position();
    let packet_len = pn_offset.checked_add(length).ok_or(QuicError::Truncated)?;
    if packet_len > pkt.len() {
        return Err(QuicError::Truncated);
    }
    Ok(LongHeader {
        version,
        is_initial,
        dcid,
        pn_offset,
        packet_len,
    })
}

/// Whether `datagram` starts with a QUIC long header of a known version (cheap check, no crypto).
///
/// Returns the version only when the packet type is Initial for that version and the connection ID lengths are
/// valid.
pub fn looks_like_initial(datagram: &[u8]) -> Option<QuicVersion> {
    let first = datagram.u8_at(0)?;
    if first & 0x80 == 0 {
        return None;
    }
    let version = QuicVersion::from_wire(datagram.u32_at(1)?)?;
    if (first >> 4) & 0b11 != version.initial_type() {
        return None;
    }
    let dcid_len = usize::from(datagram.u8_at(5)?);
    if dcid_len > MAX_CID_LEN {
        return None;
    }
    let scid_len = usize::from(datagram.u8_at(6 + dcid_len)?);
    if scid_len > MAX_CID_LEN {
        return None;
    }
    Some(version)
}

/// Decrypts the client Initial packet(s) at the start of `datagram` (coalesced packets: process every Initial in the
/// datagram, skip others) and writes the CRYPTO stream bytes into `out` at their stream offsets (so out[0..] is the
/// start of the TLS handshake message stream). Returns the number of contiguous bytes available from offset 0
/// (i.e. the length of the prefix of `out` that is fully filled). CRYPTO frames beyond out.len() are ignored.
/// `scratch` is a caller-provided buffer at least as large as the datagram, used for decryption (no allocation).
///
/// Only this datagram's CRYPTO data counts; use [`decrypt_client_initial_into`] to reassemble a ClientHello that
/// spans several datagrams.
pub fn decrypt_client_initial(
    datagram: &[u8],
    scratch: &mut [u8],
    out: &mut [u8],
) -> Result<usize, QuicError> {
    let mut coverage = CryptoCoverage::new();
    decrypt_client_initial_into(datagram, scratch, out, &mut coverage)
}

/// Like [`decrypt_client_initial`], but accumulates across calls: `filled` records which parts of `out` earlier calls
/// (with the same `out`) have written, and the return value is the contiguous prefix over all of them. Start a flow
/// with `CryptoCoverage::new()`.
///
/// Keys are derived from each packet's own Destination Connection ID, which is right for every Initial a client
/// sends before it hears from the server. The first packet of the datagram must be a decryptable client Initial
/// (else its error is returned); later coalesced packets that are not Initials of the same version and connection
/// ID, or that fail to decrypt, are skipped.
pub fn decrypt_client_initial_into(
    datagram: &[u8],
    scratch: &mut [u8],
    out: &mut [u8],
    filled: &mut CryptoCoverage,
) -> Result<usize, QuicError> {
    let first = parse_long_header(datagram)?;
    if !first.is_initial {
        return Err(QuicError::NotInitial);
    }
    let keys = client_initial_keys(first.version, first.dcid).ok_or(QuicError::Decrypt)?;
    let (version, dcid) = (first.version, first.dcid);

    let mut pos = 0usize;
    let mut first_packet = true;
    while let Some(rest) = datagram.get(pos..) {
        if rest.is_empty() {
            break;
        }
        let hdr = match parse_long_header(rest) {
            Ok(h) => h,
            // Short header, padding or garbage after the long-header packets: nothing more to read.
            Err(_) => break,
        };
        let pkt = rest.get(..hdr.packet_len).ok_or(QuicError::Truncated)?;
        if hdr.is_initial && hdr.version == version && hdr.dcid == dcid {
            let result = decrypt_packet(pkt, hdr.pn_offset, &keys, scratch).map(|plain_len| {
                scratch
                    .get(..plain_len)
                    .map(|p| read_frames(p, out, filled))
            });
            if first_packet {
                result?;
            }
        }
        first_packet = false;
        if hdr.packet_len == 0 {
            break;
        }
        pos += hdr.packet_len;
    }
    Ok(filled.contiguous().min(out.len()))
}

/// Removes header protection and decrypts one Initial packet into `scratch`. On success the plaintext frames are
/// `scratch[..n]` for the returned `n`.
fn decrypt_packet(
    pkt: &[u8],
    pn_offset: usize,
    keys: &InitialKeys,
    scratch: &mut [u8],
) -> Result<usize, QuicError> {
    let sample_start = pn_offset.checked_add(4).ok_or(QuicError::Truncated)?;
    let sample: [u8; SAMPLE_LEN] = pkt
        .get(sample_start..sample_start + SAMPLE_LEN)
        .and_then(|s| s.try_into().ok())
        .ok_or(QuicError::Truncated)?;
    let scratch = scratch.get_mut(..pkt.len()).ok_or(QuicError::Truncated)?;
    scratch.copy_from_slice(pkt);

    let mut mask = GenericArray::from(sample);
    Aes128::new(&GenericArray::from(keys.hp)).encrypt_block(&mut mask);
    let first = scratch.first_mut().ok_or(QuicError::Truncated)?;
    *first ^= mask[0] & 0x0f;
    let pn_len = usize::from(*first & 0x03) + 1;
    let mut pn: u64 = 0;
    for i in 0..pn_len {
        let b = scratch.get_mut(pn_offset + i).ok_or(QuicError::Truncated)?;
        *b ^= mask[1 + i];
        pn = (pn << 8) | u64::from(*b);
    }
    let header_len = pn_offset + pn_len;
    let payload_end = pkt.len().checked_sub(TAG_LEN).ok_or(QuicError::Truncated)?;
    if payload_end < header_len {
        return Err(QuicError::Truncated);
    }

    let mut nonce = keys.iv;
    for (n, p) in nonce.iter_mut().skip(4).zip(pn.to_be_bytes()) {
        *n ^= p;
    }
    let (aad, body) = scratch.split_at_mut(header_len);
    let (ciphertext, tag) = body.split_at_mut(payload_end - header_len);
    let tag: [u8; TAG_LEN] = (&*tag).try_into().map_err(|_| QuicError::Truncated)?;
    let aead = Aes128Gcm::new(&GenericArray::from(keys.key));
    aead.decrypt_in_place_detached(
        &GenericArray::from(nonce),
        aad,
        ciphertext,
        &GenericArray::from(tag),
    )
    .map_err(|_| QuicError::Decrypt)?;
    // Move the plaintext to the front of scratch.
    scratch.copy_within(header_len..payload_end, 0);
    Ok(payload_end - header_len)
}

/// Walks the frames of a decrypted Initial payload, copying CRYPTO data into `out`. Stops at the first frame type
/// not allowed (or not expected) in a client Initial, or at a malformed frame.
fn read_frames(plain: &[u8], out: &mut [u8], filled: &mut CryptoCoverage) {
    let mut r = Cursor::new(plain);
    while let Ok(frame_type) = r.get_varint() {
        let ok = match frame_type {
            0x00 | 0x01 => Ok(()),
            0x02 | 0x03 => skip_ack(&mut r, frame_type == 0x03),
            0x06 => read_crypto(&mut r, out, filled),
            0x1c | 0x1d => skip_connection_close(&mut r, frame_type == 0x1c),
            _ => Err(cursor::Error),
        };
        if ok.is_err() {
            break;
        }
    }
}

fn skip_ack(r: &mut Cursor<'_>, ecn: bool) -> cursor::Result<()> {
    skip_varints(r, 2)?; // largest acknowledged, ack delay
    let ranges = r.get_varint()?;
    r.get_varint()?; // first ack range
    for _ in 0..ranges {
        skip_varints(r, 2)?; // gap, ack range length
    }
    if ecn {
        skip_varints(r, 3)?;
    }
    Ok(())
}

fn skip_connection_close(r: &mut Cursor<'_>, transport: bool) -> cursor::Result<()> {
    r.get_varint()?; // error code
    if transport {
        r.get_varint()?; // frame type
    }
    let reason_len = varint_len(r)?;
    r.skip(reason_len)
}

fn read_crypto(
    r: &mut Cursor<'_>,
    out: &mut [u8],
    filled: &mut CryptoCoverage,
) -> cursor::Result<()> {
    let offset = r.get_varint()?;
    let len = varint_len(r)?;
    let data = r.get_bytes(len)?;
    let Ok(start) = usize::try_from(offset) else {
        return Ok(()); // far beyond any buffer
    };
    if start >= out.len() {
        return Ok(());
    }
    let end = start.saturating_add(data.len()).min(out.len());
    let n = end - start;
    let (Some(dst), Some(src)) = (out.get_mut(start..end), data.get(..n)) else {
        return Err(cursor::Error);
    };
    dst.copy_from_slice(src);
    if let (Ok(s), Ok(e)) = (u32::try_from(start), u32::try_from(end)) {
        filled.insert(s, e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .map(|b| (b as char).to_digit(16).expect("hex digit") as u8)
            .collect();
        assert_eq!(digits.len() % 2, 0, "odd hex length");
        digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect()
    }

    const DCID: &str = "8394c8f03e515708";

    /// RFC 9001 §A.2 / RFC 9369 §A.2: the CRYPTO frame of the client Initial (before PADDING).
    const CLIENT_CRYPTO_FRAME: &str = "
        060040f1010000ed0303ebf8fa56f129 39b9584a3896472ec40bb863cfd3e868
        04fe3a47f06a2b69484c000004130113 02010000c000000010000e00000b6578
        616d706c652e636f6dff01000100000a 00080006001d00170018001000070005
        04616c706e0005000501000000000033 00260024001d00209370b2c9caa47fba
        baf4559fedba753de171fa71f50f1ce1 5d43e994ec74d748002b000302030400
        0d0010000e0403050306030203080408 050806002d00020101001c0002400100
        3900320408ffffffffffffffff050480 00ffff07048000ffff08011001048000
        75300901100f088394c8f03e51570806 048000ffff";

    /// RFC 9001 §A.2: the resulting protected packet.
    const RFC9001_CLIENT_INITIAL: &str = "
        c000000001088394c8f03e5157080000 449e7b9aec34d1b1c98dd7689fb8ec11
        d242b123dc9bd8bab936b47d92ec356c 0bab7df5976d27cd449f63300099f399
        1c260ec4c60d17b31f8429157bb35a12 82a643a8d2262cad67500cadb8e7378c
        8eb7539ec4d4905fed1bee1fc8aafba1 7c750e2c7ace01e6005f80fcb7df6212
        30c83711b39343fa028cea7f7fb5ff89 eac2308249a02252155e2347b63d58c5
        457afd84d05dfffdb20392844ae81215 4682e9cf012f9021a6f0be17ddd0c208
        4dce25ff9b06cde535d0f920a2db1bf3 62c23e596d11a4f5a6cf3948838a3aec
        4e15daf8500a6ef69ec4e3feb6b1d98e 610ac8b7ec3faf6ad760b7bad1db4ba3
        485e8a94dc250ae3fdb41ed15fb6a8e5 eba0fc3dd60bc8e30c5c4287e53805db
        059ae0648db2f64264ed5e39be2e20d8 2df566da8dd5998ccabdae053060ae6c
        7b4378e846d29f37ed7b4ea9ec5d82e7 961b7f25a9323851f681d582363aa5f8
        9937f5a67258bf63ad6f1a0b1d96dbd4 faddfcefc5266ba6611722395c906556
        be52afe3f565636ad1b17d508b73d874 3eeb524be22b3dcbc2c7468d54119c74
        68449a13d8e3b95811a198f3491de3e7 fe942b330407abf82a4ed7c1b311663a
        c69890f4157015853d91e923037c227a 33cdd5ec281ca3f79c44546b9d90ca00
        f064c99e3dd97911d39fe9c5d0b23a22 9a234cb36186c4819e8b9c5927726632
        291d6a418211cc2962e20fe47feb3edf 330f2c603a9d48c0fcb5699dbfe58964
        25c5bac4aee82e57a85aaf4e2513e4f0 5796b07ba2ee47d80506f8d2c25e50fd
        14de71e6c418559302f939b0e1abd576 f279c4b2e0feb85c1f28ff18f58891ff
        ef132eef2fa09346aee33c28eb130ff2 8f5b766953334113211996d20011a198
        e3fc433f9f2541010ae17c1bf202580f 6047472fb36857fe843b19f5984009dd
        c324044e847a4f4a0ab34f719595de37 252d6235365e9b84392b061085349d73
        203a4a13e96f5432ec0fd4a1ee65accd d5e3904df54c1da510b0ff20dcc0c77f
        cb2c0e0eb605cb0504db87632cf3d8b4 dae6e705769d1de354270123cb11450e
        fc60ac47683d7b8d0f811365565fd98c 4c8eb936bcab8d069fc33bd801b03ade
        a2e1fbc5aa463d08ca19896d2bf59a07 1b851e6c239052172f296bfb5e724047
        90a2181014f3b94a4e97d117b4381303 68cc39dbb2d198065ae3986547926cd2
        162f40a29f0c3c8745c0f50fba3852e5 66d44575c29d39a03f0cda721984b6f4
        40591f355e12d439ff150aab7613499d bd49adabc8676eef023b15b65bfc5ca0
        6948109f23f350db82123535eb8a7433 bdabcb909271a6ecbcb58b936a88cd4e
        8f2e6ff5800175f113253d8fa9ca8885 c2f552e657dc603f252e1a8e308f76f0
        be79e2fb8f5d5fbbe2e30ecadd220723 c8c0aea8078cdfcb3868263ff8f09400
        54da48781893a7e49ad5aff4af300cd8 04a6b6279ab3ff3afb64491c85194aab
        760d58a606654f9f4400e8b38591356f bf6425aca26dc85244259ff2b19c41b9
        f96f3ca9ec1dde434da7d2d392b905dd f3d1f9af93d1af5950bd493f5aa731b4
        056df31bd267b6b90a079831aaf579be 0a39013137aac6d404f518cfd4684064
        7e78bfe706ca4cf5e9c5453e9f7cfd2b 8b4c8d169a44e55c88d4a9a7f9474241
        e221af44860018ab0856972e194cd934";

    /// RFC 9369 §A.2: the resulting protected packet (QUIC v2).
    const RFC9369_CLIENT_INITIAL: &str = "
        d76b3343cf088394c8f03e5157080000 449ea0c95e82ffe67b6abcdb4298b485
        dd04de806071bf03dceebfa162e75d6c 96058bdbfb127cdfcbf903388e99ad04
        9f9a3dd4425ae4d0992cfff18ecf0fdb 5a842d09747052f17ac2053d21f57c5d
        250f2c4f0e0202b70785b7946e992e58 a59ac52dea6774d4f03b55545243cf1a
        12834e3f249a78d395e0d18f4d766004 f1a2674802a747eaa901c3f10cda5500
        cb9122faa9f1df66c392079a1b40f0de 1c6054196a11cbea40afb6ef5253cd68
        18f6625efce3b6def6ba7e4b37a40f77 32e093daa7d52190935b8da58976ff33
        12ae50b187c1433c0f028edcc4c2838b 6a9bfc226ca4b4530e7a4ccee1bfa2a3
        d396ae5a3fb512384b2fdd851f784a65 e03f2c4fbe11a53c7777c023462239dd
        6f7521a3f6c7d5dd3ec9b3f233773d4b 46d23cc375eb198c63301c21801f6520
        bcfb7966fc49b393f0061d974a2706df 8c4a9449f11d7f3d2dcbb90c6b877045
        636e7c0c0fe4eb0f697545460c806910 d2c355f1d253bc9d2452aaa549e27a1f
        ac7cf4ed77f322e8fa894b6a83810a34 b361901751a6f5eb65a0326e07de7c12
        16ccce2d0193f958bb3850a833f7ae43 2b65bc5a53975c155aa4bcb4f7b2c4e5
        4df16efaf6ddea94e2c50b4cd1dfe060 17e0e9d02900cffe1935e0491d77ffb4
        fdf85290fdd893d577b1131a610ef6a5 c32b2ee0293617a37cbb08b847741c3b
        8017c25ca9052ca1079d8b78aebd4787 6d330a30f6a8c6d61dd1ab5589329de7
        14d19d61370f8149748c72f132f0fc99 f34d766c6938597040d8f9e2bb522ff9
        9c63a344d6a2ae8aa8e51b7b90a4a806 105fcbca31506c446151adfeceb51b91
        abfe43960977c87471cf9ad4074d30e1 0d6a7f03c63bd5d4317f68ff325ba3bd
        80bf4dc8b52a0ba031758022eb025cdd 770b44d6d6cf0670f4e990b22347a7db
        848265e3e5eb72dfe8299ad7481a4083 22cac55786e52f633b2fb6b614eaed18
        d703dd84045a274ae8bfa73379661388 d6991fe39b0d93debb41700b41f90a15
        c4d526250235ddcd6776fc77bc97e7a4 17ebcb31600d01e57f32162a8560cacc
        7e27a096d37a1a86952ec71bd89a3e9a 30a2a26162984d7740f81193e8238e61
        f6b5b984d4d3dfa033c1bb7e4f0037fe bf406d91c0dccf32acf423cfa1e70710
        10d3f270121b493ce85054ef58bada42 310138fe081adb04e2bd901f2f13458b
        3d6758158197107c14ebb193230cd115 7380aa79cae1374a7c1e5bbcb80ee23e
        06ebfde206bfb0fcbc0edc4ebec30966 1bdd908d532eb0c6adc38b7ca7331dce
        8dfce39ab71e7c32d318d136b6100671 a1ae6a6600e3899f31f0eed19e3417d1
        34b90c9058f8632c798d4490da498730 7cba922d61c39805d072b589bd52fdf1
        e86215c2d54e6670e07383a27bbffb5a ddf47d66aa85a0c6f9f32e59d85a44dd
        5d3b22dc2be80919b490437ae4f36a0a e55edf1d0b5cb4e9a3ecabee93dfc6e3
        8d209d0fa6536d27a5d6fbb17641cde2 7525d61093f1b28072d111b2b4ae5f89
        d5974ee12e5cf7d5da4d6a31123041f3 3e61407e76cffcdcfd7e19ba58cf4b53
        6f4c4938ae79324dc402894b44faf8af bab35282ab659d13c93f70412e85cb19
        9a37ddec600545473cfb5a05e08d0b20 9973b2172b4d21fb69745a262ccde96b
        a18b2faa745b6fe189cf772a9f84cbfc";

    /// The ClientHello carried by both RFC packets (CRYPTO frame data, offset 0, 241 bytes).
    fn rfc_client_hello() -> Vec<u8> {
        hex(CLIENT_CRYPTO_FRAME)[4..].to_vec()
    }

    fn decrypt(datagram: &[u8], out_len: usize) -> (Result<usize, QuicError>, Vec<u8>) {
        let mut scratch = vec![0u8; datagram.len()];
        let mut out = vec![0u8; out_len];
        let r = decrypt_client_initial(datagram, &mut scratch, &mut out);
        (r, out)
    }

    #[test]
    fn rfc9001_client_keys() {
        let keys = client_initial_keys(QuicVersion::V1, &hex(DCID)).expect("keys");
        assert_eq!(keys.key.to_vec(), hex("1f369613dd76d5467730efcbe3b1a22d"));
        assert_eq!(keys.iv.to_vec(), hex("fa044b2f42a3fd3b46fb255c"));
        assert_eq!(keys.hp.to_vec(), hex("9f50449e04a0e810283a1e9933adedd2"));
    }

    #[test]
    fn rfc9369_client_keys() {
        let keys = client_initial_keys(QuicVersion::V2, &hex(DCID)).expect("keys");
        assert_eq!(keys.key.to_vec(), hex("8b1a0bc121284290a29e0971b5cd045d"));
        assert_eq!(keys.iv.to_vec(), hex("91f73e2351d8fa91660e909f"));
        assert_eq!(keys.hp.to_vec(), hex("45b95e15235d6f45a6b19cbcb0294ba9"));
    }

    #[test]
    fn rfc9001_client_initial_decrypts() {
        let pkt = hex(RFC9001_CLIENT_INITIAL);
        assert_eq!(pkt.len(), 1200);
        assert_eq!(looks_like_initial(&pkt), Some(QuicVersion::V1));
        let (r, out) = decrypt(&pkt, 4096);
        let ch = rfc_client_hello();
        assert_eq!(ch.len(), 241);
        assert_eq!(r, Ok(241));
        assert_eq!(&out[..241], &ch[..]);
        assert_eq!(&out[..6], &hex("010000ed0303")[..]);
    }

    #[test]
    fn rfc9369_client_initial_decrypts() {
        let pkt = hex(RFC9369_CLIENT_INITIAL);
        assert_eq!(pkt.len(), 1200);
        assert_eq!(looks_like_initial(&pkt), Some(QuicVersion::V2));
        let (r, out) = decrypt(&pkt, 4096);
        assert_eq!(r, Ok(241));
        assert_eq!(&out[..241], &rfc_client_hello()[..]);
    }

    /// Builds a protected client Initial (test-only encoder): 4-byte packet number, empty SCID and token,
    /// `frames` followed by PADDING up to `payload_len` bytes of plaintext.
    fn protect(
        version: QuicVersion,
        wire: u32,
        dcid: &[u8],
        pn: u32,
        frames: &[u8],
        payload_len: usize,
    ) -> Vec<u8> {
        let keys = client_initial_keys(version, dcid).expect("keys");
        let payload_len = payload_len.max(frames.len());
        let mut pkt = vec![0xc3 | (version.initial_type() << 4)];
        pkt.extend_from_slice(&wire.to_be_bytes());
        pkt.push(dcid.len() as u8);
        pkt.extend_from_slice(dcid);
        pkt.push(0); // SCID length
        pkt.push(0); // token length
        let length = (4 + payload_len + TAG_LEN) as u16;
        pkt.extend_from_slice(&(0x4000 | length).to_be_bytes());
        let pn_offset = pkt.len();
        pkt.extend_from_slice(&pn.to_be_bytes());
        let header_len = pkt.len();
        let mut payload = frames.to_vec();
        payload.resize(payload_len, 0);
        let mut nonce = keys.iv;
        for (n, p) in nonce.iter_mut().skip(4).zip(u64::from(pn).to_be_bytes()) {
            *n ^= p;
        }
        let aead = Aes128Gcm::new(&GenericArray::from(keys.key));
        let tag = aead
            .encrypt_in_place_detached(&GenericArray::from(nonce), &pkt, &mut payload)
            .expect("encrypt");
        pkt.extend_from_slice(&payload);
        pkt.extend_from_slice(&tag);
        let mut mask = GenericArray::clone_from_slice(&pkt[pn_offset + 4..pn_offset + 20]);
        Aes128::new(&GenericArray::from(keys.hp)).encrypt_block(&mut mask);
        pkt[0] ^= mask[0] & 0x0f;
        for i in 0..4 {
            pkt[pn_offset + i] ^= mask[1 + i];
        }
        assert_eq!(header_len, pn_offset + 4);
        pkt
    }

    fn v1(dcid: &[u8], pn: u32, frames: &[u8], payload_len: usize) -> Vec<u8> {
        protect(QuicVersion::V1, VERSION_V1, dcid, pn, frames, payload_len)
    }

    fn crypto_frame(offset: usize, data: &[u8]) -> Vec<u8> {
        let mut f = vec![0x06, 0x80, 0, 0, 0, 0x80, 0, 0, 0];
        f[1..5].copy_from_slice(&(0x8000_0000u32 | offset as u32).to_be_bytes());
        f[5..9].copy_from_slice(&(0x8000_0000u32 | data.len() as u32).to_be_bytes());
        f.extend_from_slice(data);
        f
    }

    #[test]
    fn test_encoder_reproduces_rfc9001_and_rfc9369_packets() {
        let dcid = hex(DCID);
        let frames = hex(CLIENT_CRYPTO_FRAME);
        assert_eq!(v1(&dcid, 2, &frames, 1162), hex(RFC9001_CLIENT_INITIAL));
        assert_eq!(
            protect(QuicVersion::V2, VERSION_V2, &dcid, 2, &frames, 1162),
            hex(RFC9369_CLIENT_INITIAL)
        );
    }

    #[test]
    fn drafts_and_mvfst() {
        let dcid = hex("0011223344556677");
        let frames = hex(CLIENT_CRYPTO_FRAME);
        for (wire, version) in [
            (0xff00_001b, QuicVersion::Draft(27)),
            (0xff00_001c, QuicVersion::Draft(28)),
            (0xff00_001d, QuicVersion::Draft(29)),
            (0xff00_0020, QuicVersion::Draft(32)),
            (0xff00_0021, QuicVersion::Draft(33)),
            (0xff00_0022, QuicVersion::Draft(34)),
            (0xface_b002, QuicVersion::Draft(27)),
            (0xface_b00e, QuicVersion::Draft(27)),
        ] {
            let pkt = protect(version, wire, &dcid, 0, &frames, 1162);
            assert_eq!(looks_like_initial(&pkt), Some(version), "{wire:#x}");
            let (r, out) = decrypt(&pkt, 512);
            assert_eq!(r, Ok(241), "{wire:#x}");
            assert_eq!(&out[..241], &rfc_client_hello()[..]);
        }
        // Salts: draft 29-32 share one, 33/34 use v1's, 27/28 the draft-23 one.
        assert_eq!(QuicVersion::Draft(29).salt(), QuicVersion::Draft(32).salt());
        assert_eq!(QuicVersion::Draft(33).salt(), QuicVersion::V1.salt());
        assert_eq!(QuicVersion::Draft(27).salt(), &SALT_DRAFT_23);
        assert_ne!(QuicVersion::Draft(28).salt(), QuicVersion::Draft(29).salt());
        // A draft-29 packet is not decryptable as draft 27 (different salt).
        let mut pkt = protect(QuicVersion::Draft(29), 0xff00_001d, &dcid, 0, &frames, 1162);
        pkt[1..5].copy_from_slice(&0xff00_001bu32.to_be_bytes());
        assert_eq!(decrypt(&pkt, 512).0, Err(QuicError::Decrypt));
    }

    #[test]
    fn errors() {
        let pkt = hex(RFC9001_CLIENT_INITIAL);
        assert_eq!(decrypt(&[], 64).0, Err(QuicError::Truncated));
        assert_eq!(
            decrypt(&[0x40, 1, 2, 3], 64).0,
            Err(QuicError::NotLongHeader)
        );
        let mut unknown = pkt.clone();
        unknown[1..5].copy_from_slice(&[0x0a, 0x1a, 0x2a, 0x3a]);
        assert_eq!(decrypt(&unknown, 64).0, Err(QuicError::UnknownVersion));
        assert_eq!(looks_like_initial(&unknown), None);
        let mut vn = pkt.clone();
        vn[1..5].copy_from_slice(&[0, 0, 0, 0]);
        assert_eq!(decrypt(&vn, 64).0, Err(QuicError::UnknownVersion));
        let mut handshake = pkt.clone();
        handshake[0] = 0xe0; // v1 Handshake
        assert_eq!(decrypt(&handshake, 64).0, Err(QuicError::NotInitial));
        assert_eq!(looks_like_initial(&handshake), None);
        // v1 Initial type bits under the v2 version number: a v2 Retry, not an Initial.
        let mut v2_retry = pkt.clone();
        v2_retry[1..5].copy_from_slice(&VERSION_V2.to_be_bytes());
        assert_eq!(decrypt(&v2_retry, 64).0, Err(QuicError::NotInitial));
        let mut long_cid = pkt.clone();
        long_cid[5] = 21;
        assert_eq!(decrypt(&long_cid, 64).0, Err(QuicError::NotInitial));
        assert_eq!(decrypt(&pkt[..1199], 64).0, Err(QuicError::Truncated));
        assert_eq!(decrypt(&pkt[..30], 64).0, Err(QuicError::Truncated));
        assert_eq!(looks_like_initial(&pkt[..30]), Some(QuicVersion::V1));
        let mut corrupt = pkt.clone();
        corrupt[600] ^= 1;
        assert_eq!(decrypt(&corrupt, 64).0, Err(QuicError::Decrypt));
        let mut wrong_dcid = pkt.clone();
        wrong_dcid[6] ^= 1;
        assert_eq!(decrypt(&wrong_dcid, 64).0, Err(QuicError::Decrypt));
        // Scratch smaller than the packet.
        let mut scratch = vec![0u8; 1000];
        let mut out = vec![0u8; 64];
        assert_eq!(
            decrypt_client_initial(&pkt, &mut scratch, &mut out),
            Err(QuicError::Truncated)
        );
    }

    #[test]
    fn small_out_buffer_gets_prefix() {
        let pkt = hex(RFC9001_CLIENT_INITIAL);
        let (r, out) = decrypt(&pkt, 100);
        assert_eq!(r, Ok(100));
        assert_eq!(&out[..], &rfc_client_hello()[..100]);
        assert_eq!(decrypt(&pkt, 0).0, Ok(0));
    }

    #[test]
    fn trailing_datagram_padding_and_other_packets_are_skipped() {
        let mut dgram = hex(RFC9001_CLIENT_INITIAL);
        dgram.extend_from_slice(&[0u8; 100]); // padding after the packet
        assert_eq!(decrypt(&dgram, 512).0, Ok(241));

        let dcid = hex(DCID);
        let ch = rfc_client_hello();
        let mut dgram = v1(&dcid, 0, &crypto_frame(0, &ch[..100]), 200);
        // A coalesced v1 0-RTT packet (type 0b01) with a length field, to be skipped.
        dgram.extend_from_slice(&[0xd0, 0, 0, 0, 1, 8]);
        dgram.extend_from_slice(&dcid);
        dgram.extend_from_slice(&[0, 0x40, 30]);
        dgram.extend_from_slice(&[0xaa; 30]);
        // Then the second Initial.
        dgram.extend_from_slice(&v1(&dcid, 1, &crypto_frame(100, &ch[100..]), 200));
        // And a short-header packet taking the rest.
        dgram.extend_from_slice(&[0x40, 1, 2, 3, 4, 5]);
        let (r, out) = decrypt(&dgram, 512);
        assert_eq!(r, Ok(241));
        assert_eq!(&out[..241], &ch[..]);
    }

    #[test]
    fn coalesced_initial_with_other_dcid_or_bad_tag_is_skipped() {
        let dcid = hex(DCID);
        let ch = rfc_client_hello();
        let mut dgram = v1(&dcid, 0, &crypto_frame(0, &ch[..100]), 200);
        dgram.extend_from_slice(&v1(
            &hex("0102030405060708"),
            1,
            &crypto_frame(100, &ch[100..]),
            200,
        ));
        assert_eq!(decrypt(&dgram, 512).0, Ok(100));
        let mut dgram = v1(&dcid, 0, &crypto_frame(0, &ch[..100]), 200);
        let mut second = v1(&dcid, 1, &crypto_frame(100, &ch[100..]), 200);
        let n = second.len();
        second[n - 1] ^= 0x80;
        dgram.extend_from_slice(&second);
        assert_eq!(decrypt(&dgram, 512).0, Ok(100));
    }

    #[test]
    fn other_frames_are_skipped_and_unknown_frames_stop() {
        let dcid = hex(DCID);
        let ch = rfc_client_hello();
        let mut frames = vec![0x01, 0x00, 0x00]; // PING, PADDING
        frames.extend_from_slice(&[0x02, 0x05, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00]); // ACK, 2 ranges
        frames.extend_from_slice(&[0x03, 0x05, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03]); // ACK with ECN counts
        frames.extend_from_slice(&crypto_frame(120, &ch[120..]));
        frames.extend_from_slice(&[0x1c, 0x0a, 0x06, 0x03, b'a', b'b', b'c']); // CONNECTION_CLOSE (transport)
        frames.extend_from_slice(&[0x1d, 0x0a, 0x02, b'x', b'y']); // CONNECTION_CLOSE (application)
        frames.extend_from_slice(&crypto_frame(0, &ch[..120]));
        frames.extend_from_slice(&[0x08, 0x00]); // STREAM: stop here
        frames.extend_from_slice(&crypto_frame(241, b"never read"));
        let pkt = v1(&dcid, 0, &frames, 1162);
        let (r, out) = decrypt(&pkt, 512);
        assert_eq!(r, Ok(241));
        assert_eq!(&out[..241], &ch[..]);
        assert!(out[241..].iter().all(|&b| b == 0));
        // A malformed ACK (range count larger than the payload) stops the walk without harm.
        let mut frames = vec![
            0x02, 0x00, 0x00, 0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,
        ];
        frames.extend_from_slice(&crypto_frame(0, &ch));
        assert_eq!(decrypt(&v1(&dcid, 0, &frames, 1162), 512).0, Ok(0));
    }

    #[test]
    fn client_hello_across_datagrams() {
        let dcid = hex(DCID);
        let ch = rfc_client_hello();
        let first = v1(&dcid, 0, &crypto_frame(0, &ch[..150]), 1162);
        let second = v1(&dcid, 1, &crypto_frame(150, &ch[150..]), 1162);
        let mut scratch = vec![0u8; 1500];
        // In order.
        let mut out = [0u8; 1024];
        let mut cov = CryptoCoverage::new();
        assert_eq!(
            decrypt_client_initial_into(&first, &mut scratch, &mut out, &mut cov),
            Ok(150)
        );
        assert_eq!(
            decrypt_client_initial_into(&second, &mut scratch, &mut out, &mut cov),
            Ok(241)
        );
        assert_eq!(&out[..241], &ch[..]);
        // Out of order.
        let mut out = [0u8; 1024];
        let mut cov = CryptoCoverage::default();
        assert_eq!(
            decrypt_client_initial_into(&second, &mut scratch, &mut out, &mut cov),
            Ok(0)
        );
        assert_eq!(cov.contiguous(), 0);
        assert_eq!(
            decrypt_client_initial_into(&first, &mut scratch, &mut out, &mut cov),
            Ok(241)
        );
        assert_eq!(&out[..241], &ch[..]);
        // A failed datagram leaves earlier coverage alone.
        let mut bad = second.clone();
        bad[700] ^= 4;
        let mut out = [0u8; 1024];
        let mut cov = CryptoCoverage::new();
        assert_eq!(
            decrypt_client_initial_into(&first, &mut scratch, &mut out, &mut cov),
            Ok(150)
        );
        assert_eq!(
            decrypt_client_initial_into(&bad, &mut scratch, &mut out, &mut cov),
            Err(QuicError::Decrypt)
        );
        assert_eq!(cov.contiguous(), 150);
    }

    #[test]
    fn coverage_merges_and_overflows_conservatively() {
        let mut c = CryptoCoverage::new();
        c.insert(10, 20);
        c.insert(30, 40);
        assert_eq!(c.contiguous(), 0);
        c.insert(0, 10);
        assert_eq!(c.contiguous(), 20);
        c.insert(20, 30);
        assert_eq!(c.contiguous(), 40);
        c.insert(5, 5); // empty
        c.insert(35, 50);
        assert_eq!(c.contiguous(), 50);
        // Many disjoint ranges: the furthest are forgotten, the prefix keeps growing correctly.
        let mut c = CryptoCoverage::new();
        for i in 0..20u32 {
            c.insert(100 + i * 10, 105 + i * 10);
        }
        assert_eq!(c.len, COVERAGE_RANGES);
        c.insert(0, 100);
        assert_eq!(c.contiguous(), 105);
        c.insert(105, 110);
        assert_eq!(c.contiguous(), 115);
        c.insert(50, 1000);
        assert_eq!(c.contiguous(), 1000);
        assert_eq!(c.len, 1);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(256)))]

        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..1500), out_len in 0usize..600) {
            let mut scratch = vec![0u8; data.len()];
            let mut out = vec![0u8; out_len];
            let _ = looks_like_initial(&data);
            if let Ok(n) = decrypt_client_initial(&data, &mut scratch, &mut out) {
                prop_assert!(n <= out_len);
            }
        }

        #[test]
        fn random_long_headers_never_panic(
            first in 0x80u8..=0xff,
            version in prop_oneof![Just(VERSION_V1), Just(VERSION_V2), Just(0xff00_001du32), Just(0xface_b002u32)],
            rest in proptest::collection::vec(any::<u8>(), 0..1300),
            scratch_len in 0usize..1400,
        ) {
            let mut data = vec![first];
            data.extend_from_slice(&version.to_be_bytes());
            data.extend_from_slice(&rest);
            let mut scratch = vec![0u8; scratch_len];
            let mut out = vec![0u8; 300];
            let _ = looks_like_initial(&data);
            let _ = decrypt_client_initial(&data, &mut scratch, &mut out);
        }

        #[test]
        fn mutated_rfc_packet_never_panics(
            v2 in any::<bool>(),
            edits in proptest::collection::vec((0usize..1200, any::<u8>()), 1..8),
            cut in 0usize..1300,
            out_len in 0usize..400,
        ) {
            let mut pkt = hex(if v2 { RFC9369_CLIENT_INITIAL } else { RFC9001_CLIENT_INITIAL });
            for (i, b) in edits {
                pkt[i] ^= b;
            }
            pkt.truncate(cut);
            let mut scratch = vec![0u8; pkt.len()];
            let mut out = vec![0u8; out_len];
            let mut cov = CryptoCoverage::new();
            if let Ok(n) = decrypt_client_initial_into(&pkt, &mut scratch, &mut out, &mut cov) {
                prop_assert!(n <= out_len);
            }
        }

        #[test]
        fn any_split_and_order_reassembles(
            mut cuts in proptest::collection::vec(1usize..241, 0..6),
            order_seed in any::<u64>(),
            coalesce in any::<bool>(),
        ) {
            let dcid = hex(DCID);
            let ch = rfc_client_hello();
            cuts.push(0);
            cuts.push(241);
            cuts.sort_unstable();
            cuts.dedup();
            let mut chunks: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
            // Deterministic shuffle from the seed.
            let mut s = order_seed | 1;
            for i in (1..chunks.len()).rev() {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                chunks.swap(i, (s % (i as u64 + 1)) as usize);
            }
            let packets: Vec<Vec<u8>> = chunks
                .iter()
                .enumerate()
                .map(|(pn, &(a, b))| v1(&dcid, pn as u32, &crypto_frame(a, &ch[a..b]), 300))
                .collect();
            let mut out = vec![0u8; 1024];
            let mut cov = CryptoCoverage::new();
            let mut scratch = vec![0u8; 4096];
            let mut last = 0;
            if coalesce {
                let dgram: Vec<u8> = packets.concat();
                last = decrypt_client_initial_into(&dgram, &mut scratch, &mut out, &mut cov).expect("decrypts");
            } else {
                for p in &packets {
                    let n = decrypt_client_initial_into(p, &mut scratch, &mut out, &mut cov).expect("decrypts");
                    prop_assert!(n >= last);
                    last = n;
                }
            }
            prop_assert_eq!(last, 241);
            prop_assert_eq!(&out[..241], &ch[..]);
        }
    }
}
