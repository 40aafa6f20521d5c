//! Reader tests: captures written here byte by byte (every format variant), the project's real captures, every
//! error, and a property test over random and corrupted files.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use proptest::prelude::*;

use crate::{CaptureError, CaptureFile, Format, RawPacket};

/// One packet to write: (seconds, fraction in the file's unit, captured bytes, original length).
type Rec = (u32, u32, Vec<u8>, u32);

fn pcap_bytes(big: bool, nanos: bool, linktype: u32, recs: &[Rec]) -> Vec<u8> {
    let w32 = |v: u32| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let w16 = |v: u16| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut out = Vec::new();
    out.extend_from_slice(&w32(if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 }));
    out.extend_from_slice(&w16(2));
    out.extend_from_slice(&w16(4));
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&w32(65535));
    out.extend_from_slice(&w32(linktype));
    for (sec, frac, data, orig) in recs {
        out.extend_from_slice(&w32(*sec));
        out.extend_from_slice(&w32(*frac));
        out.extend_from_slice(&w32(u32::try_from(data.len()).unwrap()));
        out.extend_from_slice(&w32(*orig));
        out.extend_from_slice(data);
    }
    out
}

struct Ng {
    big: bool,
    out: Vec<u8>,
}

impl Ng {
    fn new(big: bool) -> Self {
        let mut ng = Self {
            big,
            out: Vec::new(),
        };
        let mut body = ng.u32(0x1a2b_3c4d).to_vec();
        body.extend_from_slice(&ng.u16(1));
        body.extend_from_slice(&ng.u16(0));
        body.extend_from_slice(&[0xff; 8]);
        ng.block(0x0a0d_0d0a, &body);
        ng
    }
    fn u32(&self, v: u32) -> [u8; 4] {
        if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
    fn u16(&self, v: u16) -> [u8; 2] {
        if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
    fn block(&mut self, kind: u32, body: &[u8]) {
        let mut padded = body.to_vec();
        while !padded.len().is_multiple_of(4) {
            padded.push(0);
        }
        let len = u32::try_from(padded.len() + 12).unwrap();
        let (k, l) = (self.u32(kind), self.u32(len));
        self.out.extend_from_slice(&k);
        self.out.extend_from_slice(&l);
        self.out.extend_from_slice(&padded);
        self.out.extend_from_slice(&l);
    }
    /// An interface; `tsresol` is the raw option byte, if any.
    fn idb(&mut self, linktype: u16, tsresol: Option<u8>) {
        let mut body = self.u16(linktype).to_vec();
        body.extend_from_slice(&[0, 0]);
        body.extend_from_slice(&self.u32(0));
        if let Some(r) = tsresol {
            body.extend_from_slice(&self.u16(9));
            body.extend_from_slice(&self.u16(1));
            body.extend_from_slice(&[r, 0, 0, 0]);
            body.extend_from_slice(&[0; 4]);
        }
        self.block(1, &body);
    }
    fn epb(&mut self, iface: u32, ts: u64, data: &[u8], orig: u32) {
        let mut body = self.u32(iface).to_vec();
        #[allow(clippy::cast_possible_truncation, reason = "split into halves")]
        let (hi, lo) = ((ts >> 32) as u32, ts as u32);
        body.extend_from_slice(&self.u32(hi));
        body.extend_from_slice(&self.u32(lo));
        body.extend_from_slice(&self.u32(u32::try_from(data.len()).unwrap()));
        body.extend_from_slice(&self.u32(orig));
        body.extend_from_slice(data);
        self.block(6, &body);
    }
    fn spb(&mut self, data: &[u8]) {
        let mut body = self.u32(u32::try_from(data.len()).unwrap()).to_vec();
        body.extend_from_slice(data);
        self.block(3, &body);
    }
}

/// (timestamp ns, wire length, link type, interface, data) of each packet read.
type Read = Vec<(u64, u32, u32, u32, Vec<u8>)>;

fn read(bytes: Vec<u8>) -> (CaptureFile, Read, Option<String>) {
    let f = CaptureFile::from_vec("t.pcap", bytes).unwrap();
    let mut pkts = Vec::new();
    let mut err = None;
    for p in f.packets() {
        match p {
            Ok(RawPacket {
                ts_ns,
                wire_len,
                linktype,
                interface,
                data,
                offset,
                caplen,
            }) => {
                assert_eq!(caplen as usize, data.len());
                assert_eq!(
                    &f.data()[offset as usize..offset as usize + data.len()],
                    data
                );
                pkts.push((ts_ns, wire_len, linktype, interface, data.to_vec()));
            }
            Err(e) => err = Some(e.to_string()),
        }
    }
    (f, pkts, err)
}

#[test]
fn all_four_pcap_variants() {
    for big in [false, true] {
        for nanos in [false, true] {
            let frac = if nanos { 123_456_789 } else { 123_456 };
            let recs = vec![
                (1_700_000_000, frac, vec![1, 2, 3], 60),
                (1_700_000_001, 0, vec![9; 70], 70),
            ];
            let (f, pkts, err) = read(pcap_bytes(big, nanos, 1, &recs));
            assert_eq!(f.format(), Format::Pcap);
            assert_eq!(err, None);
            let want_ns = 1_700_000_000_000_000_000 + if nanos { 123_456_789 } else { 123_456_000 };
            assert_eq!(pkts[0], (want_ns, 60, 1, 0, vec![1, 2, 3]));
            assert_eq!(pkts[1].0, 1_700_000_001_000_000_000);
            assert_eq!(pkts[1].1, 70);
        }
    }
}

#[test]
fn pcap_link_type_without_its_fcs_bits() {
    // Cisco HDLC with "frames end with a 4-byte FCS" in the upper bits (FCS length 2 words, flag bit 26).
    let (_, pkts, err) = read(pcap_bytes(
        false,
        false,
        0x2400_0068,
        &[(1, 0, vec![0x0f, 0, 8, 0], 4)],
    ));
    assert_eq!(err, None);
    assert_eq!(pkts[0].2, 104);
}

#[test]
fn pcapng_both_orders_resolutions_and_block_kinds() {
    for big in [false, true] {
        let mut ng = Ng::new(big);
        ng.idb(1, None); // µs
        ng.idb(101, Some(9)); // ns
        ng.idb(113, Some(0x80 | 10)); // 2^-10 s
        ng.idb(104, None); // each interface keeps its own link type
        ng.idb(127, None);
        ng.block(0x0000_0bad, &[1, 2, 3, 4]); // custom block: skipped
        ng.epb(0, 1_700_000_000_000_001, &[1; 5], 5);
        ng.epb(1, 1_700_000_000_000_000_007, &[2; 6], 100);
        ng.epb(2, 3 * 1024 + 512, &[3; 7], 7);
        ng.epb(4, 9, &[6; 2], 2);
        ng.epb(3, 8, &[7; 3], 3);
        ng.spb(&[4; 8]);
        // A second section resets the interfaces.
        let second = Ng::new(big);
        ng.out.extend_from_slice(&second.out);
        ng.idb(228, None);
        ng.epb(0, 5, &[5], 1);
        let (f, pkts, err) = read(ng.out);
        assert_eq!(f.format(), Format::Pcapng);
        assert_eq!(err, None);
        let summary: Vec<_> = pkts
            .iter()
            .map(|p| (p.0, p.1, p.2, p.3, p.4.len()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (1_700_000_000_000_001_000, 5, 1, 0, 5),
                (1_700_000_000_000_000_007, 100, 101, 1, 6),
                (3_500_000_000, 7, 113, 2, 7),
                (9_000, 2, 127, 4, 2),
                (8_000, 3, 104, 3, 3),
                (0, 8, 1, 0, 8),
                (5_000, 1, 228, 0, 1),
            ]
        );
    }
}

#[test]
fn project_captures_match_capinfos() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pcaps");
    for name in ["http.pcap", "dns.pcap", "demo.pcap"] {
        let path = dir.join(name);
        let f = CaptureFile::open(&path).unwrap();
        let (mut n, mut bytes) = (0u64, 0u64);
        for p in f.packets() {
            let p = p.unwrap();
            n += 1;
            bytes += u64::from(p.caplen);
        }
        let out = std::process::Command::new("capinfos")
            .args(["-M", "-c", "-d"])
            .arg(&path)
            .output()
            .expect("capinfos (wireshark-common) is installed by test.sh");
        let text = String::from_utf8_lossy(&out.stdout);
        let num = |label: &str| -> u64 {
            let line = text.lines().find(|l| l.contains(label)).unwrap();
            line.split(':')
                .nth(1)
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        assert_eq!(
            (n, bytes),
            (num("Number of packets"), num("Data size")),
            "{name}"
        );
    }
}

#[test]
fn errors_name_the_file_and_offset() {
    let dir = std::env::temp_dir().join(format!("xntop-capture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = CaptureFile::open(&dir.join("nope.pcap")).unwrap_err();
    assert!(matches!(missing, CaptureError::Io { .. }), "{missing}");
    assert!(missing.to_string().contains("nope.pcap"));
    let is_dir = CaptureFile::open(&dir).unwrap_err();
    assert!(is_dir.to_string().contains("directory"), "{is_dir}");
    let empty = dir.join("empty.pcap");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        CaptureFile::open(&empty).unwrap_err(),
        CaptureError::Empty { .. }
    ));
    let _ = std::fs::remove_dir_all(&dir);

    let text =
        CaptureFile::from_vec("notes.txt", b"hello world, not a capture".to_vec()).unwrap_err();
    assert_eq!(
        text.to_string(),
        "notes.txt: not a pcap or pcapng file (magic 0x68656c6c) at byte offset 0"
    );
    let short = CaptureFile::from_vec("s.pcap", vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0]).unwrap_err();
    assert_eq!(short.offset(), Some(0));

    // A cut last record: the packets before it come out, then one error with the record's offset.
    let good = pcap_bytes(
        false,
        false,
        1,
        &[(1, 0, vec![7; 40], 40), (2, 0, vec![8; 40], 40)],
    );
    let cut = good[..good.len() - 10].to_vec();
    let (_, pkts, err) = read(cut);
    assert_eq!(pkts.len(), 1);
    let err = err.unwrap();
    assert!(
        err.contains("byte offset 80") && err.contains("truncated"),
        "{err}"
    );

    let mut absurd = pcap_bytes(false, false, 1, &[(1, 0, vec![7; 4], 4)]);
    absurd[32..36].copy_from_slice(&1_000_000u32.to_le_bytes());
    let (_, pkts, err) = read(absurd);
    assert!(pkts.is_empty());
    assert!(err.unwrap().contains("corrupt record at byte offset 24"));

    let mut ng = Ng::new(false);
    ng.idb(1, None);
    ng.epb(3, 0, &[1], 1);
    let (_, _, err) = read(ng.out);
    assert!(err.unwrap().contains("undefined interface"));

    let mut ng = Ng::new(false);
    ng.idb(1, None);
    let at = ng.out.len();
    ng.epb(0, 0, &[1, 2, 3, 4], 4);
    ng.out[at + 4] = 13; // block length not a multiple of 4
    let (_, _, err) = read(ng.out);
    assert!(err.unwrap().contains(&format!("byte offset {at}")));
}

#[test]
fn truncation_is_told_apart_from_corruption() {
    let good = pcap_bytes(false, true, 1, &[(1, 0, vec![7; 40], 40)]);
    let f = CaptureFile::from_vec("c.pcap", good[..good.len() - 1].to_vec()).unwrap();
    let e = f.packets().find_map(Result::err).unwrap();
    assert!(e.is_truncation());
    assert_eq!(e.offset(), Some(24));
}

/// Cases per property: a few thousand in `cargo test`, as many as `PROPTEST_CASES` says in the long fuzz run
/// (`bench/fuzz.sh`).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(2000)))]

