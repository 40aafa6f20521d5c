//! The one-byte direction pseudo-header of `LINKTYPE_PPP_WITH_DIR` (204), `LINKTYPE_C_HDLC_WITH_DIR` (205) and
//! `LINKTYPE_FRELAY_WITH_DIR` (206): 0 for a frame the capturing host received, anything else for one it sent.

use crate::bytes::{rest, u8_at};
use crate::Reject;

mod field {
    pub const DIRECTION: usize = 0;
    pub const PAYLOAD: usize = 1;
}

pub const HEADER_LEN: usize = field::PAYLOAD;

/// A read-only view of a direction pseudo-header.
#[derive(Debug, Clone, Copy)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// # Errors
    /// [`Reject::CaptureHeaderMalformed`] on an empty frame.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Reject::CaptureHeaderMalformed);
        }
        Ok(Self::new_unchecked(buffer))
    }

    /// True for a frame the capturing host sent.
    #[inline]
    pub fn sent(&self) -> bool {
        u8_at(self.buffer.as_ref(), field::DIRECTION) != 0
    }
}

impl<'a> Header<&'a [u8]> {
    /// The link-layer frame after the direction byte.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        rest(self.buffer, field::PAYLOAD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_and_payload() {
        let sent = Header::new_checked(&[1u8, 0x0f, 0x00][..]).expect("one byte");
        assert!(sent.sent());
        assert_eq!(sent.payload(), &[0x0f, 0x00]);
        let received = Header::new_checked(&[0u8][..]).expect("one byte");
        assert!(!received.sent());
        assert!(received.payload().is_empty());
        assert_eq!(
            Header::new_checked(&[][..]).err(),
            Some(Reject::CaptureHeaderMalformed)
        );
    }
}
