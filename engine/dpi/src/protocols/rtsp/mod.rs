//! RTSP (RFC 2326/7826): a client request line "<METHOD> <url> RTSP/1.0" with an RTSP method, or a status line
//! "RTSP/1.0 <3 digits> ".

use crate::dissector::{Order, Protocol, Transport};
use crate::protocols::util::first_line;
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Rtsp = 50, "RTSP", Media, tcp [554];
}

/// RTSP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const METHODS: &[&[u8]] = &[
    b"OPTIONS ",
    b"DESCRIBE ",
    b"SETUP ",
    b"PLAY ",
    b"PAUSE ",
    b"TEARDOWN ",
    b"ANNOUNCE ",
    b"RECORD ",
    b"GET_PARAMETER ",
    b"SET_PARAMETER ",
    b"REDIRECT ",
    b"PLAY_NOTIFY ",
];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if (p.starts_with(b"RTSP/1.0 ") || p.starts_with(b"RTSP/2.0 "))
        && p.get(9..12)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && p.get(12) == Some(&b' ')
    {
        return Verdict::Yes(Proto::Rtsp);
    }
    if METHODS.iter().any(|m| p.starts_with(m)) {
        let Some(line) = first_line(p) else {
            // A long URL cut short.
            return if p.len() > 1000 {
                Verdict::NeedMore
            } else {
                Verdict::No
            };
        };
        if line.ends_with(b" RTSP/1.0") || line.ends_with(b" RTSP/2.0") {
            return Verdict::Yes(Proto::Rtsp);
        }
    }
    Verdict::No
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn requests_and_replies() {
        // rtsp_setup_http.pcapng
        let setup = b"SETUP rtsp://172.28.4.26:8554/trackID=88 RTSP/1.0\r\nCSeq: 4\r\nUser-Agent: LibVLC/3.0.16\r\n\r\n";
        assert_eq!(detect(&c0(setup)), Verdict::Yes(Proto::Rtsp));
        assert_eq!(
            detect(&c0(b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n")),
            Verdict::Yes(Proto::Rtsp)
        );
        assert_eq!(
            detect(&s0(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n")),
            Verdict::Yes(Proto::Rtsp)
        );
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(b"OPTIONS * HTTP/1.1\r\n\r\n")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(30, 18))), Verdict::No);
    }
}
