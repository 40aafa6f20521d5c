//! Sizes (`20G`, `512M`) and durations (`7d`, `30m`) as flags take them.

use anyhow::{bail, Result};

/// Bytes from `N[K|M|G|T]` (binary multiples; a trailing `B` or `iB` is accepted).
///
/// # Errors
/// On anything else, naming the flag.
pub fn parse_size(flag: &str, s: &str) -> Result<u64> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (num, mult) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let mult: u64 = match c.to_ascii_uppercase() {
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => bail!("{flag}: '{s}' is not a size (e.g. 512M, 20G)"),
            };
            (&t[..i], mult)
        }
        _ => (t, 1),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("{flag}: '{s}' is not a size (e.g. 512M, 20G)"))?;
    n.checked_mul(mult)
        .ok_or_else(|| anyhow::anyhow!("{flag}: '{s}' is too large"))
}

/// Seconds from `N[s|m|h|d|w]` (no unit = seconds).
///
/// # Errors
/// On anything else, naming the flag.
pub fn parse_duration(flag: &str, s: &str) -> Result<u64> {
    let t = s.trim();
    let (num, mult) = match t.chars().last() {
        Some(c) if c.is_ascii_alphabetic() => {
            let mult = match c {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                'w' => 7 * 86_400,
                _ => bail!("{flag}: '{s}' is not a duration (e.g. 90s, 30m, 12h, 7d)"),
            };
            (&t[..t.len() - 1], mult)
        }
        _ => (t, 1),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("{flag}: '{s}' is not a duration (e.g. 90s, 30m, 12h, 7d)"))?;
    n.checked_mul(mult)
        .ok_or_else(|| anyhow::anyhow!("{flag}: '{s}' is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations() {
        assert_eq!(parse_size("-x", "20G").ok(), Some(20 << 30));
        assert_eq!(parse_size("-x", "512MiB").ok(), Some(512 << 20));
        assert_eq!(parse_size("-x", "4096").ok(), Some(4096));
        assert_eq!(parse_size("-x", "1k").ok(), Some(1024));
        assert!(parse_size("-x", "12Q").is_err());
        assert!(parse_size("-x", "G").is_err());
        assert!(parse_size("-x", "99999999999T").is_err());
        assert_eq!(parse_duration("-x", "7d").ok(), Some(7 * 86_400));
        assert_eq!(parse_duration("-x", "90").ok(), Some(90));
        assert_eq!(parse_duration("-x", "30m").ok(), Some(1800));
        assert!(parse_duration("-x", "3y").is_err());
        assert!(parse_duration("-x", "").is_err());
    }
}
