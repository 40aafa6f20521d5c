//! Git native protocol (git://): the first pkt-line, 4 lowercase hex digits giving its length, then
//! "git-upload-pack ", "git-receive-pack " or "git-upload-archive " and the repository path.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Git = 226, "Git", Collaborative, tcp [9418];
}

/// Git's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.dir != Dir::ToServer || p.len() < 8 {
        return Verdict::No;
    }
    let mut len = 0usize;
    for &b in &p[..4] {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => return Verdict::No,
        };
        len = len * 16 + usize::from(d);
    }
    let body = &p[4..];
    let cmd = [
        &b"git-upload-pack "[..],
        b"git-receive-pack ",
        b"git-upload-archive ",
    ]
    .iter()
    .any(|c| body.starts_with(c));
    if cmd && len <= p.len() && len > 20 {
        Verdict::Yes(Proto::Git)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn request() {
        let r = b"0033git-upload-pack /project.git\x00host=myserver.com\x00";
        assert_eq!(r.len(), 0x33);
        assert_eq!(detect(&c0(r)), Verdict::Yes(Proto::Git));
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(b"0fffgit-upload-pack /p.git\x00")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(50, 23))), Verdict::No);
    }
}
