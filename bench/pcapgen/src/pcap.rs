//! A small, self-contained reader for pcap (µs/ns, both byte orders, plus the
//! "modified" Kuznetzov variant) and pcapng (SHB/IDB/EPB/SPB/OPB, per-interface
//! link type, `if_tsresol` and `if_tsoffset`), and a classic pcap writer.
//!
//! It is a bench tool: whole files are parsed from memory, a truncated last
//! record ends the file quietly (counted in [`Capture::truncated`]).

use std::io::Write;

use anyhow::{bail, ensure, Result};

pub const LINKTYPE_NULL: u32 = 0;
pub const LINKTYPE_ETHERNET: u32 = 1;
pub const LINKTYPE_RAW_OLD12: u32 = 12;
pub const LINKTYPE_RAW_OLD14: u32 = 14;
pub const LINKTYPE_RAW: u32 = 101;
pub const LINKTYPE_LOOP: u32 = 108;
pub const LINKTYPE_LINUX_SLL: u32 = 113;
pub const LINKTYPE_IPV4: u32 = 228;
pub const LINKTYPE_IPV6: u32 = 229;
pub const LINKTYPE_LINUX_SLL2: u32 = 276;

const PCAP_MAGIC_US: u32 = 0xa1b2_c3d4;
const PCAP_MAGIC_NS: u32 = 0xa1b2_3c4d;
const PCAP_MAGIC_MODIFIED: u32 = 0xa1b2_cd34;
const PCAPNG_SHB: u32 = 0x0a0d_0d0a;
const PCAPNG_BOM: u32 = 0x1a2b_3c4d;

/// One captured packet, timestamp normalised to nanoseconds since the epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub ts_ns: u64,
    pub linktype: u32,
    pub orig_len: u32,
    pub data: Vec<u8>,
}

/// Result of parsing one capture file.
#[derive(Debug, Default)]
pub struct Capture {
    pub format: &'static str,
    pub packets: Vec<Packet>,
    /// true when the file ended in the middle of a record/block.
    pub truncated: bool,
}

/// Which container format (if any) the first bytes announce.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.len() < 4 {
        return None;
    }
    let le = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let be = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    if le == PCAPNG_SHB {
        return Some("pcapng");
    }
    for m in [PCAP_MAGIC_US, PCAP_MAGIC_NS, PCAP_MAGIC_MODIFIED] {
        if le == m || be == m {
            return Some("pcap");
        }
    }
    None
}

/// Parse a pcap or pcapng file held in memory.
pub fn parse(bytes: &[u8]) -> Result<Capture> {
    match sniff(bytes) {
        Some("pcap") => parse_pcap(bytes),
        Some("pcapng") => parse_pcapng(bytes),
        _ => bail!("not a pcap/pcapng file (unknown magic)"),
    }
}

#[derive(Clone, Copy)]
struct Endian {
    big: bool,
}

impl Endian {
    fn u16(self, b: &[u8], off: usize) -> Option<u16> {
        let s: [u8; 2] = b.get(off..off + 2)?.try_into().ok()?;
        Some(if self.big {
            u16::from_be_bytes(s)
        } else {
            u16::from_le_bytes(s)
        })
    }
    fn u32(self, b: &[u8], off: usize) -> Option<u32> {
        let s: [u8; 4] = b.get(off..off + 4)?.try_into().ok()?;
        Some(if self.big {
            u32::from_be_bytes(s)
        } else {
            u32::from_le_bytes(s)
        })
    }
    fn u64(self, b: &[u8], off: usize) -> Option<u64> {
        let s: [u8; 8] = b.get(off..off + 8)?.try_into().ok()?;
        Some(if self.big {
            u64::from_be_bytes(s)
        } else {
            u64::from_le_bytes(s)
        })
    }
}

