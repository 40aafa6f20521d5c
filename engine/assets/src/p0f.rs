//! TCP SYN signatures in p0f 3's format (`ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass`), kept as data
//! (`data/syn.fp`, or any p0f.fp's `[tcp:request]` section), and p0f's way of matching a SYN against them: the
//! option layout, MSS, scale, window rule and payload class must agree; quirks may differ only by `df`/`id+`
//! missing or `id-`/`ecn` added, and the TTL may be at most 35 hops below the initial one — either makes the match
//! fuzzy. Specific signatures win over generic ones (`g:` labels), exact over fuzzy.

use std::sync::OnceLock;

use xntop_wire::syn::{quirk, Opt, SynSig};

/// Hops between the initial TTL and the one seen that still make a match exact.
pub const MAX_DIST: u8 = 35;

static BUNDLED: &str = include_str!("../data/syn.fp");

/// A label: `s:unix:Linux:3.11 and newer`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub generic: bool,
    /// `unix`, `win`, `other`, `!`.
    pub class: String,
    pub name: String,
    pub flavor: String,
}

impl Label {
    /// "Linux 3.11 and newer", as p0f prints it.
    #[must_use]
    pub fn text(&self) -> String {
        if self.flavor.is_empty() {
            self.name.clone()
        } else {
            format!("{} {}", self.name, self.flavor)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Window {
    Any,
    Exact(u32),
    Mss(u32),
    Mtu(u32),
    Modulo(u32),
}

#[derive(Clone, Debug)]
struct Signature {
    /// 4, 6 or either.
    ver: Option<u8>,
    ittl: u8,
    mss: Option<u16>,
    window: Window,
    scale: Option<u8>,
    layout: Vec<Opt>,
    eol_pad: u8,
    quirks: u8,
    /// Payload: none (`0`), some (`+`), either (`*`).
    payload: Option<bool>,
    label: usize,
    text: String,
}

/// A set of signatures.
#[derive(Debug, Default)]
pub struct SynDb {
    sigs: Vec<Signature>,
    labels: Vec<Label>,
}

/// The SYN to match: its packed facts, window, IP version and whether it carried data.
#[derive(Clone, Copy, Debug)]
pub struct Syn {
    pub sig: SynSig,
    pub window: u16,
    pub ipv6: bool,
    pub payload: bool,
}

/// A match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynMatch<'a> {
    pub label: &'a Label,
    /// The signature line that matched.
    pub sig: &'a str,
    /// TTL or quirks off (see the module documentation).
    pub fuzzy: bool,
    /// Hops from the initial TTL.
    pub distance: u8,
}

fn parse_opt(s: &str) -> Result<(Opt, u8), String> {
    Ok(match s {
        "nop" => (Opt::Nop, 0),
        "mss" => (Opt::Mss, 0),
        "ws" => (Opt::Ws, 0),
        "sok" => (Opt::Sok, 0),
        "sack" => (Opt::Other, 0),
        "ts" => (Opt::Ts, 0),
        _ => {
            if let Some(n) = s.strip_prefix("eol+") {
                (
                    Opt::Eol,
                    n.parse().map_err(|_| format!("bad eol padding '{s}'"))?,
                )
            } else if s.starts_with('?') {
                (Opt::Other, 0)
            } else {
                return Err(format!("unknown option '{s}'"));
            }
        }
    })
}

/// Quirk bits of a p0f quirk list; `None` when it names one xntop does not track (such a signature never matches).
fn parse_quirks(s: &str) -> Result<Option<u8>, String> {
    let mut q = 0u8;
    for name in s.split(',').filter(|n| !n.is_empty()) {
        q |= match name {
            "df" => quirk::DF,
            "id+" => quirk::NZ_ID,
            "id-" => quirk::ZERO_ID,
            "ecn" => quirk::ECN,
            "seq-" => quirk::ZERO_SEQ,
            "ack+" => quirk::NZ_ACK,
            "ts1-" => quirk::ZERO_TS1,
            "ts2+" | "exws" | "bad" => quirk::ODD,
            "0+" | "flow" | "ack-" | "uptr+" | "urgf+" | "pushf+" | "opt+" => return Ok(None),
            other => return Err(format!("unknown quirk '{other}'")),
        };
    }
    Ok(Some(q))
}

fn parse_sig(text: &str, label: usize) -> Result<Option<Signature>, String> {
    let f: Vec<&str> = text.split(':').collect();
    let [ver, ittl, olen, mss, win, layout, quirks, pclass] = f[..] else {
        return Err(format!("'{text}': not 8 fields"));
    };
    let num = |s: &str, what: &str| -> Result<u32, String> {
        s.parse().map_err(|_| format!("'{text}': bad {what} '{s}'"))
    };
    if olen != "0" {
        // IP options on a SYN: xntop does not keep their length; such signatures are for odd stacks.
        return Ok(None);
    }
    let Some(quirks) = parse_quirks(quirks)? else {
        return Ok(None);
    };
    let (wsize, scale) = win
        .split_once(',')
        .ok_or_else(|| format!("'{text}': window without scale"))?;
    let window = match wsize {
        "*" => Window::Any,
        w if w.starts_with("mss*") => Window::Mss(num(&w[4..], "window")?),
        w if w.starts_with("mtu*") => Window::Mtu(num(&w[4..], "window")?),
        w if w.starts_with('%') => Window::Modulo(num(&w[1..], "window")?.max(1)),
        w => Window::Exact(num(w, "window")?),
    };
    let mut opts = Vec::new();
    let mut eol_pad = 0;
    for o in layout.split(',').filter(|o| !o.is_empty()) {
        let (opt, pad) = parse_opt(o).map_err(|e| format!("'{text}': {e}"))?;
        opts.push(opt);
        eol_pad = pad;
    }
    let ittl = ittl.split(['+', '-']).next().unwrap_or(ittl);
    let small = |v: u32| u8::try_from(v).map_err(|_| format!("'{text}': {v} out of range"));
    Ok(Some(Signature {
        ver: match ver {
            "*" => None,
            "4" => Some(4),
            "6" => Some(6),
            v => return Err(format!("'{text}': bad version '{v}'")),
        },
        ittl: small(num(ittl, "ttl")?)?,
        mss: match mss {
            "*" => None,
            m => Some(u16::try_from(num(m, "mss")?).map_err(|_| format!("'{text}': mss"))?),
        },
        window,
        scale: match scale {
            "*" => None,
            s => Some(small(num(s, "scale")?)?.min(14)),
        },
        layout: opts,
        eol_pad,
        quirks,
        payload: match pclass {
            "0" => Some(false),
            "+" => Some(true),
            _ => None,
        },
        label,
        text: text.to_string(),
    }))
}

impl SynDb {
    /// Reads the `[tcp:request]` section of a p0f.fp-format text (other sections are skipped).
    ///
    /// # Errors
    /// A malformed label or signature, with its line number.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut db = SynDb::default();
        let mut in_section = false;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with(';') {
                continue;
            }
            if line.starts_with('[') {
                in_section = line == "[tcp:request]";
                continue;
            }
            if !in_section {
                continue;
            }
            let err = |e: String| format!("line {}: {e}", i + 1);
            let Some((key, value)) = line.split_once('=') else {
                return Err(err(format!("'{line}' is not key = value")));
            };
            match key.trim() {
                "label" => {
                    let mut p = value.trim().splitn(4, ':');
                    let (kind, class, name, flavor) =
                        (p.next(), p.next(), p.next(), p.next().unwrap_or(""));
                    let (Some(kind), Some(class), Some(name)) = (kind, class, name) else {
                        return Err(err(format!("bad label '{value}'")));
                    };
                    db.labels.push(Label {
                        generic: kind == "g",
                        class: class.into(),
                        name: name.into(),
                        flavor: flavor.into(),
                    });
                }
                "sig" => {
                    let Some(label) = db.labels.len().checked_sub(1) else {
                        return Err(err("sig before any label".into()));
                    };
                    if let Some(s) = parse_sig(value.trim(), label).map_err(err)? {
                        db.sigs.push(s);
                    }
                }
                // p0f's `sys =` lines and other keys do not matter here.
                _ => {}
            }
        }
        Ok(db)
    }

