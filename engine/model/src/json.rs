//! A minimal JSON object writer into a reused byte buffer.

use std::fmt::Write as _;
use std::net::IpAddr;

/// Writes one JSON object's fields into a `Vec<u8>`, in call order.
pub struct JsonWriter<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> JsonWriter<'a> {
    /// Starts an object (`{`).
    pub fn begin(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, first: true }
    }

    /// Closes the object (`}`).
    pub fn end(self) {
        self.out.push(b'}');
    }

    /// Continues an object whose earlier fields are already in `out`: every field starts with a comma.
    pub fn resume(out: &'a mut Vec<u8>) -> Self {
        Self { out, first: false }
    }

    /// Stops writing without closing the object (a [`Self::resume`] or the caller closes it).
    pub fn end_without_brace(self) {}

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    pub fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        escape_into(self.out, value);
    }

    pub fn u64(&mut self, key: &str, value: u64) {
        self.key(key);
        self.out
            .extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
    }

    pub fn ip(&mut self, key: &str, value: IpAddr) {
        self.key(key);
        // An address never needs escaping; format through a small stack string.
        let mut s = String::with_capacity(40);
        let _ = write!(s, "\"{value}\"");
        self.out.extend_from_slice(s.as_bytes());
    }

    /// Epoch seconds with exactly six decimals, from nanoseconds, written as a JSON number. Going through `f64`
    /// would lose the last microsecond digits of present-day timestamps.
    pub fn epoch_us(&mut self, key: &str, ns: u64) {
        self.key(key);
        let us = ns / 1_000;
        let mut b = itoa::Buffer::new();
        self.out
            .extend_from_slice(b.format(us / 1_000_000).as_bytes());
        self.out.push(b'.');
        let frac = us % 1_000_000;
        let digits = b.format(frac);
        for _ in digits.len()..6 {
            self.out.push(b'0');
        }
        self.out.extend_from_slice(digits.as_bytes());
    }

    /// Starts a nested object under `key`; [`Self::close`] ends it.
    pub fn open(&mut self, key: &str) {
        self.key(key);
        self.out.push(b'{');
        self.first = true;
    }

    /// Ends the object [`Self::open`] started.
    pub fn close(&mut self) {
        self.out.push(b'}');
        self.first = false;
    }

    pub fn bool(&mut self, key: &str, value: bool) {
        self.key(key);
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    /// An array of unsigned integers.
    pub fn u64_array(&mut self, key: &str, values: impl IntoIterator<Item = u64>) {
        self.key(key);
        self.out.push(b'[');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.out
                .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        }
        self.out.push(b']');
    }

    /// An array of strings.
    pub fn str_array<'s>(&mut self, key: &str, values: impl IntoIterator<Item = &'s str>) {
        self.key(key);
        self.out.push(b'[');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            escape_into(self.out, v);
        }
        self.out.push(b']');
    }
}

/// Writes `s` as a quoted JSON string.
fn escape_into(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f | 0x7f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_fields_in_order_with_escapes() {
        let mut out = Vec::new();
        let mut w = JsonWriter::begin(&mut out);
        w.str("a", "x\"y\\z\n\u{1}");
        w.u64("n", 42);
        w.ip("ip", "::1".parse().unwrap_or(IpAddr::from([0u8; 4])));
        w.epoch_us("t", 1_700_000_000_000_123_999);
        w.str_array("l", ["p", "q"]);
        w.end();
        assert_eq!(
            String::from_utf8_lossy(&out),
            r#"{"a":"x\"y\\z\n\u0001","n":42,"ip":"::1","t":1700000000.000123,"l":["p","q"]}"#
        );
    }
}