fn parse_pcap(b: &[u8]) -> Result<Capture> {
    ensure!(b.len() >= 24, "pcap global header truncated");
    let le = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let magic_of = |m: u32| le == m || le == m.swap_bytes();
    let e = Endian {
        big: !(le == PCAP_MAGIC_US || le == PCAP_MAGIC_NS || le == PCAP_MAGIC_MODIFIED),
    };
    let nanos = magic_of(PCAP_MAGIC_NS);
    let extra = if magic_of(PCAP_MAGIC_MODIFIED) { 8 } else { 0 };
    let linktype = e.u32(b, 20).unwrap_or(0) & 0xffff;
    let mut cap = Capture {
        format: if nanos { "pcap-ns" } else { "pcap" },
        ..Capture::default()
    };
    let mut off = 24usize;
    while off < b.len() {
        let (Some(sec), Some(frac), Some(incl), Some(orig)) = (
            e.u32(b, off),
            e.u32(b, off + 4),
            e.u32(b, off + 8),
            e.u32(b, off + 12),
        ) else {
            cap.truncated = true;
            break;
        };
        let start = off + 16 + extra;
        let Some(data) = start
            .checked_add(incl as usize)
            .and_then(|end| b.get(start..end))
        else {
            cap.truncated = true;
            break;
        };
        let frac_ns = if nanos {
            u64::from(frac)
        } else {
            u64::from(frac) * 1000
        };
        cap.packets.push(Packet {
            ts_ns: u64::from(sec) * 1_000_000_000 + frac_ns,
            linktype,
            orig_len: orig.max(incl),
            data: data.to_vec(),
        });
        off = start + incl as usize;
    }
    Ok(cap)
}

#[derive(Clone, Copy)]
struct Iface {
    linktype: u32,
    snaplen: u32,
    /// true: units are 10^-exp s; false: 2^-exp s
    decimal: bool,
    exp: u32,
    offset_s: i64,
}

impl Iface {
    fn to_ns(self, units: u64) -> u64 {
        let ns: u128 = if self.decimal {
            if self.exp <= 9 {
                u128::from(units) * 10u128.pow(9 - self.exp)
            } else {
                u128::from(units) / 10u128.pow((self.exp - 9).min(38))
            }
        } else {
            (u128::from(units) * 1_000_000_000) >> self.exp.min(127)
        };
        let ns = ns as i128 + i128::from(self.offset_s) * 1_000_000_000;
        ns.clamp(0, i128::from(u64::MAX)) as u64
    }
}