    /// The signatures xntop ships (`data/syn.fp`).
    #[must_use]
    pub fn bundled() -> &'static SynDb {
        static DB: OnceLock<SynDb> = OnceLock::new();
        DB.get_or_init(|| SynDb::parse(BUNDLED).unwrap_or_default())
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.sigs.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.sigs.is_empty()
    }

    /// The best match for `syn`, as p0f would choose it.
    #[must_use]
    pub fn find(&self, syn: &Syn) -> Option<SynMatch<'_>> {
        let s = syn.sig;
        if s.is_none() {
            return None;
        }
        let layout: Vec<Opt> = s.layout().collect();
        let (mut generic, mut fuzzy) = (None, None);
        for sig in &self.sigs {
            let Some(is_fuzzy) = matches(sig, syn, &layout) else {
                continue;
            };
            let label = &self.labels[sig.label];
            let m = SynMatch {
                label,
                sig: &sig.text,
                fuzzy: is_fuzzy,
                distance: sig.ittl.saturating_sub(s.ttl()),
            };
            match (is_fuzzy, label.generic) {
                (false, false) => return Some(m),
                (false, true) => {
                    generic.get_or_insert(m);
                }
                (true, _) => {
                    fuzzy.get_or_insert(m);
                }
            }
        }
        generic.or(fuzzy)
    }
}

