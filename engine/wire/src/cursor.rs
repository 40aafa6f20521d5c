//! The one byte reader of xntop's parsers: a borrowing, bounds-checked cursor over `&[u8]` (the idea of quiche's
//! `octets`), and the same reads at a fixed offset for views whose layout is fixed.
//!
//! Every read checks its bounds and returns [`Error`] (a zero-sized `Copy` type) instead of panicking; a failed read
//! leaves the cursor where it was. Length-prefixed fields come back as borrowed slices or sub-cursors, so a parser
//! copies only what it keeps. Nothing here allocates.
//!
//! ```
//! use xntop_wire::cursor::Cursor;
//! // A TLS-style vector: a two-byte length, then that many bytes, each a one-byte-length string.
//! let mut c = Cursor::new(b"\x00\x06\x02h2\x02h3rest");
//! let mut list = c.get_sub_with_u16_length().unwrap();
//! assert_eq!(list.get_bytes_with_u8_length(), Ok(&b"h2"[..]));
//! assert_eq!(list.get_bytes_with_u8_length(), Ok(&b"h3"[..]));
//! assert!(list.is_empty());
//! assert_eq!(c.rest(), b"rest");
//! ```

/// A read ran past the end of the buffer (or a length did not fit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Error;

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("buffer too short")
    }
}

impl std::error::Error for Error {}

/// The result of a cursor read.
pub type Result<T> = core::result::Result<T, Error>;

/// A borrowing reader over a byte slice: reads advance the position, `peek_*` reads do not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

