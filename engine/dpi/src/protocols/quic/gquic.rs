//! Google QUIC's client hello (CHLO): a plaintext tag/value message in the first packets of gQUIC versions up to
//! Q046. Values are found through a table of (tag, end offset) pairs that follows the message tag.

use xntop_wire::cursor::ReadAt;

/// The value of `tag` in the CHLO found in `datagram`.
#[must_use]
pub fn chlo_tag(datagram: &[u8], tag: [u8; 4]) -> Option<&[u8]> {
    let start = datagram.windows(4).position(|w| w == b"CHLO")?;
    let msg = &datagram[start + 4..];
    let count = usize::from(msg.u16_le_at(0)?);
    if count == 0 || count > 64 {
        return None;
    }
    let table = msg.get(4..4 + 8 * count)?;
    let values = &msg[4 + 8 * count..];
    let mut begin = 0usize;
    for entry in table.chunks_exact(8) {
        let end = entry.u32_le_at(4)? as usize;
        if end < begin {
            return None;
        }
        if entry[..4] == tag {
            return values.get(begin..end);
        }
        begin = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chlo(tags: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
        let mut m = b"\x0d\x01\x02\x03\x04\x05\x06\x07\x08Q043\x01\x00CHLO".to_vec();
        m.extend_from_slice(&(tags.len() as u16).to_le_bytes());
        m.extend_from_slice(&[0, 0]);
        let mut end = 0u32;
        for (t, v) in tags {
            end += v.len() as u32;
            m.extend_from_slice(*t);
            m.extend_from_slice(&end.to_le_bytes());
        }
        for (_, v) in tags {
            m.extend_from_slice(v);
        }
        m
    }

    #[test]
    fn finds_tags() {
        let m = chlo(&[
            (b"PAD\0", &[0; 10]),
            (b"SNI\0", b"www.google.com"),
            (b"UAID", b"Chrome/80"),
        ]);
        assert_eq!(chlo_tag(&m, *b"SNI\0"), Some(&b"www.google.com"[..]));
        assert_eq!(chlo_tag(&m, *b"UAID"), Some(&b"Chrome/80"[..]));
        assert_eq!(chlo_tag(&m, *b"VER\0"), None);
        assert_eq!(chlo_tag(&m[..m.len() - 5], *b"UAID"), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let mut m = b"CHLO".to_vec();
            m.extend_from_slice(&b);
            let _ = chlo_tag(&m, *b"SNI\0");
            let _ = chlo_tag(&b, *b"SNI\0");
        }
    }
}
