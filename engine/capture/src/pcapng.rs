//! pcapng files: sections in either byte order, interfaces with their own link type and timestamp resolution,
//! enhanced, simple and obsolete packet blocks. Other blocks are skipped.

use crate::file::{rd16, rd32, RawPacket, Step, MAX_CAPLEN};

const SHB: u32 = 0x0a0d_0d0a;
const IDB: u32 = 1;
const OBSOLETE_PB: u32 = 2;
const SPB: u32 = 3;
const EPB: u32 = 6;
const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;
/// Interfaces per section we keep; more means a corrupt or hostile file.
const MAX_INTERFACES: usize = 1024;
/// A block longer than this is corrupt (no packet block needs more than `MAX_CAPLEN` plus headers and options).
const MAX_BLOCK_LEN: usize = 16 << 20;

pub fn is_pcapng(data: &[u8]) -> bool {
    data.get(..4) == Some(&SHB.to_le_bytes()[..])
}

/// Timestamp unit of an interface.
#[derive(Clone, Copy, Debug)]
enum TsResol {
    /// 10^-n seconds.
    Dec(u32),
    /// 2^-n seconds.
    Bin(u32),
}

impl TsResol {
    fn to_ns(self, units: u64) -> u64 {
        let ns = match self {
            TsResol::Dec(n) if n <= 9 => u128::from(units) * 10u128.pow(9 - n),
            TsResol::Dec(n) => u128::from(units) / 10u128.pow(n.min(38) - 9),
            TsResol::Bin(n) => (u128::from(units) * 1_000_000_000) >> n.min(127),
        };
        u64::try_from(ns).unwrap_or(u64::MAX)
    }
}

#[derive(Clone, Copy, Debug)]
struct Interface {
    linktype: u32,
    snaplen: u32,
    resol: TsResol,
}

pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    big: bool,
    interfaces: Vec<Interface>,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos: 0,
            big: false,
            interfaces: Vec::new(),
        }
    }

    pub fn next_packet(&mut self) -> Step<'a> {
        loop {
            let at = self.pos;
            if at >= self.data.len() {
                return Step::End;
            }
            let Some(head) = self.data.get(at..at + 12) else {
                return Step::Truncated {
                    what: "block header",
                    offset: at as u64,
                    needed: 12,
                };
            };
            let kind = rd32(head, 0, false);
            if kind == SHB {
                // The byte order is declared by the section header itself.
                match rd32(head, 8, false) {
                    BYTE_ORDER_MAGIC => self.big = false,
                    m if m.swap_bytes() == BYTE_ORDER_MAGIC => self.big = true,
                    _ => {
                        return Step::Bad {
                            offset: at as u64,
                            reason: "section header with an unknown byte-order magic",
                        }
                    }
                }
                self.interfaces.clear();
            }
            let kind = rd32(head, 0, self.big);
            let len = rd32(head, 4, self.big) as usize;
            if len < 12 || !len.is_multiple_of(4) || len > MAX_BLOCK_LEN {
                return Step::Bad {
                    offset: at as u64,
                    reason: "block length not a multiple of 4 in 12..16 MiB",
                };
            }
            let Some(block) = self.data.get(at..at + len) else {
                return Step::Truncated {
                    what: "block",
                    offset: at as u64,
                    needed: len as u64,
                };
            };
            if rd32(block, len - 4, self.big) as usize != len {
                return Step::Bad {
                    offset: at as u64,
                    reason: "block trailer length differs from its header",
                };
            }
            self.pos = at + len;
            let body = &block[8..len - 4];
            let packet = match kind {
                IDB => {
                    if let Err(reason) = self.add_interface(body) {
                        return Step::Bad {
                            offset: at as u64,
                            reason,
                        };
                    }
                    continue;
                }
                EPB => self.enhanced(body, at),
                OBSOLETE_PB => self.obsolete(body, at),
                SPB => self.simple(body, at),
                _ => continue,
            };
            return packet;
        }
    }

    fn add_interface(&mut self, body: &[u8]) -> Result<(), &'static str> {
        if body.len() < 8 {
            return Err("interface description block too short");
        }
        if self.interfaces.len() >= MAX_INTERFACES {
            return Err("more than 1024 interfaces in one section");
        }
        let linktype = u32::from(rd16(body, 0, self.big));
        let snaplen = rd32(body, 4, self.big);
        let mut resol = TsResol::Dec(6);
        let mut opts = body.get(8..).unwrap_or(&[]);
        while opts.len() >= 4 {
            let code = rd16(opts, 0, self.big);
            let olen = usize::from(rd16(opts, 2, self.big));
            let padded = (olen + 3) & !3;
            let Some(value) = opts.get(4..4 + olen) else {
                break;
            };
            if code == 0 {
                break;
            }
            if code == 9 && olen >= 1 {
                let v = value[0];
                resol = if v & 0x80 == 0 {
                    TsResol::Dec(u32::from(v))
                } else {
                    TsResol::Bin(u32::from(v & 0x7f))
                };
            }
            opts = opts.get(4 + padded..).unwrap_or(&[]);
        }
        self.interfaces.push(Interface {
            linktype,
            snaplen,
            resol,
        });
        Ok(())
    }

    fn interface(&self, id: u32, at: usize) -> Result<Interface, Step<'a>> {
        self.interfaces.get(id as usize).copied().ok_or(Step::Bad {
            offset: at as u64,
            reason: "packet refers to an undefined interface",
        })
    }

    /// Common tail of EPB and the obsolete PB: timestamp, lengths, data at body offset 20.
    fn timed(&self, body: &'a [u8], at: usize, iface_id: u32) -> Step<'a> {
        if body.len() < 20 {
            return Step::Bad {
                offset: at as u64,
                reason: "packet block too short",
            };
        }
        let iface = match self.interface(iface_id, at) {
            Ok(i) => i,
            Err(step) => return step,
        };
        let units = (u64::from(rd32(body, 4, self.big)) << 32) | u64::from(rd32(body, 8, self.big));
        let caplen = rd32(body, 12, self.big);
        let orig = rd32(body, 16, self.big);
        if caplen > MAX_CAPLEN {
            return Step::Bad {
                offset: at as u64,
                reason: "captured length above 262144 bytes",
            };
        }
        let Some(data) = body.get(20..20 + caplen as usize) else {
            return Step::Bad {
                offset: at as u64,
                reason: "captured length runs past the end of its block",
            };
        };
        Step::Packet(RawPacket {
            ts_ns: iface.resol.to_ns(units),
            caplen,
            wire_len: orig.max(caplen),
            linktype: iface.linktype,
            interface: iface_id,
            offset: (at + 8 + 20) as u64,
            data,
        })
    }

    fn enhanced(&self, body: &'a [u8], at: usize) -> Step<'a> {
        self.timed(body, at, rd32(body, 0, self.big))
    }

    fn obsolete(&self, body: &'a [u8], at: usize) -> Step<'a> {
        self.timed(body, at, u32::from(rd16(body, 0, self.big)))
    }

    fn simple(&self, body: &'a [u8], at: usize) -> Step<'a> {
        let iface = match self.interface(0, at) {
            Ok(i) => i,
            Err(step) => return step,
        };
        let orig = rd32(body, 0, self.big);
        let room = u32::try_from(body.len().saturating_sub(4)).unwrap_or(u32::MAX);
        let snap = if iface.snaplen == 0 {
            u32::MAX
        } else {
            iface.snaplen
        };
        let caplen = orig.min(snap).min(room).min(MAX_CAPLEN);
        let Some(data) = body.get(4..4 + caplen as usize) else {
            return Step::Bad {
                offset: at as u64,
                reason: "simple packet block too short",
            };
        };
        Step::Packet(RawPacket {
            ts_ns: 0,
            caplen,
            wire_len: orig.max(caplen),
            linktype: iface.linktype,
            interface: 0,
            offset: (at + 12) as u64,
            data,
        })
    }
}
