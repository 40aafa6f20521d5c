//! TCP connection tracking per flow: state, handshake RTT, retransmissions and out-of-order segments.
//!
//! The tracker sees only headers and payload lengths. It counts a data segment as a retransmission when its sequence
//! number is before the next expected one of its direction (its bytes were already seen), and as out-of-order when
//! it jumps ahead of it (a gap: an earlier segment was lost or reordered). Keep-alives (zero or one byte just below
//! the expected sequence) are neither.

use xntop_wire::tcp_flags::{ACK, FIN, RST, SYN};

/// Connection state as the monitor sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum TcpState {
    /// No packet yet, or the flow started mid-connection and no handshake was seen.
    #[default]
    None,
    SynSent,
    SynReceived,
    Established,
    /// One side sent a FIN.
    Closing,
    /// Both sides sent a FIN.
    Closed,
    Reset,
}

impl TcpState {
    /// Name used in flow records.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::SynSent => "syn_sent",
            Self::SynReceived => "syn_received",
            Self::Established => "established",
            Self::Closing => "closing",
            Self::Closed => "closed",
            Self::Reset => "reset",
        }
    }

    /// True once the connection is over (both FINs, or a RST).
    #[must_use]
    pub const fn is_finished(self) -> bool {
        matches!(self, Self::Closed | Self::Reset)
    }
}

/// Per-flow TCP tracking state, kept small (24 bytes): one lives in every TCP flow. Index 0 is the client's
/// direction, 1 the server's.
#[derive(Clone, Copy, Debug, Default)]
pub struct TcpTracker {
    pub state: TcpState,
    /// `FIN_SEEN << dir` and `SEQ_KNOWN << dir` bits.
    bits: u8,
    /// OR of the TCP flags seen per direction (kept here, where it fills what would be padding).
    pub flags: [u8; 2],
    next_seq: [u32; 2],
    pub retransmissions: u32,
    pub out_of_order: u32,
    /// Handshake round trip (SYN to the client's ACK of the SYN-ACK), microseconds; 0 when not seen.
    pub rtt_us: u32,
}

const FIN_SEEN: u8 = 0b01;
const SEQ_KNOWN: u8 = 0b100;
const FROM_SYN: u8 = 0b1_0000;

/// Sequence comparison modulo 2^32 (RFC 1982 style): true when `a` is after `b`.
fn seq_after(a: u32, b: u32) -> bool {
    #[allow(clippy::cast_possible_wrap, reason = "modular sequence arithmetic")]
    let d = a.wrapping_sub(b) as i32;
    d > 0
}

impl TcpTracker {
    /// Feeds one segment. `dir` is 0 for client → server, 1 for server → client; `since_first_ns` is the time since
    /// the flow's first packet (the SYN, when the handshake is seen).
    pub fn update(
        &mut self,
        dir: usize,
        flags: u8,
        seq: u32,
        payload_len: u32,
        since_first_ns: u64,
    ) {
        let dir = dir & 1;
        self.track_state(dir, flags, since_first_ns);
        self.track_sequence(dir, flags, seq, payload_len);
    }

    fn track_state(&mut self, dir: usize, flags: u8, since_first_ns: u64) {
        if flags & RST != 0 {
            self.state = TcpState::Reset;
            return;
        }
        let syn = flags & SYN != 0;
        let ack = flags & ACK != 0;
        match self.state {
            TcpState::None if syn && !ack && dir == 0 => self.state = TcpState::SynSent,
            TcpState::None if syn && ack => {
                self.state = TcpState::SynReceived;
            }
            TcpState::None if !syn => self.state = TcpState::Established,
            TcpState::SynSent if syn && ack && dir == 1 => {
                // Only a handshake seen from its SYN gives an RTT.
                self.state = TcpState::SynReceived;
                self.bits |= FROM_SYN;
            }
            TcpState::SynReceived if ack && !syn && dir == 0 => {
                self.state = TcpState::Established;
                if self.bits & FROM_SYN != 0 {
                    self.rtt_us = u32::try_from(since_first_ns / 1000)
                        .unwrap_or(u32::MAX)
                        .max(1);
                }
            }
            _ => {}
        }
        if flags & FIN != 0 {
            self.bits |= FIN_SEEN << dir;
            self.state = if self.bits & (FIN_SEEN | FIN_SEEN << 1) == FIN_SEEN | FIN_SEEN << 1 {
                TcpState::Closed
            } else {
                TcpState::Closing
            };
        }
    }