fn parse_pcapng(b: &[u8]) -> Result<Capture> {
    let mut cap = Capture {
        format: "pcapng",
        ..Capture::default()
    };
    let mut e = Endian { big: false };
    let mut ifaces: Vec<Iface> = Vec::new();
    let mut last_ts = 0u64;
    let mut off = 0usize;
    while off < b.len() {
        let Some(btype_le) = Endian { big: false }.u32(b, off) else {
            cap.truncated = true;
            break;
        };
        if btype_le == PCAPNG_SHB {
            // byte-order magic decides the endianness of this section
            let Some(bom) = (Endian { big: false }).u32(b, off + 8) else {
                cap.truncated = true;
                break;
            };
            e = match bom {
                PCAPNG_BOM => Endian { big: false },
                x if x == PCAPNG_BOM.swap_bytes() => Endian { big: true },
                _ => bail!("pcapng: bad byte-order magic at offset {off}"),
            };
            ifaces.clear();
        }
        let (Some(btype), Some(blen)) = (e.u32(b, off), e.u32(b, off + 4)) else {
            cap.truncated = true;
            break;
        };
        let blen = blen as usize;
        if blen < 12 || !blen.is_multiple_of(4) {
            bail!("pcapng: bad block length {blen} at offset {off}");
        }
        let Some(block) = off.checked_add(blen).and_then(|end| b.get(off..end)) else {
            cap.truncated = true;
            break;
        };
        let body = &block[8..blen - 4];
        match btype {
            1 => ifaces.push(parse_idb(e, body)),
            6 | 2 => {
                // EPB (6): if_id u32; OPB (2): if_id u16 + drops u16. Same layout after.
                let if_id = if btype == 6 {
                    e.u32(body, 0)
                } else {
                    e.u16(body, 0).map(u32::from)
                };
                let (Some(if_id), Some(hi), Some(lo), Some(caplen), Some(orig)) = (
                    if_id,
                    e.u32(body, 4),
                    e.u32(body, 8),
                    e.u32(body, 12),
                    e.u32(body, 16),
                ) else {
                    bail!("pcapng: short packet block at offset {off}");
                };
                let Some(iface) = ifaces.get(if_id as usize).copied() else {
                    bail!("pcapng: packet for unknown interface {if_id} at offset {off}");
                };
                let Some(data) = body.get(20..20 + caplen as usize) else {
                    bail!("pcapng: packet data overruns block at offset {off}");
                };
                let ts = iface.to_ns((u64::from(hi) << 32) | u64::from(lo));
                last_ts = ts;
                cap.packets.push(Packet {
                    ts_ns: ts,
                    linktype: iface.linktype,
                    orig_len: orig.max(caplen),
                    data: data.to_vec(),
                });
            }
            3 => {
                // SPB: no timestamp (reuse the previous one), interface 0
                let Some(iface) = ifaces.first().copied() else {
                    bail!("pcapng: simple packet block before any interface at offset {off}");
                };
                let Some(orig) = e.u32(body, 0) else {
                    bail!("pcapng: short simple packet block at offset {off}");
                };
                let mut caplen = (orig as usize).min(body.len() - 4);
                if iface.snaplen != 0 {
                    caplen = caplen.min(iface.snaplen as usize);
                }
                cap.packets.push(Packet {
                    ts_ns: last_ts,
                    linktype: iface.linktype,
                    orig_len: orig,
                    data: body[4..4 + caplen].to_vec(),
                });
            }
            _ => {} // SHB (handled above), NRB, ISB, DSB, custom...: ignored
        }
        off += blen;
    }
    Ok(cap)
}

fn parse_idb(e: Endian, body: &[u8]) -> Iface {
    let mut ifc = Iface {
        linktype: e.u16(body, 0).map_or(0, u32::from),
        snaplen: e.u32(body, 4).unwrap_or(0),
        decimal: true,
        exp: 6,
        offset_s: 0,
    };
    let mut off = 8usize;
    while let (Some(code), Some(len)) = (e.u16(body, off), e.u16(body, off + 2)) {
        let len = len as usize;
        let Some(val) = body.get(off + 4..off + 4 + len) else {
            break;
        };
        match code {
            0 => break,
            9 if len >= 1 => {
                ifc.decimal = val[0] & 0x80 == 0;
                ifc.exp = u32::from(val[0] & 0x7f);
            }
            14 if len >= 8 => ifc.offset_s = e.u64(val, 0).unwrap_or(0) as i64,
            _ => {}
        }
        off += 4 + len.div_ceil(4) * 4;
    }
    ifc
}

/// Classic pcap writer (host = little-endian byte order).
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
    nanos: bool,
    pub packets: u64,
    pub bytes: u64,
}

impl<W: Write> PcapWriter<W> {
    pub fn new(mut out: W, linktype: u32, snaplen: u32, nanos: bool) -> Result<Self> {
        let magic = if nanos { PCAP_MAGIC_NS } else { PCAP_MAGIC_US };
        let mut h = [0u8; 24];
        h[0..4].copy_from_slice(&magic.to_le_bytes());
        h[4..6].copy_from_slice(&2u16.to_le_bytes());
        h[6..8].copy_from_slice(&4u16.to_le_bytes());
        // thiszone = 0, sigfigs = 0
        h[16..20].copy_from_slice(&snaplen.to_le_bytes());
        h[20..24].copy_from_slice(&linktype.to_le_bytes());
        out.write_all(&h)?;
        Ok(Self {
            out,
            nanos,
            packets: 0,
            bytes: 0,
        })
    }

