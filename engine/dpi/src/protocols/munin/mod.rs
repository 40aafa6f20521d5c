//! Munin node (TCP 4949): the server's banner `# munin node at <host>`.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    Munin = 329, "Munin", System, tcp [4949];
}

/// Munin's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.l4 != L4::Tcp {
        return Verdict::No;
    }
    if pkt.payload.starts_with(b"# munin node at ") {
        Verdict::Yes(Proto::Munin)
    } else if pkt.either_port(4949) && pkt.seen == [0, 0] {
        // The client waits for the banner; if a client line comes first, let the banner decide.
        Verdict::NeedMore
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::testutil::{noise, pkt, pkt_at};

    #[test]
    fn banner() {
        let b = b"# munin node at kibana-node01\n";
        let p = pkt_at(b, L4::Tcp, 45654, 4949, Dir::ToClient, [0, 0]);
        assert_eq!(detect(&p), Verdict::Yes(Proto::Munin));
    }

    #[test]
    fn negatives() {
        assert_eq!(detect(&pkt(b"# munin", L4::Tcp, 1, 80)), Verdict::No);
        let n = noise(30, 1);
        let p = pkt_at(&n, L4::Tcp, 1, 4949, Dir::ToClient, [1, 0]);
        assert_eq!(detect(&p), Verdict::No);
    }
}
