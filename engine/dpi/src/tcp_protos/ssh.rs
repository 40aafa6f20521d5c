//! SSH: the identification string "SSH-2.0-…" / "SSH-1.99-…" (RFC 4253 §4.2), sent by either side first.

use super::util::seen_same;
use crate::packet::{Pkt, Verdict};
use crate::proto::Proto;

pub fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    for v in [&b"SSH-2.0-"[..], b"SSH-1.99-", b"SSH-1.5-"] {
        if p.starts_with(v) {
            // The software version must follow and be printable up to the line end.
            let rest = &p[v.len()..];
            let line = rest.split(|&b| b == b'\n').next().unwrap_or(rest);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if !line.is_empty() && line.iter().all(|&b| (0x20..0x7f).contains(&b)) {
                return Verdict::Yes(Proto::Ssh);
            }
            return Verdict::No;
        }
    }
    // A banner cut short by the snap length: wait for the peer's.
    if p.len() < 8 && b"SSH-2.0-".starts_with(p) && seen_same(pkt) == 0 {
        return Verdict::NeedMore;
    }
    Verdict::No
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp_protos::util::test::*;

    #[test]
    fn banners() {
        // ssh_unidirectional.pcap, server banner.
        assert_eq!(
            detect(&s0(b"SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u7\n")),
            Verdict::Yes(Proto::Ssh)
        );
        assert_eq!(
            detect(&c0(b"SSH-1.99-Cisco-1.25\r\n")),
            Verdict::Yes(Proto::Ssh)
        );
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(TLS_HELLO)), Verdict::No);
        assert_eq!(detect(&c0(&noise(64, 1))), Verdict::No);
        assert_eq!(detect(&c0(b"SSH-2.0-\x01\x02")), Verdict::No);
    }
}