macro_rules! int_reads {
    ($($get:ident $peek:ident $ty:ty, $n:literal, $from:ident;)*) => {$(
        #[doc = concat!("Reads a `", stringify!($ty), "` (", stringify!($from), ") and advances past it.")]
        ///
        /// # Errors
        /// [`Error`] when fewer bytes remain.
        #[inline]
        pub fn $get(&mut self) -> Result<$ty> {
            let v = self.$peek()?;
            self.pos += $n;
            Ok(v)
        }

        #[doc = concat!("Reads a `", stringify!($ty), "` (", stringify!($from), ") without advancing.")]
        ///
        /// # Errors
        /// [`Error`] when fewer bytes remain.
        #[inline]
        pub fn $peek(&self) -> Result<$ty> {
            self.array_at::<$n>(0).map(<$ty>::$from)
        }
    )*};
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `buf`.
    #[inline]
    #[must_use]
    pub const fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes not read yet.
    #[inline]
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Whether every byte was read.
    #[inline]
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Bytes read so far (the offset of the next read in the cursor's buffer).
    #[inline]
    #[must_use]
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The bytes not read yet, without advancing.
    #[inline]
    #[must_use]
    pub fn rest(&self) -> &'a [u8] {
        // `pos` never exceeds the length: every advance is checked first.
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// The whole buffer the cursor reads, read bytes included.
    #[inline]
    #[must_use]
    pub fn buffer(&self) -> &'a [u8] {
        self.buf
    }

    /// `N` bytes at `at` bytes past the position, as an array.
    #[inline]
    fn array_at<const N: usize>(&self, at: usize) -> Result<[u8; N]> {
        self.rest().array_at(at).ok_or(Error)
    }

    int_reads! {
        get_u8 peek_u8 u8, 1, from_be_bytes;
        get_u16 peek_u16 u16, 2, from_be_bytes;
        get_u32 peek_u32 u32, 4, from_be_bytes;
        get_u64 peek_u64 u64, 8, from_be_bytes;
        get_u16_le peek_u16_le u16, 2, from_le_bytes;
        get_u32_le peek_u32_le u32, 4, from_le_bytes;
        get_u64_le peek_u64_le u64, 8, from_le_bytes;
    }

    /// Reads a 24-bit big-endian integer (TLS handshake lengths) and advances past it.
    ///
    /// # Errors
    /// [`Error`] when fewer than three bytes remain.
    #[inline]
    pub fn get_u24(&mut self) -> Result<u32> {
        let [a, b, c] = self.array_at::<3>(0)?;
        self.pos += 3;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// Reads `N` bytes as an array and advances past them.
    ///
    /// # Errors
    /// [`Error`] when fewer than `N` bytes remain.
    #[inline]
    pub fn get_array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let a = self.array_at::<N>(0)?;
        self.pos += N;
        Ok(a)
    }

    /// The next `len` bytes, borrowed; advances past them.
    ///
    /// # Errors
    /// [`Error`] when fewer than `len` bytes remain (the cursor does not move).
    #[inline]
    pub fn get_bytes(&mut self, len: usize) -> Result<&'a [u8]> {
        let b = self.peek_bytes(len)?;
        self.pos += len;
        Ok(b)
    }

    /// The next `len` bytes, borrowed, without advancing.
    ///
    /// # Errors
    /// [`Error`] when fewer than `len` bytes remain.
    #[inline]
    pub fn peek_bytes(&self, len: usize) -> Result<&'a [u8]> {
        self.rest().get(..len).ok_or(Error)
    }

    /// A cursor over the next `len` bytes; advances past them.
    ///
    /// # Errors
    /// [`Error`] when fewer than `len` bytes remain.
    #[inline]
    pub fn get_sub(&mut self, len: usize) -> Result<Cursor<'a>> {
        self.get_bytes(len).map(Cursor::new)
    }

    /// Everything not read yet, borrowed; the cursor ends empty.
    #[inline]
    pub fn take_rest(&mut self) -> &'a [u8] {
        let r = self.rest();
        self.pos = self.buf.len();
        r
    }

    /// Skips `len` bytes.
    ///
    /// # Errors
    /// [`Error`] when fewer than `len` bytes remain (the cursor does not move).
    #[inline]
    pub fn skip(&mut self, len: usize) -> Result<()> {
        self.get_bytes(len).map(|_| ())
    }

    /// A field with a one-byte length prefix (TLS `opaque x<0..2^8-1>`).
    ///
    /// # Errors
    /// [`Error`] when the prefix or the field runs past the end (the cursor does not move).
    pub fn get_bytes_with_u8_length(&mut self) -> Result<&'a [u8]> {
        let len = usize::from(self.peek_u8()?);
        self.prefixed(1, len)
    }

    /// A field with a two-byte big-endian length prefix.
    ///
    /// # Errors
    /// [`Error`] when the prefix or the field runs past the end (the cursor does not move).
    pub fn get_bytes_with_u16_length(&mut self) -> Result<&'a [u8]> {
        let len = usize::from(self.peek_u16()?);
        self.prefixed(2, len)
    }

    /// A field with a three-byte big-endian length prefix.
    ///
    /// # Errors
    /// [`Error`] when the prefix or the field runs past the end (the cursor does not move).
    pub fn get_bytes_with_u24_length(&mut self) -> Result<&'a [u8]> {
        let [a, b, c] = self.array_at::<3>(0)?;
        self.prefixed(
            3,
            usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c),
        )
    }

    /// The `len` bytes after a `prefix`-byte length field, advancing past both; nothing moves on error.
    #[inline]
    fn prefixed(&mut self, prefix: usize, len: usize) -> Result<&'a [u8]> {
        let field = self
            .rest()
            .get(prefix..prefix.checked_add(len).ok_or(Error)?)
            .ok_or(Error)?;
        self.pos += prefix + len;
        Ok(field)
    }

    /// [`Cursor::get_bytes_with_u8_length`] as a cursor over the field.
    ///
    /// # Errors
    /// As [`Cursor::get_bytes_with_u8_length`].
    pub fn get_sub_with_u8_length(&mut self) -> Result<Cursor<'a>> {
        self.get_bytes_with_u8_length().map(Cursor::new)
    }

    /// [`Cursor::get_bytes_with_u16_length`] as a cursor over the field.
    ///
    /// # Errors
    /// As [`Cursor::get_bytes_with_u16_length`].
    pub fn get_sub_with_u16_length(&mut self) -> Result<Cursor<'a>> {
        self.get_bytes_with_u16_length().map(Cursor::new)
    }

    /// [`Cursor::get_bytes_with_u24_length`] as a cursor over the field.
    ///
    /// # Errors
    /// As [`Cursor::get_bytes_with_u24_length`].
    pub fn get_sub_with_u24_length(&mut self) -> Result<Cursor<'a>> {
        self.get_bytes_with_u24_length().map(Cursor::new)
    }

    /// A QUIC variable-length integer (RFC 9000 §16): the top two bits of the first byte give its length.
    ///
    /// # Errors
    /// [`Error`] when it runs past the end (the cursor does not move).
    pub fn get_varint(&mut self) -> Result<u64> {
        let first = self.peek_u8()?;
        let len = 1usize << (first >> 6);
        let bytes = self.peek_bytes(len)?;
        let v = bytes
            .iter()
            .skip(1)
            .fold(u64::from(first & 0x3f), |v, &b| (v << 8) | u64::from(b));
        self.pos += len;
        Ok(v)
    }
}