    fn track_sequence(&mut self, dir: usize, flags: u8, seq: u32, payload_len: u32) {
        // SYN and FIN each consume one sequence number.
        let consumed = payload_len + u32::from(flags & SYN != 0) + u32::from(flags & FIN != 0);
        if self.bits & (SEQ_KNOWN << dir) == 0 {
            self.bits |= SEQ_KNOWN << dir;
            self.next_seq[dir] = seq.wrapping_add(consumed);
            return;
        }
        if consumed == 0 {
            return;
        }
        let next = self.next_seq[dir];
        let end = seq.wrapping_add(consumed);
        if seq == next {
            self.next_seq[dir] = end;
        } else if seq_after(seq, next) {
            self.out_of_order += 1;
            self.next_seq[dir] = end;
        } else if payload_len <= 1 && end == next && flags & (SYN | FIN) == 0 {
            // Keep-alive probe: one byte (or none) just below the window edge.
        } else {
            self.retransmissions += 1;
            if seq_after(end, next) {
                self.next_seq[dir] = end;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xntop_wire::tcp_flags::PSH;

    const MS: u64 = 1_000_000;

    #[test]
    fn handshake_data_and_close() {
        let mut t = TcpTracker::default();
        t.update(0, SYN, 1000, 0, 0);
        assert_eq!(t.state, TcpState::SynSent);
        t.update(1, SYN | ACK, 5000, 0, 2 * MS);
        assert_eq!(t.state, TcpState::SynReceived);
        t.update(0, ACK, 1001, 0, 3 * MS);
        assert_eq!(t.state, TcpState::Established);
        assert_eq!(t.rtt_us, 3000);
        t.update(0, ACK | PSH, 1001, 100, 14 * MS);
        t.update(1, ACK | PSH, 5001, 200, 15 * MS);
        t.update(0, ACK | FIN, 1101, 0, 16 * MS);
        assert_eq!(t.state, TcpState::Closing);
        t.update(1, ACK | FIN, 5201, 0, 17 * MS);
        assert_eq!(t.state, TcpState::Closed);
        assert!(t.state.is_finished());
        assert_eq!((t.retransmissions, t.out_of_order), (0, 0));
    }

    #[test]
    fn retransmission_gap_and_keepalive() {
        let mut t = TcpTracker::default();
        t.update(0, ACK, 100, 10, 0); // mid-stream start: next = 110
        assert_eq!(t.state, TcpState::Established);
        t.update(0, ACK, 100, 10, 1); // same bytes again
        assert_eq!(t.retransmissions, 1);
        t.update(0, ACK, 130, 10, 2); // skipped 110..130
        assert_eq!(t.out_of_order, 1);
        t.update(0, ACK, 139, 1, 3); // keep-alive: last byte again
        assert_eq!((t.retransmissions, t.out_of_order), (1, 1));
        t.update(0, ACK, 140, 0, 4); // pure ACK: nothing to count
        assert_eq!((t.retransmissions, t.out_of_order), (1, 1));
    }

    #[test]
    fn sequence_wraps() {
        let mut t = TcpTracker::default();
        t.update(0, ACK, u32::MAX - 4, 10, 0);
        t.update(0, ACK, 5, 10, 1);
        assert_eq!((t.retransmissions, t.out_of_order), (0, 0));
    }

    #[test]
    fn tracker_stays_small() {
        assert!(std::mem::size_of::<TcpTracker>() <= 24);
    }

    #[test]
    fn reset_ends_the_connection() {
        let mut t = TcpTracker::default();
        t.update(0, SYN, 1, 0, 0);
        t.update(1, RST | ACK, 0, 0, 1);
        assert_eq!(t.state, TcpState::Reset);
        assert_eq!(t.rtt_us, 0);
    }
}
