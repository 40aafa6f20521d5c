//! SSH (RFC 4253) metadata: the identification strings of both sides and the HASSH fingerprints (Salesforce) of
//! their KEXINIT messages — MD5 of the key-exchange, cipher, MAC and compression lists a side offers.

use crate::ja::md5_hex;
use xntop_wire::cursor::Cursor;

/// The identification line at the start of `p` ("SSH-2.0-OpenSSH_9.2p1 Debian-2"), without CR LF.
#[must_use]
pub fn banner(p: &[u8]) -> Option<&[u8]> {
    if !p.starts_with(b"SSH-") {
        return None;
    }
    let end = p
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(p.len());
    Some(&p[..end.min(255)])
}

/// The KEXINIT name-lists HASSH is made of, from a binary packet at the start of `p` (or after a banner line in
/// the same segment). `client` picks the client→server lists (HASSH) or the server→client ones (HASSH-server).
#[must_use]
pub fn hassh(p: &[u8], client: bool) -> Option<[u8; 32]> {
    // Skip an identification line sent in the same segment.
    let p = if p.starts_with(b"SSH-") {
        let nl = p.iter().position(|&b| b == b'\n')?;
        &p[nl + 1..]
    } else {
        p
    };
    let mut c = Cursor::new(p);
    let len = c.get_u32().ok()?;
    if !(16..=35_000).contains(&len) {
        return None;
    }
    let _padding = c.get_u8().ok()?;
    if c.get_u8().ok()? != 20 {
        return None;
    }
    c.skip(16).ok()?; // cookie
    let mut lists: [&[u8]; 10] = [&[]; 10];
    for l in &mut lists {
        let n = c.get_u32().ok()?;
        *l = c.get_bytes(usize::try_from(n).ok()?).ok()?;
    }
    // kex, host key, enc c2s, enc s2c, mac c2s, mac s2c, comp c2s, comp s2c, lang c2s, lang s2c
    let (enc, mac, comp) = if client { (2, 4, 6) } else { (3, 5, 7) };
    let mut buf = [0u8; 4096];
    let mut n = 0;
    for (i, part) in [lists[0], lists[enc], lists[mac], lists[comp]]
        .iter()
        .enumerate()
    {
        if i > 0 {
            *buf.get_mut(n)? = b';';
            n += 1;
        }
        buf.get_mut(n..n + part.len())?.copy_from_slice(part);
        n += part.len();
    }
    Some(md5_hex(&buf[..n]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A KEXINIT carrying the given lists, framed as OpenSSH frames it.
    fn kexinit(lists: [&str; 10]) -> Vec<u8> {
        let mut body = vec![20u8];
        body.extend_from_slice(&[0x11; 16]);
        for l in lists {
            body.extend_from_slice(&(l.len() as u32).to_be_bytes());
            body.extend_from_slice(l.as_bytes());
        }
        body.extend_from_slice(&[0, 0, 0, 0, 0]);
        let padding = 4u8;
        let mut p = ((body.len() + 1 + usize::from(padding)) as u32)
            .to_be_bytes()
            .to_vec();
        p.push(padding);
        p.extend_from_slice(&body);
        p.extend_from_slice(&[0; 4]);
        p
    }

    #[test]
    fn hassh_is_md5_of_the_four_lists() {
        let p = kexinit([
            "kex1,kex2",
            "ssh-ed25519",
            "aes128-ctr",
            "aes256-ctr",
            "hmac-sha2-256",
            "hmac-sha1",
            "none",
            "zlib",
            "",
            "",
        ]);
        assert_eq!(
            hassh(&p, true),
            Some(md5_hex(b"kex1,kex2;aes128-ctr;hmac-sha2-256;none"))
        );
        assert_eq!(
            hassh(&p, false),
            Some(md5_hex(b"kex1,kex2;aes256-ctr;hmac-sha1;zlib"))
        );
        let mut with_banner = b"SSH-2.0-test\r\n".to_vec();
        with_banner.extend_from_slice(&p);
        assert_eq!(hassh(&with_banner, true), hassh(&p, true));
        assert_eq!(hassh(&p[..40], true), None);
    }

    #[test]
    fn banners() {
        assert_eq!(
            banner(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n"),
            Some(&b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10"[..])
        );
        assert_eq!(banner(b"HTTP/1.1 200 OK\r\n"), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let _ = hassh(&b, true);
            let _ = banner(&b);
        }
    }
}