/// The cursor's reads at a fixed offset of a slice, for formats read by position (header views checked once,
/// magic values at known offsets). `None` past the end, never a panic.
pub trait ReadAt {
    /// `N` bytes at `at`, as an array.
    fn array_at<const N: usize>(&self, at: usize) -> Option<[u8; N]>;

    /// The byte at `at`.
    #[inline]
    fn u8_at(&self, at: usize) -> Option<u8> {
        self.array_at::<1>(at).map(|[b]| b)
    }

    /// Big-endian `u16` at `at`.
    #[inline]
    fn u16_at(&self, at: usize) -> Option<u16> {
        self.array_at(at).map(u16::from_be_bytes)
    }

    /// Big-endian 24-bit integer at `at`.
    #[inline]
    fn u24_at(&self, at: usize) -> Option<u32> {
        self.array_at::<3>(at)
            .map(|[a, b, c]| u32::from_be_bytes([0, a, b, c]))
    }

    /// Big-endian `u32` at `at`.
    #[inline]
    fn u32_at(&self, at: usize) -> Option<u32> {
        self.array_at(at).map(u32::from_be_bytes)
    }

    /// Big-endian `u64` at `at`.
    #[inline]
    fn u64_at(&self, at: usize) -> Option<u64> {
        self.array_at(at).map(u64::from_be_bytes)
    }

    /// Little-endian `u16` at `at`.
    #[inline]
    fn u16_le_at(&self, at: usize) -> Option<u16> {
        self.array_at(at).map(u16::from_le_bytes)
    }

    /// Little-endian 24-bit integer at `at` (MySQL packet lengths).
    #[inline]
    fn u24_le_at(&self, at: usize) -> Option<u32> {
        self.array_at::<3>(at)
            .map(|[a, b, c]| u32::from_le_bytes([a, b, c, 0]))
    }

    /// Little-endian `u32` at `at`.
    #[inline]
    fn u32_le_at(&self, at: usize) -> Option<u32> {
        self.array_at(at).map(u32::from_le_bytes)
    }

    /// The bytes from `at` to the end; empty when `at` is past the end.
    fn rest_at(&self, at: usize) -> &[u8];

    /// The bytes from `from` to `to`, both clipped to the end; empty when they cross.
    fn clip(&self, from: usize, to: usize) -> &[u8];
}

