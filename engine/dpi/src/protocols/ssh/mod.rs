//! SSH (RFC 4253): the identification string "SSH-2.0-…" / "SSH-1.99-…" (§4.2), sent by either side first. The
//! banners of both sides and the HASSH fingerprints of their KEXINIT messages (`parser`) go into the metadata; the
//! follow-up ends once both KEXINITs were read.

pub mod parser;

use crate::dissector::{set_str, Dir, Dissector, Flow, Follow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::seen_same;

crate::proto::identities! {
    Ssh = 92, "SSH", RemoteAccess, tcp [22];
}

/// SSH's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&SshDissector),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Packets followed for the banners and KEXINITs.
const FOLLOW_PACKETS: u8 = 8;

struct SshDissector;

impl Dissector for SshDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        match detect(pkt) {
            Verdict::Yes(master) => {
                metadata(pkt, flow);
                Verdict::Follow {
                    master,
                    packets: FOLLOW_PACKETS,
                }
            }
            other => other,
        }
    }

    fn follow(&self, pkt: &Pkt, flow: &mut Flow) -> Follow {
        if metadata(pkt, flow) {
            Follow::Done
        } else {
            Follow::More
        }
    }
}

/// Reads a banner or KEXINIT into the metadata; returns whether both sides' HASSH are known.
fn metadata(pkt: &Pkt, flow: &mut Flow) -> bool {
    let client = pkt.dir == Dir::ToServer;
    let m = flow.meta();
    if let Some(b) = parser::banner(pkt.payload) {
        set_str(if client { &mut m.ssh_client } else { &mut m.ssh_server }, b);
    }
    if let Some(h) = parser::hassh(pkt.payload, client) {
        set_str(if client { &mut m.hassh } else { &mut m.hassh_server }, &h);
    }
    m.hassh.is_some() && m.hassh_server.is_some()
}

fn detect(pkt: &Pkt) -> Verdict {
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
    use crate::protocols::util::test::*;

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
