//! Enrichment from the user's mmdb files (`--geoip`, `--asn`): opened once at start, then looked up through
//! per-thread caches — by the aggregator once per new host, by the output thread once per address of the records it
//! writes (cached). Workers never look anything up.

use std::path::Path;
use std::sync::Arc;

use xntop_assets::geo::{GeoCache, GeoDb, GEO_CACHE_CAP};
use xntop_model::FlowRecord;

use crate::config::Config;

/// Opens `--geoip` and `--asn`, when given; logs what was opened.
///
/// # Errors
/// A file that is missing or not a MaxMind DB, in one line naming the flag and the file.
pub fn open(config: &Config) -> anyhow::Result<Option<Arc<GeoDb>>> {
    let mut paths: Vec<&Path> = Vec::new();
    for (flag, path) in [("--geoip", &config.geoip), ("--asn", &config.asn)] {
        if let Some(p) = path {
            GeoDb::open(&[p]).map_err(|e| anyhow::anyhow!("{flag}: {e}"))?;
            paths.push(p);
        }
    }
    if paths.is_empty() {
        return Ok(None);
    }
    let db = GeoDb::open(&paths).map_err(|e| anyhow::anyhow!("{e}"))?;
    if config.verbose > 0 {
        eprintln!("xntop: enrichment from {}", db.describe().join(", "));
    }
    Ok(Some(Arc::new(db)))
}

/// A cache of its own for a thread.
#[must_use]
pub fn cache(db: &Arc<GeoDb>) -> GeoCache {
    GeoCache::new(Arc::clone(db), GEO_CACHE_CAP)
}

/// Gives a record the enrichment of both its ends.
pub fn record(cache: &mut GeoCache, r: &mut FlowRecord) {
    r.geo = [cache.get(r.src_ip), cache.get(r.dst_ip)];
}
