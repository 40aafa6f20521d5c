//! DHCP (RFC 2131/2132) client metadata from a BOOTP message's options: host name (12), vendor class (60) and the
//! parameter request list (55), whose order fingerprints the client's DHCP stack.

/// The client-describing options of a DHCP message, each when present.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientOptions<'a> {
    pub host_name: Option<&'a [u8]>,
    pub vendor_class: Option<&'a [u8]>,
    pub parameter_list: Option<&'a [u8]>,
}

/// Reads the client-describing options of a DHCP message.
#[must_use]
pub fn client_options(p: &[u8]) -> ClientOptions<'_> {
    let mut out = ClientOptions::default();
    if p.get(236..240) != Some(&[0x63, 0x82, 0x53, 0x63]) {
        return out;
    }
    let mut at = 240;
    while let Some(&code) = p.get(at) {
        match code {
            0 => {
                at += 1;
                continue;
            }
            255 => break,
            _ => {}
        }
        let Some(&len) = p.get(at + 1) else { break };
        let Some(value) = p.get(at + 2..at + 2 + usize::from(len)) else {
            break;
        };
        match code {
            12 => out.host_name = Some(value),
            60 => out.vendor_class = Some(value),
            55 => out.parameter_list = Some(value),
            _ => {}
        }
        at += 2 + usize::from(len);
    }
    out
}

/// The parameter request list as nDPI and fingerbank print it: "1,3,6,15".
pub fn fingerprint(list: &[u8], out: &mut [u8; 1024]) -> usize {
    use std::io::Write;
    let mut cur = std::io::Cursor::new(&mut out[..]);
    for (i, b) in list.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        if write!(cur, "{sep}{b}").is_err() {
            break;
        }
    }
    usize::try_from(cur.position()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let mut p = vec![0u8; 236];
        p[0] = 1;
        p.extend_from_slice(&[
            0x63, 0x82, 0x53, 0x63, 53, 1, 1, 12, 4, b'h', b'o', b's', b't',
        ]);
        p.extend_from_slice(&[60, 3, b'a', b'b', b'c', 55, 4, 1, 3, 6, 15, 255]);
        let o = client_options(&p);
        assert_eq!(o.host_name, Some(&b"host"[..]));
        assert_eq!(o.vendor_class, Some(&b"abc"[..]));
        assert_eq!(o.parameter_list, Some(&[1u8, 3, 6, 15][..]));
        let mut buf = [0u8; 1024];
        let n = fingerprint(&[1, 3, 6, 15], &mut buf);
        assert_eq!(&buf[..n], b"1,3,6,15");
        assert_eq!(client_options(&p[..245]).host_name, None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            let mut p = vec![0u8; 236];
            p.extend_from_slice(&[0x63, 0x82, 0x53, 0x63]);
            p.extend_from_slice(&b);
            let _ = client_options(&p);
            let _ = client_options(&b);
        }
    }
}
