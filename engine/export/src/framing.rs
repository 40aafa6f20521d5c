//! IPFIX messages out of a TCP byte stream (RFC 7011 §10.4: each message starts with version 10 and its own
//! length, and follows the previous one directly).
//!
//! Whole messages found in what one read returned are handed on in place, without a copy. Only the unfinished
//! tail of a message is kept, in a buffer that grows as its bytes actually arrive (doubling, never past the length
//! the header declares, so a header that lies about its length costs nothing until the bytes come) and is freed as
//! soon as the message is complete. Bounds: at most one message of at most [`MAX_MESSAGE`] bytes per connection.

/// Longest IPFIX message (the length field is 16 bits).
pub const MAX_MESSAGE: usize = 65_535;
/// IPFIX message header: version, length, export time, sequence number, observation domain.
const HEADER: usize = 16;
const VERSION: u16 = 10;

/// Why a stream is not IPFIX framing; the connection is then closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// A message header with another version than IPFIX's 10.
    Version(u16),
    /// A declared length shorter than the message header.
    Length(u16),
}

/// One connection's framing state.
#[derive(Debug, Default)]
pub struct Framer {
    /// The message in progress (its first bytes), or empty between messages.
    partial: Vec<u8>,
}

/// The length declared by a message header's first four bytes, checked.
fn declared(h: &[u8]) -> Result<usize, FrameError> {
    let version = u16::from_be_bytes([h[0], h[1]]);
    let len = u16::from_be_bytes([h[2], h[3]]);
    if version != VERSION {
        return Err(FrameError::Version(version));
    }
    if usize::from(len) < HEADER {
        return Err(FrameError::Length(len));
    }
    Ok(usize::from(len))
}

impl Framer {
    /// Takes the next bytes of the stream, calling `deliver` with every message they complete, in order.
    /// Returns how many messages were delivered.
    ///
    /// # Errors
    /// When the stream is not IPFIX framing; what it held is then of no use (nothing more should be fed).
    pub fn feed(
        &mut self,
        mut data: &[u8],
        mut deliver: impl FnMut(&[u8]),
    ) -> Result<u32, FrameError> {
        let mut delivered = 0;
        while !data.is_empty() {
            if self.partial.is_empty() && data.len() >= 4 {
                let len = declared(data)?;
                if let Some(msg) = data.get(..len) {
                    deliver(msg);
                    delivered += 1;
                    data = &data[len..];
                    continue;
                }
            }
            // The header, or the rest of the message it declares.
            let have = self.partial.len();
            let target = if have >= 4 {
                declared(&self.partial)?
            } else {
                4
            };
            let take = (target - have).min(data.len());
            self.grow(have + take, target);
            self.partial.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.partial.len() >= 4 {
                let len = declared(&self.partial)?;
                if self.partial.len() == len {
                    deliver(&self.partial);
                    delivered += 1;
                    // Freed, not kept: a quiet connection holds no buffer.
                    self.partial = Vec::new();
                }
            }
        }
        Ok(delivered)
    }

    /// Makes room for `needed` bytes, doubling but never past `limit` (the message's declared length).
    fn grow(&mut self, needed: usize, limit: usize) {
        let cap = self.partial.capacity();
        if needed > cap {
            let want = needed.max((cap * 2).min(limit));
            self.partial.reserve_exact(want - self.partial.len());
        }
    }

    /// Bytes of buffer this connection holds.
    #[must_use]
    pub fn buffered(&self) -> usize {
        self.partial.capacity()
    }