    #[test]
    fn random_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..400), ng: bool) {
        // Half the cases start with a valid magic so the record parsers get exercised.
        if bytes.len() >= 4 {
            let magic: [u8; 4] = if ng { [0x0a, 0x0d, 0x0d, 0x0a] } else { [0xd4, 0xc3, 0xb2, 0xa1] };
            bytes[..4].copy_from_slice(&magic);
        }
        if let Ok(f) = CaptureFile::from_vec("p", bytes) {
            for p in f.packets().take(1000) {
                let _ = p;
            }
        }
    }

    #[test]
    fn corrupted_captures_never_panic_and_end(
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in any::<usize>(),
        ng: bool,
    ) {
        let mut bytes = if ng {
            let mut n = Ng::new(false);
            n.idb(1, Some(6));
            for i in 0..5u8 {
                n.epb(0, u64::from(i), &[i; 30], 30);
            }
            n.out
        } else {
            pcap_bytes(false, false, 1, &(0..5u8).map(|i| (1, 0, vec![i; 30], 30)).collect::<Vec<_>>())
        };
        for (at, v) in flips {
            let n = bytes.len();
            bytes[at % n] ^= v;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        if let Ok(f) = CaptureFile::from_vec("p", bytes) {
            let n = f.packets().count();
            prop_assert!(n <= 64);
        }
    }
}