impl ReadAt for [u8] {
    #[inline]
    fn array_at<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        self.get(at..at.checked_add(N)?)?.try_into().ok()
    }

    #[inline]
    fn rest_at(&self, at: usize) -> &[u8] {
        self.get(at..).unwrap_or_default()
    }

    #[inline]
    fn clip(&self, from: usize, to: usize) -> &[u8] {
        self.get(from..to.min(self.len())).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn integers_in_both_orders() {
        let b = [1u8, 2, 3, 4, 5, 6, 7, 8, 9];
        let mut c = Cursor::new(&b);
        assert_eq!(c.peek_u8(), Ok(1));
        assert_eq!(c.get_u8(), Ok(1));
        assert_eq!(c.get_u16(), Ok(0x0203));
        assert_eq!(c.get_u24(), Ok(0x04_0506));
        assert_eq!(c.position(), 6);
        assert_eq!(c.get_u32(), Err(Error));
        assert_eq!(c.position(), 6, "a failed read does not move");
        assert_eq!(c.get_u16_le(), Ok(0x0807));
        assert_eq!(c.remaining(), 1);
        let mut c = Cursor::new(&b);
        assert_eq!(c.get_u64(), Ok(0x0102_0304_0506_0708));
        let mut c = Cursor::new(&b);
        assert_eq!(c.get_u32_le(), Ok(0x0403_0201));
        assert_eq!(c.get_u64_le(), Err(Error));
        assert_eq!(Cursor::new(&b).get_u64_le(), Ok(0x0807_0605_0403_0201));
        assert_eq!(c.get_array::<2>(), Ok([5, 6]));
        assert_eq!(c.take_rest(), &[7, 8, 9]);
        assert!(c.is_empty());
        assert_eq!(c.get_u8(), Err(Error));
    }

    #[test]
    fn length_prefixed_fields() {
        // u8, u16 and u24 prefixes, then a field that claims more than remains.
        let b = b"\x02ab\x00\x03cde\x00\x00\x01f\x05gh";
        let mut c = Cursor::new(b);
        assert_eq!(c.get_bytes_with_u8_length(), Ok(&b"ab"[..]));
        assert_eq!(
            c.get_sub_with_u16_length().map(|s| s.rest()),
            Ok(&b"cde"[..])
        );
        assert_eq!(c.get_bytes_with_u24_length(), Ok(&b"f"[..]));
        let before = c;
        assert_eq!(c.get_bytes_with_u8_length(), Err(Error));
        assert_eq!(c, before, "a short field leaves the cursor where it was");
        assert_eq!(c.rest(), b"\x05gh");
        assert_eq!(Cursor::new(b"").get_sub_with_u8_length(), Err(Error));
        assert_eq!(
            Cursor::new(b"\x00\x00\x00").get_bytes_with_u24_length(),
            Ok(&b""[..])
        );
    }

    #[test]
    fn skip_peek_and_sub_cursors() {
        let b = b"0123456789";
        let mut c = Cursor::new(b);
        assert_eq!(c.skip(11), Err(Error));
        assert_eq!(c.skip(2), Ok(()));
        assert_eq!(c.peek_bytes(3), Ok(&b"234"[..]));
        let mut sub = c.get_sub(4).expect("four bytes");
        assert_eq!(sub.get_bytes(4), Ok(&b"2345"[..]));
        assert_eq!(sub.get_u8(), Err(Error));
        assert_eq!(c.rest(), b"6789");
        assert_eq!(c.buffer(), b);
        assert_eq!(c.get_bytes(0), Ok(&b""[..]));
    }

    #[test]
    fn quic_varints() {
        // RFC 9000 §A.1 examples.
        for (bytes, v) in [
            (
                &b"\xc2\x19\x7c\x5e\xff\x14\xe8\x8c"[..],
                151_288_809_941_952_652u64,
            ),
            (b"\x9d\x7f\x3e\x7d", 494_878_333),
            (b"\x7b\xbd", 15_293),
            (b"\x25", 37),
            (b"\x40\x25", 37),
        ] {
            let mut c = Cursor::new(bytes);
            assert_eq!(c.get_varint(), Ok(v));
            assert!(c.is_empty());
        }
        let mut c = Cursor::new(b"\x9d\x7f");
        assert_eq!(c.get_varint(), Err(Error));
        assert_eq!(c.position(), 0);
    }

    #[test]
    fn fixed_offset_reads() {
        let b: &[u8] = &[0xde, 0xad, 0xbe, 0xef, 0x01];
        assert_eq!(b.u8_at(4), Some(1));
        assert_eq!(b.u8_at(5), None);
        assert_eq!(b.u16_at(0), Some(0xdead));
        assert_eq!(b.u16_le_at(0), Some(0xadde));
        assert_eq!(b.u24_at(2), Some(0xbe_ef01));
        assert_eq!(b.u32_at(1), Some(0xadbe_ef01));
        assert_eq!(b.u32_at(2), None);
        assert_eq!(b.u32_le_at(0), Some(0xefbe_adde));
        assert_eq!(b.u24_le_at(2), Some(0x01_efbe));
        assert_eq!(b.u24_le_at(3), None);
        assert_eq!(b.u64_at(0), None);
        assert_eq!(b.u16_at(usize::MAX), None);
        assert_eq!(b.rest_at(3), &[0xef, 0x01]);
        assert_eq!(b.rest_at(9), &[] as &[u8]);
        assert_eq!(b.clip(1, 3), &[0xad, 0xbe]);
        assert_eq!(b.clip(3, 99), &[0xef, 0x01]);
        assert_eq!(b.clip(4, 2), &[] as &[u8]);
    }

    /// One step of a random read program.
    #[derive(Clone, Debug)]
    enum Op {
        U8,
        U16,
        U24,
        U32,
        U64,
        U16Le,
        U32Le,
        U64Le,
        Bytes(usize),
        Skip(usize),
        Vec8,
        Vec16,
        Vec24,
        Varint,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::U8),
            Just(Op::U16),
            Just(Op::U24),
            Just(Op::U32),
            Just(Op::U64),
            Just(Op::U16Le),
            Just(Op::U32Le),
            Just(Op::U64Le),
            (0usize..80).prop_map(Op::Bytes),
            (0usize..80).prop_map(Op::Skip),
            Just(Op::Vec8),
            Just(Op::Vec16),
            Just(Op::Vec24),
            Just(Op::Varint),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::proptests::cases(512)))]
        /// Any program of reads over any bytes: no panic; a read that succeeds consumes exactly its width and
        /// returns the bytes at the old position; a read that fails moves nothing.
        #[test]
        fn reads_are_exact_or_nothing(buf in proptest::collection::vec(any::<u8>(), 0..64),
                                      ops in proptest::collection::vec(op(), 0..32)) {
            let mut c = Cursor::new(&buf);
            for op in ops {
                let before = c;
                let at = before.position();
                let consumed = match op {
                    Op::U8 => c.get_u8().map(|v| { assert_eq!(Some(v), buf.u8_at(at)); 1 }),
                    Op::U16 => c.get_u16().map(|v| { assert_eq!(Some(v), buf.u16_at(at)); 2 }),
                    Op::U24 => c.get_u24().map(|v| { assert_eq!(Some(v), buf.u24_at(at)); 3 }),
                    Op::U32 => c.get_u32().map(|v| { assert_eq!(Some(v), buf.u32_at(at)); 4 }),
                    Op::U64 => c.get_u64().map(|v| { assert_eq!(Some(v), buf.u64_at(at)); 8 }),
                    Op::U16Le => c.get_u16_le().map(|v| { assert_eq!(Some(v), buf.u16_le_at(at)); 2 }),
                    Op::U32Le => c.get_u32_le().map(|v| { assert_eq!(Some(v), buf.u32_le_at(at)); 4 }),
                    Op::U64Le => c.get_u64_le().map(|v| { assert_eq!(v.to_le_bytes()[..], buf[at..at + 8]); 8 }),
                    Op::Bytes(n) => c.get_bytes(n).map(|b| { assert_eq!(b, &buf[at..at + n]); n }),
                    Op::Skip(n) => c.skip(n).map(|()| n),
                    Op::Vec8 => c.get_bytes_with_u8_length().map(|b| 1 + b.len()),
                    Op::Vec16 => c.get_bytes_with_u16_length().map(|b| 2 + b.len()),
                    Op::Vec24 => c.get_bytes_with_u24_length().map(|b| 3 + b.len()),
                    Op::Varint => c.get_varint().map(|_| 1 << (buf[at] >> 6)),
                };
                match consumed {
                    Ok(n) => prop_assert_eq!(c.position(), at + n),
                    Err(Error) => prop_assert_eq!(c, before),
                }
                prop_assert_eq!(c.remaining() + c.position(), buf.len());
                prop_assert_eq!(c.rest(), &buf[c.position()..]);
            }
        }

        /// Fixed-offset reads agree with a cursor skipped to the same offset, at any offset.
        #[test]
        fn fixed_offset_agrees_with_cursor(buf in proptest::collection::vec(any::<u8>(), 0..40), at in 0usize..48) {
            let mut c = Cursor::new(&buf);
            let moved = c.skip(at).is_ok();
            prop_assert_eq!(buf.u32_at(at), if moved { c.peek_u32().ok() } else { None });
            prop_assert_eq!(buf.u16_le_at(at), if moved { c.peek_u16_le().ok() } else { None });
            prop_assert_eq!(buf.rest_at(at), if moved { c.rest() } else { &[][..] });
        }
    }
}
