//! The pure half of a protocol: functions from bytes to views that borrow them. No state, no verdicts, no
//! allocation; every read goes through `xntop_wire::cursor`, so a short or hostile input is an `Err`, never a
//! panic.
//!
//! TEMPLATE's (made-up) message, as a spec would describe it:
//!
//! ```text
//! magic "TMPL" (4) | version (1, = 1) | kind (1: 1 hello, 2 reply) | name length (2, big-endian) | name
//! ```
//!
//! Adversarial bounds are named and enforced here: [`MAX_NAME`].

use xntop_wire::cursor::{self, Cursor};

/// The four bytes every message starts with.
pub const MAGIC: &[u8; 4] = b"TMPL";
/// Longest name accepted (a longer one is not this protocol).
pub const MAX_NAME: usize = 255;

/// A message's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Hello,
    Reply,
}

/// One message, borrowing the packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    pub kind: Kind,
    pub name: &'a [u8],
}

/// Parses a message at the start of `p` (trailing bytes are allowed: the next message, or padding).
///
/// # Errors
/// [`cursor::Error`] when `p` is not a whole TEMPLATE message.
pub fn message(p: &[u8]) -> cursor::Result<Message<'_>> {
    let mut c = Cursor::new(p);
    if c.get_bytes(MAGIC.len())? != MAGIC || c.get_u8()? != 1 {
        return Err(cursor::Error);
    }
    let kind = match c.get_u8()? {
        1 => Kind::Hello,
        2 => Kind::Reply,
        _ => return Err(cursor::Error),
    };
    let name = c.get_bytes_with_u16_length()?;
    if name.len() > MAX_NAME {
        return Err(cursor::Error);
    }
    Ok(Message { kind, name })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A hello written from the spec above, byte by byte. (A real protocol: bytes recorded from a real program,
    /// with the program, version and command that produced them.)
    pub(crate) const HELLO: &[u8] = b"TMPL\x01\x01\x00\x07example";

    #[test]
    fn hello_from_the_spec() {
        assert_eq!(
            message(HELLO),
            Ok(Message {
                kind: Kind::Hello,
                name: b"example"
            })
        );
    }

    #[test]
    fn every_prefix_is_rejected_not_misread() {
        for n in 0..HELLO.len() {
            assert_eq!(
                message(&HELLO[..n]),
                Err(cursor::Error),
                "prefix of {n} bytes"
            );
        }
    }

    #[test]
    fn wrong_magic_version_kind() {
        assert!(message(b"TMPX\x01\x01\x00\x00").is_err());
        assert!(message(b"TMPL\x02\x01\x00\x00").is_err());
        assert!(message(b"TMPL\x01\x03\x00\x00").is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        /// Any bytes: no panic, and a message that parses borrows a name that lies inside the input.
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            if let Ok(m) = message(&p) {
                proptest::prop_assert!(m.name.len() <= MAX_NAME && m.name.len() + 8 <= p.len());
            }
        }
    }
}
