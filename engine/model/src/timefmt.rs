//! UTC calendar timestamps from epoch nanoseconds, without a time zone database: RFC 3339 for ECS and the
//! `+0000` form Suricata's EVE uses.

use std::fmt::Write as _;

/// How the zone is written after the microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    /// `2024-01-02T03:04:05.123456Z` (RFC 3339, ECS).
    Z,
    /// `2024-01-02T03:04:05.123456+0000` (Suricata EVE).
    Offset,
}

/// Year, month (1-12) and day (1-31) of a day count since 1970-01-01 (the proleptic Gregorian calendar; the
/// era-based conversion of H. Hinnant's `civil_from_days`).
#[must_use]
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// Appends `ns` (since the epoch, UTC) with microsecond precision.
pub fn write_timestamp(out: &mut String, ns: u64, zone: Zone) {
    let secs = ns / 1_000_000_000;
    let us = (ns % 1_000_000_000) / 1_000;
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{us:06}{}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        match zone {
            Zone::Z => "Z",
            Zone::Offset => "+0000",
        }
    );
}

/// [`write_timestamp`] into a new string.
#[must_use]
pub fn timestamp(ns: u64, zone: Zone) -> String {
    let mut s = String::with_capacity(32);
    write_timestamp(&mut s, ns, zone);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(timestamp(0, Zone::Z), "1970-01-01T00:00:00.000000Z");
        // `date -u -d @1700000000.123456` = Tue Nov 14 22:13:20 UTC 2023.
        assert_eq!(
            timestamp(1_700_000_000_123_456_789, Zone::Offset),
            "2023-11-14T22:13:20.123456+0000"
        );
        // A leap day and the end of a century year that is not a leap year.
        assert_eq!(
            timestamp(951_782_400_000_000_000, Zone::Z),
            "2000-02-29T00:00:00.000000Z"
        );
        assert_eq!(
            timestamp(4_107_456_000_000_000_000, Zone::Z),
            "2100-02-28T00:00:00.000000Z"
        );
    }

    proptest::proptest! {
        /// Consecutive days never repeat or skip a date.
        #[test]
        fn days_advance_by_one(days in 0i64..200_000) {
            let (y0, m0, d0) = civil_from_days(days);
            let (y1, m1, d1) = civil_from_days(days + 1);
            let next_day = (y1, m1, d1) == (y0, m0, d0 + 1);
            let next_month = d1 == 1 && ((y1, m1) == (y0, m0 + 1) || (y1 == y0 + 1 && m1 == 1 && m0 == 12));
            proptest::prop_assert!(next_day || next_month, "{days}: {y0}-{m0}-{d0} then {y1}-{m1}-{d1}");
        }
    }
}