    /// Whether a message has begun and not ended.
    #[must_use]
    pub fn in_message(&self) -> bool {
        !self.partial.is_empty()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::collector::tests::cases;
    use proptest::prelude::*;

    /// An IPFIX message of `len` bytes (header only beyond that: the framer never reads past the length).
    pub(crate) fn message(len: u16, fill: u8) -> Vec<u8> {
        let mut m = vec![fill; usize::from(len)];
        m[..2].copy_from_slice(&10u16.to_be_bytes());
        m[2..4].copy_from_slice(&len.to_be_bytes());
        m
    }

    fn collect(f: &mut Framer, chunks: &[&[u8]]) -> Result<Vec<Vec<u8>>, FrameError> {
        let mut out = Vec::new();
        for c in chunks {
            f.feed(c, |m| out.push(m.to_vec()))?;
        }
        Ok(out)
    }

    #[test]
    fn whole_split_and_back_to_back_messages() {
        let (a, b, c) = (message(16, 1), message(300, 2), message(65_535, 3));
        let stream: Vec<u8> = [&a[..], &b, &c].concat();
        let mut f = Framer::default();
        // One read with everything: delivered in place, nothing kept.
        assert_eq!(
            collect(&mut f, &[&stream]),
            Ok(vec![a.clone(), b.clone(), c.clone()])
        );
        assert_eq!(f.buffered(), 0);
        // Cut inside the header and inside the body.
        let mut f = Framer::default();
        let parts: Vec<&[u8]> = vec![
            &stream[..2],
            &stream[2..20],
            &stream[20..400],
            &stream[400..],
        ];
        assert_eq!(collect(&mut f, &parts), Ok(vec![a, b, c]));
        assert!(!f.in_message());
        assert_eq!(f.buffered(), 0);
    }

    #[test]
    fn a_lying_length_costs_only_the_bytes_sent() {
        let mut f = Framer::default();
        let m = message(65_535, 0);
        assert_eq!(collect(&mut f, &[&m[..4]]), Ok(vec![]));
        assert_eq!(f.buffered(), 4);
        assert_eq!(collect(&mut f, &[&m[4..1000]]), Ok(vec![]));
        assert!(
            f.buffered() >= 1000 && f.buffered() <= 2000,
            "{}",
            f.buffered()
        );
        assert!(f.in_message());
    }

    #[test]
    fn not_ipfix_framing_is_an_error() {
        let mut f = Framer::default();
        assert_eq!(f.feed(&[0, 9, 0, 40], |_| {}), Err(FrameError::Version(9)));
        let mut f = Framer::default();
        assert_eq!(f.feed(&[0, 10], |_| {}), Ok(0));
        assert_eq!(f.feed(&[0, 15], |_| {}), Err(FrameError::Length(15)));
    }

    /// Splits `stream` at the given points (taken modulo its length).
    fn split<'a>(stream: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
        let mut at: Vec<usize> = cuts.iter().map(|c| c % (stream.len() + 1)).collect();
        at.push(0);
        at.push(stream.len());
        at.sort_unstable();
        at.windows(2).map(|w| &stream[w[0]..w[1]]).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(cases(500)))]

        /// Valid messages cut anywhere come out whole and in order; between messages nothing is held, and the
        /// buffer never exceeds the message in progress.
        #[test]
        fn valid_streams_cut_anywhere_come_out_whole(
            lens in proptest::collection::vec(16u16..3000, 1..12),
            cuts in proptest::collection::vec(any::<usize>(), 0..40),
        ) {
            let msgs: Vec<Vec<u8>> = lens.iter().enumerate().map(|(i, &l)| message(l, i as u8)).collect();
            let stream = msgs.concat();
            let mut f = Framer::default();
            let mut out = Vec::new();
            for part in split(&stream, &cuts) {
                f.feed(part, |m| out.push(m.to_vec())).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                prop_assert!(f.buffered() <= MAX_MESSAGE);
                prop_assert!(!f.in_message() || f.buffered() <= 2 * f.partial.len().max(4));
            }
            prop_assert_eq!(out, msgs);
            prop_assert_eq!(f.buffered(), 0);
        }

        /// Arbitrary bytes (lengths that lie, wrong versions, garbage) cut anywhere: never a panic, every delivered
        /// message is as long as its header says, and the buffer stays within one message.
        #[test]
        fn arbitrary_streams_never_panic_and_stay_bounded(
            stream in proptest::collection::vec(any::<u8>(), 0..2000),
            ipfix_headers in proptest::collection::vec((any::<usize>(), any::<u16>()), 0..6),
            cuts in proptest::collection::vec(any::<usize>(), 0..40),
        ) {
            let mut stream = stream;
            // Plant some IPFIX-looking headers with arbitrary (mostly lying) lengths.
            for (at, len) in ipfix_headers {
                if stream.len() >= 4 {
                    let at = at % (stream.len() - 3);
                    stream[at..at + 2].copy_from_slice(&10u16.to_be_bytes());
                    stream[at + 2..at + 4].copy_from_slice(&len.to_be_bytes());
                }
            }
            let mut f = Framer::default();
            let mut received = 0usize;
            for part in split(&stream, &cuts) {
                received += part.len();
                let r = f.feed(part, |m| {
                    assert_eq!(usize::from(u16::from_be_bytes([m[2], m[3]])), m.len());
                    assert_eq!(&m[..2], &[0, 10]);
                });
                if r.is_err() {
                    break;
                }
                prop_assert!(f.buffered() <= MAX_MESSAGE);
                prop_assert!(f.buffered() <= 2 * received.max(4));
            }
        }
    }
}