/// Whether `sig` matches: `Some(fuzzy)`, or `None`.
fn matches(sig: &Signature, syn: &Syn, layout: &[Opt]) -> Option<bool> {
    let s = syn.sig;
    let ver = if syn.ipv6 { 6 } else { 4 };
    if sig.ver.is_some_and(|v| v != ver) || sig.layout != layout {
        return None;
    }
    if layout.last() == Some(&Opt::Eol) && sig.eol_pad != s.eol_pad() {
        return None;
    }
    let mut fuzzy = false;
    let q = s.quirks();
    if q != sig.quirks {
        let deleted = (q ^ sig.quirks) & sig.quirks;
        let added = (q ^ sig.quirks) & q;
        if deleted & !(quirk::DF | quirk::NZ_ID) != 0 || added & !(quirk::ZERO_ID | quirk::ECN) != 0
        {
            return None;
        }
        fuzzy = true;
    }
    if sig.mss.is_some_and(|m| Some(m) != s.mss())
        || sig.scale.is_some_and(|w| Some(w) != s.wscale())
        || sig.payload.is_some_and(|p| p != syn.payload)
    {
        return None;
    }
    let win = u32::from(syn.window);
    let mss = u32::from(s.mss().unwrap_or(0));
    let window_ok = match sig.window {
        Window::Any => true,
        Window::Exact(w) => w == win,
        Window::Mss(n) => mss != 0 && mss * n == win,
        // The MTU the MSS implies: MSS + IP and TCP headers.
        Window::Mtu(n) => mss != 0 && (mss + if syn.ipv6 { 60 } else { 40 }) * n == win,
        Window::Modulo(n) => win % n == 0,
    };
    if !window_ok {
        return None;
    }
    let ttl = s.ttl();
    if ttl > sig.ittl {
        return None;
    }
    if sig.ittl - ttl > MAX_DIST {
        fuzzy = true;
    }
    Some(fuzzy)
}

