//! RESP (Redis): a client array "*<n>\r\n$<len>\r\n<command>\r\n" whose first bulk string is a known command of that
//! exact length, or an inline "PING"/"INFO" line; the server answers "+", "-", "$", ":" or "*".

use crate::dissector::{Order, Protocol, Transport};
use crate::protocols::util::{decimal, seen_other};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Resp = 182, "RESP", Database, tcp [6379];
}

/// RESP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const COMMANDS: &[&[u8]] = &[
    b"GET",
    b"SET",
    b"DEL",
    b"PING",
    b"INFO",
    b"AUTH",
    b"HELLO",
    b"SELECT",
    b"COMMAND",
    b"CLIENT",
    b"CONFIG",
    b"KEYS",
    b"SCAN",
    b"EXISTS",
    b"EXPIRE",
    b"TTL",
    b"INCR",
    b"DECR",
    b"MGET",
    b"MSET",
    b"HGET",
    b"HSET",
    b"HGETALL",
    b"HMSET",
    b"LPUSH",
    b"RPUSH",
    b"LPOP",
    b"RPOP",
    b"LRANGE",
    b"SADD",
    b"SMEMBERS",
    b"ZADD",
    b"ZRANGE",
    b"PUBLISH",
    b"SUBSCRIBE",
    b"PSUBSCRIBE",
    b"MULTI",
    b"EXEC",
    b"EVAL",
    b"EVALSHA",
    b"SETEX",
    b"FLUSHALL",
    b"FLUSHDB",
    b"DBSIZE",
    b"TYPE",
    b"XADD",
    b"XREAD",
    b"QUIT",
    b"ECHO",
    b"CLUSTER",
    b"SLAVEOF",
    b"REPLICAOF",
    b"MODULE",
    b"SAVE",
    b"SCRIPT",
    b"WATCH",
    b"BLPOP",
    b"BRPOP",
    b"PSYNC",
    b"REPLCONF",
];

fn known(cmd: &[u8]) -> bool {
    COMMANDS.iter().any(|c| c.eq_ignore_ascii_case(cmd))
}

/// Client request in the array form. `None` = not RESP, `Some(true)` = complete command seen, `Some(false)` = cut
/// short but consistent.
fn array_request(p: &[u8]) -> Option<bool> {
    let rest = p.strip_prefix(b"*")?;
    let (n, d) = decimal(rest, 4)?;
    if n == 0 {
        return None;
    }
    let rest = &rest[d..];
    if rest.len() < 3 {
        return (rest == &b"\r\n"[..rest.len()]).then_some(false);
    }
    let rest = rest.strip_prefix(b"\r\n$")?;
    let (len, d) = decimal(rest, 3)?;
    let rest = rest.get(d..)?.strip_prefix(b"\r\n")?;
    let len = usize::try_from(len).ok()?;
    let cmd = rest.get(..len)?;
    if !known(cmd) || rest.get(len..len + 2)? != b"\r\n" {
        return None;
    }
    Some(true)
}

fn inline_request(p: &[u8]) -> bool {
    let line = p
        .strip_suffix(b"\r\n")
        .or_else(|| p.strip_suffix(b"\n"))
        .unwrap_or(&[]);
    line.eq_ignore_ascii_case(b"PING")
        || line.eq_ignore_ascii_case(b"INFO")
        || (line.len() > 5
            && line[..5].eq_ignore_ascii_case(b"INFO ")
            && line[5..].iter().all(u8::is_ascii_alphanumeric))
}

fn reply(p: &[u8]) -> bool {
    let Some((&t, rest)) = p.split_first() else {
        return false;
    };
    let line_end = rest.windows(2).position(|w| w == b"\r\n");
    match (t, line_end) {
        (b'+' | b'-', Some(e)) => rest[..e].iter().all(|&b| (0x20..0x7f).contains(&b)),
        (b':' | b'$' | b'*', Some(e)) => {
            let num = rest[..e].strip_prefix(b"-").unwrap_or(&rest[..e]);
            !num.is_empty() && num.len() <= 20 && num.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    match pkt.dir {
        Dir::ToServer => match array_request(p) {
            Some(true) => Verdict::Yes(Proto::Resp),
            Some(false) => Verdict::NeedMore,
            None if inline_request(p) => Verdict::Yes(Proto::Resp),
            None => Verdict::No,
        },
        Dir::ToClient => {
            // The server never speaks first; a reply after a consistent (cut-short) request decides.
            if seen_other(pkt) > 0 && reply(p) {
                Verdict::Yes(Proto::Resp)
            } else {
                Verdict::No
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn requests() {
        // resp.pcap, first client packet.
        assert_eq!(
            detect(&c0(b"*1\r\n$7\r\nCOMMAND\r\n")),
            Verdict::Yes(Proto::Resp)
        );
        assert_eq!(
            detect(&c0(b"*3\r\n$3\r\nset\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")),
            Verdict::Yes(Proto::Resp)
        );
        assert_eq!(detect(&c0(b"PING\r\n")), Verdict::Yes(Proto::Resp));
        assert_eq!(detect(&c0(b"*2\r")), Verdict::NeedMore);
        assert_eq!(
            detect(&tcp(
                b"*240\r\n*10\r\n$11\r\nsinterstore\r\n",
                Dir::ToClient,
                [1, 0]
            )),
            Verdict::Yes(Proto::Resp)
        );
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(b"*1\r\n$8\r\nCOMMAND\r\n")), Verdict::No);
        assert_eq!(detect(&c0(b"*1\r\n$6\r\nFOOBAR\r\n")), Verdict::No);
        assert_eq!(detect(&s0(b"+OK lavad\r\n")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(b". CAPABILITY\r\n")), Verdict::No);
        assert_eq!(detect(&c0(&noise(30, 7))), Verdict::No);
    }
}
