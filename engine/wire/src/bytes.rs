//! Big-endian field reads for the header views.
//!
//! A view checks its buffer's length once in `new_checked`; these reads then cannot fail, but they still go through
//! `get` and read zeros past the end rather than panic, so a view built with `new_unchecked` stays panic-free too.
//! With constant fields and a length already checked, the optimiser folds the bound test away.

/// A byte range inside a header, as in smoltcp's `wire::field`.
pub(crate) type Field = core::ops::Range<usize>;

#[inline(always)]
pub(crate) fn u8_at(data: &[u8], at: usize) -> u8 {
    data.get(at).copied().unwrap_or(0)
}

#[inline(always)]
pub(crate) fn be16(data: &[u8], field: Field) -> u16 {
    data.get(field)
        .and_then(|s| <[u8; 2]>::try_from(s).ok())
        .map_or(0, u16::from_be_bytes)
}

#[inline(always)]
pub(crate) fn be32(data: &[u8], field: Field) -> u32 {
    data.get(field)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map_or(0, u32::from_be_bytes)
}

#[inline(always)]
pub(crate) fn array<const N: usize>(data: &[u8], field: Field) -> [u8; N] {
    data.get(field)
        .and_then(|s| <[u8; N]>::try_from(s).ok())
        .unwrap_or([0; N])
}

/// `data[from..]`, empty when `from` is past the end.
#[inline(always)]
pub(crate) fn rest(data: &[u8], from: usize) -> &[u8] {
    data.get(from..).unwrap_or(&[])
}

/// `data[from..to]` with both ends clipped to the buffer, empty when they cross.
#[inline(always)]
pub(crate) fn clipped(data: &[u8], from: usize, to: usize) -> &[u8] {
    data.get(from..to.min(data.len())).unwrap_or(&[])
}