/// A SYN's facts in p0f's signature format (`4:64+0:0:1460:64240,7:mss,sok,ts,nop,ws:df,id+:0`): the observed TTL
/// and its distance to the nearest usual initial TTL, as p0f's log prints it.
#[must_use]
pub fn describe(syn: &Syn) -> String {
    use std::fmt::Write;
    let s = syn.sig;
    let ttl = s.ttl();
    let ittl = [32u8, 64, 128, 255]
        .into_iter()
        .find(|&i| i >= ttl)
        .unwrap_or(255);
    let mut out = format!(
        "{}:{}+{}:0:{}:{},{}:",
        if syn.ipv6 { 6 } else { 4 },
        ittl,
        ittl - ttl,
        s.mss().map_or_else(|| "*".into(), |m| m.to_string()),
        syn.window,
        s.wscale().map_or_else(|| "*".into(), |w| w.to_string()),
    );
    let opts: Vec<String> = s
        .layout()
        .map(|o| match o {
            Opt::Eol => format!("eol+{}", s.eol_pad()),
            Opt::Nop => "nop".into(),
            Opt::Mss => "mss".into(),
            Opt::Ws => "ws".into(),
            Opt::Sok => "sok".into(),
            Opt::Ts => "ts".into(),
            Opt::Other | Opt::End => "?".into(),
        })
        .collect();
    out.push_str(&opts.join(","));
    out.push(':');
    let q = s.quirks();
    let names: Vec<&str> = [
        (quirk::DF, "df"),
        (quirk::NZ_ID, "id+"),
        (quirk::ZERO_ID, "id-"),
        (quirk::ECN, "ecn"),
        (quirk::ZERO_SEQ, "seq-"),
        (quirk::NZ_ACK, "ack+"),
        (quirk::ZERO_TS1, "ts1-"),
        (quirk::ODD, "ts2+"),
    ]
    .iter()
    .filter(|(b, _)| q & b != 0)
    .map(|(_, n)| *n)
    .collect();
    out.push_str(&names.join(","));
    let _ = write!(out, ":{}", if syn.payload { "+" } else { "0" });
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;
    use xntop_wire::syn::{signature, IpFacts};

    fn syn_bytes(window: u16, opts: &[u8]) -> Vec<u8> {
        let mut h = vec![0u8; 20];
        h[4] = 1;
        h[12] = u8::try_from((20 + opts.len()) / 4).unwrap() << 4;
        h[13] = 0x02;
        h[14..16].copy_from_slice(&window.to_be_bytes());
        h.extend_from_slice(opts);
        h
    }

    const LINUX_OPTS: [u8; 20] = [
        2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
    ];

    fn v4(ttl: u8) -> IpFacts {
        IpFacts {
            ttl,
            df: true,
            id: 7,
            ecn: false,
            v6: false,
        }
    }

    #[test]
    fn bundled_signatures_name_common_stacks() {
        let db = SynDb::bundled();
        assert!(db.len() >= 15);
        // Linux 6.x over a veth: 64240 = 44 × 1460, scale 7.
        let sig = signature(v4(64), &syn_bytes(64240, &LINUX_OPTS));
        let syn = Syn {
            sig,
            window: 64240,
            ipv6: false,
            payload: false,
        };
        let m = db.find(&syn).unwrap();
        assert_eq!(m.label.text(), "Linux 4.19 and newer");
        assert!(!m.fuzzy);
        // Over IPv6 (no DF/id): a fuzzy match of the same.
        let m6 = db
            .find(&Syn {
                sig: signature(IpFacts::v6(64, 0), &syn_bytes(64240, &LINUX_OPTS)),
                ipv6: true,
                ..syn
            })
            .unwrap();
        assert_eq!(m6.label.name, "Linux");
        // Three hops away: still exact, distance 3.
        let far = db
            .find(&Syn {
                sig: signature(v4(61), &syn_bytes(64240, &LINUX_OPTS)),
                ..syn
            })
            .unwrap();
        assert_eq!(far.distance, 3);
        // An unknown window falls back to the generic Linux signature.
        let odd = db
            .find(&Syn {
                sig: signature(v4(64), &syn_bytes(12345, &LINUX_OPTS)),
                window: 12345,
                ..syn
            })
            .unwrap();
        assert!(odd.label.generic && odd.label.name == "Linux");
        // Windows 10: TTL 128, mss,nop,ws,nop,nop,sok.
        let win = [2, 4, 5, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2];
        let m = db
            .find(&Syn {
                sig: signature(v4(127), &syn_bytes(64240, &win)),
                window: 64240,
                ipv6: false,
                payload: false,
            })
            .unwrap();
        assert_eq!(m.label.text(), "Windows 10 or 11");
        // A TTL above every initial TTL of the layout matches nothing.
        assert!(db
            .find(&Syn {
                sig: signature(v4(200), &syn_bytes(64240, &LINUX_OPTS)),
                ..syn
            })
            .is_none());
    }

    /// Debian's p0f database parses (when the p0f package is installed; test.sh installs it).
    #[test]
    fn reads_p0f_own_database() {
        let Ok(text) = std::fs::read_to_string("/etc/p0f/p0f.fp") else {
            eprintln!("skipped: /etc/p0f/p0f.fp missing (apt-get install p0f)");
            return;
        };
        let db = SynDb::parse(&text).unwrap();
        assert!(db.len() > 50, "{}", db.len());
        let m = db
            .find(&Syn {
                sig: signature(v4(64), &syn_bytes(1460 * 20, &LINUX_OPTS)),
                window: 1460 * 20,
                ipv6: false,
                payload: false,
            })
            .unwrap();
        assert_eq!(m.label.text(), "Linux 3.11 and newer");
    }

    #[test]
    fn malformed_lines_are_named() {
        let e = SynDb::parse("[tcp:request]\nlabel = s:unix:X:\nsig = *:64:0:*:mss*x,1:mss:df:0\n")
            .unwrap_err();
        assert!(e.starts_with("line 3"), "{e}");
        assert!(SynDb::parse("[tcp:request]\nsig = *:64:0:*:*,*:mss::0\n").is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Any text parses or is refused with a line number, never a panic; any packed SYN matches or not.
        #[test]
        fn any_database_and_any_syn(text in "[\\[\\]a-z0-9:,=*+.% \n-]{0,300}", bits in proptest::num::u64::ANY, window in proptest::num::u16::ANY) {
            let input = format!("[tcp:request]\n{text}");
            if let Err(e) = SynDb::parse(&input) {
                proptest::prop_assert!(e.starts_with("line "), "{}", e);
            }
            let syn = Syn { sig: SynSig::from_bits(bits), window, ipv6: bits & 1 == 0, payload: false };
            let _ = SynDb::bundled().find(&syn);
            let _ = describe(&syn);
        }
    }
}