    pub fn write(&mut self, ts_ns: u64, orig_len: u32, data: &[u8]) -> Result<()> {
        let sec = ts_ns / 1_000_000_000;
        ensure!(
            sec <= u64::from(u32::MAX),
            "timestamp {ts_ns} ns does not fit a pcap header"
        );
        let sub = ts_ns % 1_000_000_000;
        let frac = if self.nanos { sub } else { sub / 1000 };
        let caplen = u32::try_from(data.len())?;
        let mut h = [0u8; 16];
        h[0..4].copy_from_slice(&(sec as u32).to_le_bytes());
        h[4..8].copy_from_slice(&(frac as u32).to_le_bytes());
        h[8..12].copy_from_slice(&caplen.to_le_bytes());
        h[12..16].copy_from_slice(&orig_len.max(caplen).to_le_bytes());
        self.out.write_all(&h)?;
        self.out.write_all(data)?;
        self.packets += 1;
        self.bytes += u64::from(caplen);
        Ok(())
    }

    pub fn finish(mut self) -> Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Packet> {
        vec![
            Packet {
                ts_ns: 1_700_000_000_123_456_000,
                linktype: 1,
                orig_len: 60,
                data: vec![0xaa; 60],
            },
            Packet {
                ts_ns: 1_700_000_001_000_001_000,
                linktype: 1,
                orig_len: 1500,
                data: vec![0x55; 96],
            },
            Packet {
                ts_ns: 1_700_000_002_999_999_000,
                linktype: 1,
                orig_len: 3,
                data: vec![1, 2, 3],
            },
        ]
    }

    fn write_pcap(pkts: &[Packet], nanos: bool) -> Result<Vec<u8>> {
        let mut w = PcapWriter::new(Vec::new(), 1, 65535, nanos)?;
        for p in pkts {
            w.write(p.ts_ns, p.orig_len, &p.data)?;
        }
        w.finish()
    }

    #[test]
    fn pcap_roundtrip_us_and_ns() -> Result<()> {
        for nanos in [false, true] {
            let mut pkts = sample();
            if nanos {
                pkts[0].ts_ns += 789; // sub-µs survives only in ns files
            }
            let bytes = write_pcap(&pkts, nanos)?;
            let cap = parse(&bytes)?;
            assert_eq!(cap.packets, pkts);
            assert!(!cap.truncated);
        }
        Ok(())
    }

    /// Re-encode a little-endian pcap as big-endian to exercise the swapped reader.
    fn to_big_endian(le: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let sw32 = |b: &[u8]| [b[3], b[2], b[1], b[0]];
        for i in [0usize, 8, 12, 16, 20] {
            if i == 0 {
                out.extend_from_slice(&sw32(&le[0..4]));
                out.extend_from_slice(&[le[5], le[4], le[7], le[6]]);
            } else {
                out.extend_from_slice(&sw32(&le[i..i + 4]));
            }
        }
        let mut off = 24;
        while off < le.len() {
            let incl =
                u32::from_le_bytes([le[off + 8], le[off + 9], le[off + 10], le[off + 11]]) as usize;
            for j in 0..4 {
                out.extend_from_slice(&sw32(&le[off + 4 * j..off + 4 * j + 4]));
            }
            out.extend_from_slice(&le[off + 16..off + 16 + incl]);
            off += 16 + incl;
        }
        out
    }

    #[test]
    fn pcap_big_endian_and_truncated() -> Result<()> {
        let pkts = sample();
        let be = to_big_endian(&write_pcap(&pkts, false)?);
        assert_eq!(&be[0..4], &[0xa1, 0xb2, 0xc3, 0xd4]);
        assert_eq!(parse(&be)?.packets, pkts);
        let cut = &be[..be.len() - 2];
        let cap = parse(cut)?;
        assert!(cap.truncated);
        assert_eq!(cap.packets.len(), 2);
        Ok(())
    }

    struct NgBuilder {
        big: bool,
        out: Vec<u8>,
    }

