//! FTP data connections announced on the control connection (RFC 959 PORT/PASV, RFC 2428 EPRT/EPSV): the
//! address and port the next data connection will use, so that connection is named FTP_DATA when it ends.

use std::net::{IpAddr, Ipv4Addr};

use crate::dissector::Dir;
use crate::engine::Endpoints;

/// The endpoint a PASV/EPSV reply (from the server) or a PORT/EPRT command (from the client) announces.
#[must_use]
pub fn announced(p: &[u8], dir: Dir, ep: &Endpoints) -> Option<(IpAddr, u16)> {
    let line = p.split(|&b| b == b'\n').next()?;
    match dir {
        Dir::ToClient if line.starts_with(b"227 ") => {
            let open = line.iter().position(|&b| b == b'(')?;
            let close = line.iter().rposition(|&b| b == b')')?;
            six_numbers(line.get(open + 1..close)?)
        }
        Dir::ToClient if line.starts_with(b"229 ") => {
            // "(|||port|)": the server's own address.
            let open = line.iter().position(|&b| b == b'(')?;
            let body = line.get(open + 1..)?;
            let port = body.split(|&b| b == b'|').nth(3).and_then(number)?;
            Some((ep.server, port))
        }
        Dir::ToServer if line.len() > 5 && line[..5].eq_ignore_ascii_case(b"PORT ") => {
            six_numbers(line[5..].strip_suffix(b"\r").unwrap_or(&line[5..]))
        }
        Dir::ToServer if line.len() > 5 && line[..5].eq_ignore_ascii_case(b"EPRT ") => {
            // "EPRT |af|addr|port|"
            let mut parts = line[5..].split(|&b| b == b'|').skip(2);
            let addr: IpAddr = std::str::from_utf8(parts.next()?).ok()?.parse().ok()?;
            let port = parts.next().and_then(number)?;
            Some((addr, port))
        }
        _ => None,
    }
}

/// "h1,h2,h3,h4,p1,p2" → address and port.
fn six_numbers(s: &[u8]) -> Option<(IpAddr, u16)> {
    let mut n = [0u16; 6];
    let mut parts = s.split(|&b| b == b',');
    for v in &mut n {
        *v = number(parts.next()?)?;
    }
    if parts.next().is_some() || n[..4].iter().any(|&x| x > 255) || n[4] > 255 || n[5] > 255 {
        return None;
    }
    let addr = Ipv4Addr::new(n[0] as u8, n[1] as u8, n[2] as u8, n[3] as u8);
    Some((IpAddr::V4(addr), n[4] << 8 | n[5]))
}

fn number(s: &[u8]) -> Option<u16> {
    let s = std::str::from_utf8(s).ok()?.trim();
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep() -> Endpoints {
        Endpoints {
            l4: 6,
            client: IpAddr::V4(Ipv4Addr::new(10, 77, 0, 1)),
            server: IpAddr::V4(Ipv4Addr::new(10, 77, 0, 2)),
            client_port: 40000,
            server_port: 2121,
        }
    }

    #[test]
    fn passive_and_active_announcements() {
        let e = ep();
        assert_eq!(
            announced(
                b"229 Entering extended passive mode (|||53069|).\r\n",
                Dir::ToClient,
                &e
            ),
            Some((e.server, 53069))
        );
        assert_eq!(
            announced(
                b"227 Entering passive mode (10,77,0,2,207,77).\r\n",
                Dir::ToClient,
                &e
            ),
            Some((e.server, 207 * 256 + 77))
        );
        assert_eq!(
            announced(b"PORT 10,77,0,1,4,1\r\n", Dir::ToServer, &e),
            Some((e.client, 1025))
        );
        assert_eq!(
            announced(b"EPRT |1|10.77.0.1|6275|\r\n", Dir::ToServer, &e),
            Some((e.client, 6275))
        );
        assert_eq!(announced(b"227 (1,2,3)\r\n", Dir::ToClient, &e), None);
        assert_eq!(
            announced(b"PORT 300,1,1,1,1,1\r\n", Dir::ToServer, &e),
            None
        );
    }
}
