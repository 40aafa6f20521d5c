//! Country, city and autonomous system of an address from MaxMind DB files (GeoLite2/GeoIP2 City or Country,
//! GeoLite2 ASN, DB-IP's lite files: they share the field names read here).
//!
//! Lookups walk the file's search tree and decode a record: about a microsecond each. They run per host and per
//! flow record through a [`GeoCache`], never per packet.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use maxminddb::{Mmap, Reader};
use serde::Deserialize;
use xntop_model::GeoInfo;

/// The fields xntop reads from a record; everything else in it is skipped without being decoded into memory.
#[derive(Deserialize, Default)]
struct Record<'a> {
    #[serde(borrow)]
    country: Option<Place<'a>>,
    #[serde(borrow)]
    city: Option<Place<'a>>,
    autonomous_system_number: Option<u32>,
    autonomous_system_organization: Option<&'a str>,
}

#[derive(Deserialize, Default)]
struct Place<'a> {
    iso_code: Option<&'a str>,
    #[serde(borrow)]
    names: Option<Names<'a>>,
}

#[derive(Deserialize, Default)]
struct Names<'a> {
    en: Option<&'a str>,
}

/// An mmdb file that cannot be used.
#[derive(Debug)]
pub struct OpenError(pub String);

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OpenError {}

/// The opened files: a location one (`--geoip`) and an AS one (`--asn`), each optional. Either may hold any of the
/// fields (a combined file works as both).
pub struct GeoDb {
    files: Vec<(String, Reader<Mmap>)>,
}

impl std::fmt::Debug for GeoDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.files.iter().map(|(n, _)| n))
            .finish()
    }
}

impl GeoDb {
    /// Opens the given files (memory-mapped: pages are read as lookups touch them).
    ///
    /// # Errors
    /// When a file is missing or is not a MaxMind DB, naming the file.
    pub fn open(paths: &[&Path]) -> Result<Self, OpenError> {
        let files = paths
            .iter()
            .map(|p| {
                let reader = Reader::open_mmap(p).map_err(|e| {
                    OpenError(format!(
                        "{}: not a usable MaxMind DB file: {e}",
                        p.display()
                    ))
                })?;
                Ok((
                    format!("{} ({})", p.display(), reader.metadata.database_type),
                    reader,
                ))
            })
            .collect::<Result<Vec<_>, OpenError>>()?;
        Ok(Self { files })
    }

    /// The files' names and database types, for the start-up log.
    #[must_use]
    pub fn describe(&self) -> Vec<&str> {
        self.files.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// What the files know of `ip` (the first file that has a field wins); `None` when nothing. A record that does
    /// not decode counts as unknown.
    #[must_use]
    pub fn lookup(&self, ip: IpAddr) -> Option<GeoInfo> {
        let mut g = GeoInfo::default();
        for (_, reader) in &self.files {
            let Ok(Some(r)) = reader.lookup::<Record<'_>>(ip) else {
                continue;
            };
            if g.country.is_none() {
                g.country = r.country.as_ref().and_then(|c| c.iso_code).map(Into::into);
            }
            if g.city.is_none() {
                g.city = r
                    .city
                    .as_ref()
                    .and_then(|c| c.names.as_ref())
                    .and_then(|n| n.en)
                    .map(Into::into);
            }
            if g.asn.is_none() {
                g.asn = r.autonomous_system_number;
            }
            if g.as_org.is_none() {
                g.as_org = r.autonomous_system_organization.map(Into::into);
            }
        }
        (!g.is_empty()).then_some(g)
    }
}

/// Addresses a cache remembers at most. Beyond it the cache starts over (counted): lookups are cheap enough that
/// re-learning the current working set costs less than tracking recency.
pub const GEO_CACHE_CAP: usize = 1 << 16;

/// Per-address answers of a [`GeoDb`], shared as `Arc`s so hosts, flows and records point at one copy.
#[derive(Debug)]
pub struct GeoCache {
    db: Arc<GeoDb>,
    /// Addresses come from the network: a hasher seeded per process.
    map: HashMap<IpAddr, Option<Arc<GeoInfo>>, foldhash::fast::RandomState>,
    cap: usize,
    pub lookups: u64,
    pub hits: u64,
    /// Times the cache was full and started over.
    pub resets: u64,
}

impl GeoCache {
    #[must_use]
    pub fn new(db: Arc<GeoDb>, cap: usize) -> Self {
        Self {
            db,
            map: HashMap::default(),
            cap: cap.max(1),
            lookups: 0,
            hits: 0,
            resets: 0,
        }
    }

    /// What the files know of `ip`.
    pub fn get(&mut self, ip: IpAddr) -> Option<Arc<GeoInfo>> {
        self.lookups += 1;
        if let Some(g) = self.map.get(&ip) {
            self.hits += 1;
            return g.clone();
        }
        if self.map.len() >= self.cap {
            self.map.clear();
            self.resets += 1;
        }
        let g = self.db.lookup(ip).map(Arc::new);
        self.map.insert(ip, g.clone());
        g
    }

    /// Addresses cached now.
    #[must_use]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;
    use std::path::PathBuf;

    /// The small files `testdata/make_test_mmdb.py` wrote with PyPI's mmdb-writer.
    fn testdata(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(name)
    }

    fn db() -> GeoDb {
        GeoDb::open(&[&testdata("test-city.mmdb"), &testdata("test-asn.mmdb")]).unwrap()
    }

    #[test]
    fn reads_country_city_and_as_from_both_files() {
        let db = db();
        let g = db.lookup("192.0.2.5".parse().unwrap()).unwrap();
        assert_eq!(g.country.as_deref(), Some("SE"));
        assert_eq!(g.city.as_deref(), Some("Linköping"));
        assert_eq!(g.asn, Some(64500));
        assert_eq!(g.as_org.as_deref(), Some("Example Transit"));
        assert_eq!(g.country_code(), *b"SE");
        // Outside the City file's /25 but inside the ASN file's /24: AS only.
        let g = db.lookup("192.0.2.200".parse().unwrap()).unwrap();
        assert_eq!((g.country, g.asn), (None, Some(64500)));
        // IPv6: country from one file, AS from the other.
        let g = db.lookup("2001:db8:1::9".parse().unwrap()).unwrap();
        assert_eq!(g.country.as_deref(), Some("DE"));
        assert_eq!(g.city, None);
        assert_eq!(g.as_org.as_deref(), Some("Documentation Net"));
        // Unknown to both.
        assert_eq!(db.lookup("10.0.0.1".parse().unwrap()), None);
        assert_eq!(db.lookup("::1".parse().unwrap()), None);
    }

    #[test]
    fn a_bad_file_is_named() {
        let err = GeoDb::open(&[&testdata("make_test_mmdb.py")]).unwrap_err();
        assert!(err.0.contains("make_test_mmdb.py"), "{err}");
        let err = GeoDb::open(&[Path::new("/nonexistent/x.mmdb")]).unwrap_err();
        assert!(err.0.contains("/nonexistent/x.mmdb"), "{err}");
    }

    #[test]
    fn cache_shares_answers_and_stays_bounded() {
        let mut c = GeoCache::new(Arc::new(db()), 4);
        let ip: IpAddr = "192.0.2.5".parse().unwrap();
        let a = c.get(ip).unwrap();
        let b = c.get(ip).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!((c.lookups, c.hits), (2, 1));
        assert_eq!(c.get("10.0.0.1".parse().unwrap()), None);
        for i in 0..10u8 {
            let _ = c.get(IpAddr::from([198, 51, 100, i]));
            assert!(c.len() <= 4);
        }
        assert!(c.resets >= 2);
    }
}