    impl NgBuilder {
        fn u16(&self, v: u16) -> [u8; 2] {
            if self.big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        }
        fn u32(&self, v: u32) -> [u8; 4] {
            if self.big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        }
        fn block(&mut self, btype: u32, body: &[u8]) {
            let mut body = body.to_vec();
            while !body.len().is_multiple_of(4) {
                body.push(0);
            }
            let len = body.len() as u32 + 12;
            let (t, l) = (self.u32(btype), self.u32(len));
            self.out.extend_from_slice(&t);
            self.out.extend_from_slice(&l);
            self.out.extend_from_slice(&body);
            self.out.extend_from_slice(&l);
        }
        fn shb(&mut self) {
            let mut b = Vec::new();
            b.extend_from_slice(&self.u32(PCAPNG_BOM));
            b.extend_from_slice(&self.u16(1));
            b.extend_from_slice(&self.u16(0));
            b.extend_from_slice(&[0xff; 8]); // section length unknown
            self.block(PCAPNG_SHB, &b);
        }
        fn idb(&mut self, linktype: u16, tsresol: Option<u8>) {
            let mut b = Vec::new();
            b.extend_from_slice(&self.u16(linktype));
            b.extend_from_slice(&self.u16(0));
            b.extend_from_slice(&self.u32(0));
            if let Some(r) = tsresol {
                b.extend_from_slice(&self.u16(9));
                b.extend_from_slice(&self.u16(1));
                b.extend_from_slice(&[r, 0, 0, 0]);
                b.extend_from_slice(&[0; 4]); // opt_endofopt
            }
            self.block(1, &b);
        }
        fn epb(&mut self, if_id: u32, ts_units: u64, orig: u32, data: &[u8]) {
            let mut b = Vec::new();
            b.extend_from_slice(&self.u32(if_id));
            b.extend_from_slice(&self.u32((ts_units >> 32) as u32));
            b.extend_from_slice(&self.u32(ts_units as u32));
            b.extend_from_slice(&self.u32(data.len() as u32));
            b.extend_from_slice(&self.u32(orig));
            b.extend_from_slice(data);
            self.block(6, &b);
        }
        fn spb(&mut self, data: &[u8]) {
            let mut b = Vec::new();
            b.extend_from_slice(&self.u32(data.len() as u32));
            b.extend_from_slice(data);
            self.block(3, &b);
        }
    }

    #[test]
    fn pcapng_both_orders_interfaces_and_resolutions() -> Result<()> {
        for big in [false, true] {
            let mut ng = NgBuilder {
                big,
                out: Vec::new(),
            };
            ng.shb();
            ng.idb(1, None); // Ethernet, µs (default)
            ng.idb(101, Some(9)); // raw IP, ns
            ng.idb(228, Some(0x80 | 20)); // IPv4, 2^-20 s
            ng.epb(0, 1_700_000_000_000_001, 70, &[7; 5]);
            ng.epb(1, 1_700_000_000_000_002_003, 20, &[0x45; 20]);
            ng.epb(2, 3 << 20, 9, &[0x45; 9]); // 3 s
            ng.spb(&[9; 7]);
            let cap = parse(&ng.out)?;
            assert_eq!(cap.format, "pcapng");
            let got: Vec<(u64, u32, u32, usize)> = cap
                .packets
                .iter()
                .map(|p| (p.ts_ns, p.linktype, p.orig_len, p.data.len()))
                .collect();
            assert_eq!(
                got,
                vec![
                    (1_700_000_000_000_001_000, 1, 70, 5),
                    (1_700_000_000_000_002_003, 101, 20, 20),
                    (3_000_000_000, 228, 9, 9),
                    (3_000_000_000, 1, 7, 7),
                ],
                "big={big}"
            );
        }
        Ok(())
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse(b"hello world, not a capture").is_err());
        assert!(sniff(b"\x0a\x0d\x0d\x0a").is_some());
    }
}
