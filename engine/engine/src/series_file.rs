//! The live view's time series kept across restarts: `<data dir>/history/series.json` holds the published series
//! (1 s for 10 minutes, 1 min for 24 hours, per application and per host by minute) plus hourly points downsampled
//! from the minutes (90 days). Written once a minute and at exit (through a temporary file, so a crash leaves the
//! previous one); read at start, where the aggregator puts the saved points before its own.
//!
//! The flow history's rollups give the same traffic at 1 min and 1 h over the retention
//! (`/api/v1/historical/timeseries`); this file is what makes the dashboard's charts continue after a restart.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use xntop_model::snapshot::{Point, Series, TimeSeries};

/// Hourly points kept (90 days).
pub const HOUR_POINTS: usize = 90 * 24;

/// What the file holds.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Saved {
    pub second: Vec<Point>,
    pub minute: Vec<Point>,
    pub applications: Vec<Series>,
    pub hosts: Vec<Series>,
    /// All interfaces, one point per hour (the mean of its minutes), oldest first.
    pub hour: Vec<Point>,
}

#[must_use]
pub fn path(history_dir: &Path) -> PathBuf {
    history_dir.join("series.json")
}

/// The saved series, or `None` when there is no (readable) file.
#[must_use]
pub fn load(history_dir: &Path) -> Option<Saved> {
    let text = std::fs::read_to_string(path(history_dir)).ok()?;
    match serde_json::from_str(&text) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("xntop: ignoring {}: {e}", path(history_dir).display());
            None
        }
    }
}

/// Folds minute points into hourly means and merges them into `hours` (a later value for an hour replaces the
/// earlier one: it has seen more of that hour).
pub fn downsample(minutes: &[Point], hours: &mut Vec<Point>) {
    let mut acc: std::collections::BTreeMap<u64, (f64, f64, u32)> =
        std::collections::BTreeMap::new();
    for p in minutes {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "epoch seconds"
        )]
        let h = (p.t as u64) / 3600 * 3600;
        let e = acc.entry(h).or_insert((0.0, 0.0, 0));
        e.0 += p.bps;
        e.1 += p.pps;
        e.2 += 1;
    }
    for (h, (bps, pps, n)) in acc {
        #[allow(clippy::cast_precision_loss, reason = "epoch seconds")]
        let t = h as f64;
        let p = Point {
            t,
            bps: bps / f64::from(n),
            pps: pps / f64::from(n),
        };
        match hours.iter_mut().find(|q| (q.t - t).abs() < 1.0) {
            Some(q) => *q = p,
            None => hours.push(p),
        }
    }
    hours.sort_by(|a, b| a.t.total_cmp(&b.t));
    if hours.len() > HOUR_POINTS {
        hours.drain(..hours.len() - HOUR_POINTS);
    }
}

/// Writes the series of `ts`, keeping and extending the hourly points of `hours`.
///
/// # Errors
/// When the file cannot be written.
pub fn save(history_dir: &Path, ts: &TimeSeries, hours: &mut Vec<Point>) -> std::io::Result<()> {
    downsample(&ts.minute, hours);
    let saved = Saved {
        second: ts.second.clone(),
        minute: ts.minute.clone(),
        applications: ts.applications.clone(),
        hosts: ts.hosts.clone(),
        hour: hours.clone(),
    };
    let tmp = history_dir.join("series.json.tmp");
    std::fs::write(&tmp, serde_json::to_vec(&saved).unwrap_or_default())?;
    std::fs::rename(&tmp, path(history_dir))
}

/// Puts saved points before live ones: for each series, the saved points older than the first live one, then
/// the live ones, at most `cap` in all (the newest kept).
pub fn prepend(saved: &[Point], live: &mut Vec<Point>, cap: usize) {
    let first = live.first().map_or(f64::MAX, |p| p.t);
    let mut out: Vec<Point> = saved.iter().filter(|p| p.t < first).copied().collect();
    out.append(live);
    if out.len() > cap {
        out.drain(..out.len() - cap);
    }
    *live = out;
}

/// [`prepend`] for named series, matched by name; saved series the live view lacks come after its own.
pub fn prepend_named(saved: &[Series], live: &mut Vec<Series>, cap: usize) {
    for s in saved {
        match live.iter_mut().find(|l| l.name == s.name) {
            Some(l) => prepend(&s.points, &mut l.points, cap),
            None => live.push(s.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: f64, bps: f64) -> Point {
        Point {
            t,
            bps,
            pps: bps / 100.0,
        }
    }

    #[test]
    fn hours_are_means_of_their_minutes_and_merge() {
        let minutes = [p(3600.0, 10.0), p(3660.0, 30.0), p(7200.0, 5.0)];
        let mut hours = vec![p(0.0, 1.0), p(3600.0, 999.0)];
        downsample(&minutes, &mut hours);
        assert_eq!(hours.len(), 3);
        assert!((hours[1].bps - 20.0).abs() < 1e-9);
        assert!((hours[2].bps - 5.0).abs() < 1e-9);
    }

    #[test]
    fn saved_points_come_first_without_overlap() {
        let mut live = vec![p(100.0, 1.0), p(101.0, 2.0)];
        prepend(&[p(98.0, 7.0), p(99.0, 8.0), p(100.0, 9.0)], &mut live, 3);
        assert_eq!(
            live.iter().map(|q| q.t).collect::<Vec<_>>(),
            vec![99.0, 100.0, 101.0]
        );
        let mut named = vec![Series {
            name: "a".into(),
            points: vec![p(5.0, 1.0)],
        }];
        prepend_named(
            &[
                Series {
                    name: "a".into(),
                    points: vec![p(4.0, 1.0)],
                },
                Series {
                    name: "b".into(),
                    points: vec![p(4.0, 1.0)],
                },
            ],
            &mut named,
            10,
        );
        assert_eq!(named.len(), 2);
        assert_eq!(named[0].points.len(), 2);
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir = std::env::temp_dir().join(format!("xntop-series-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let ts = TimeSeries {
            second: vec![p(1.0, 2.0)],
            minute: vec![p(60.0, 3.0)],
            applications: vec![Series {
                name: "DNS".into(),
                points: vec![p(60.0, 1.0)],
            }],
            hosts: vec![],
        };
        let mut hours = Vec::new();
        save(&dir, &ts, &mut hours).expect("save");
        let back = load(&dir).expect("load");
        assert_eq!(back.second.len(), 1);
        assert_eq!(back.applications[0].name, "DNS");
        assert_eq!(back.hour.len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
