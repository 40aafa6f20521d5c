//! The Redis "recent history" cache: hosts as JSON with a TTL, interface counters and top-N lists, written from the
//! aggregator's snapshots by a thread of its own. Redis is never on the packet path: when it is down the writer
//! counts what it could not write and reconnects with back-off.

use std::time::{Duration, Instant};

use xntop_model::snapshot::HostView;
use xntop_model::Snapshot;

/// Key prefix of every key xntop writes.
pub const PREFIX: &str = "xntop";
/// Longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Hosts per top-N list.
const TOP_N: usize = 10;

/// Where and how to write.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// `redis://[:password@]host:port/db`
    pub url: String,
    pub ttl_secs: u64,
}

impl RedisConfig {
    /// Parses ntopng's `-r host[:port][@db]` form, with an optional password.
    ///
    /// # Errors
    /// When the spec is empty or the port or db is not a number.
    pub fn from_spec(spec: &str, password: Option<&str>, ttl_secs: u64) -> Result<Self, String> {
        let (hostport, db) = match spec.rsplit_once('@') {
            Some((h, db)) => (
                h,
                db.parse::<u32>()
                    .map_err(|_| format!("-r: '{db}' is not a database number"))?,
            ),
            None => (spec, 0),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.is_empty() && !h.ends_with(':') => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("-r: '{p}' is not a port"))?,
            ),
            _ => (hostport, 6379),
        };
        if host.is_empty() {
            return Err("-r: no Redis host".into());
        }
        let auth = password.map(|p| format!(":{p}@")).unwrap_or_default();
        Ok(Self {
            url: format!("redis://{auth}{host}:{port}/{db}"),
            ttl_secs,
        })
    }
}

/// What the writer did.
#[derive(Debug, Default, Clone, Copy)]
pub struct RedisStats {
    pub snapshots_written: u64,
    pub keys_written: u64,
    /// Snapshots that could not be written (Redis down or failing).
    pub snapshots_failed: u64,
    pub reconnects: u64,
}

/// The connection and its back-off state.
pub struct RedisStore {
    config: RedisConfig,
    client: redis::Client,
    conn: Option<redis::Connection>,
    next_attempt: Instant,
    backoff: Duration,
    pub stats: RedisStats,
    last_error: Option<String>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

fn host_key(ip: &std::net::IpAddr) -> String {
    format!("{PREFIX}.serialized_hosts.{ip}")
}

impl RedisStore {
    /// Prepares a client (no connection yet).
    ///
    /// # Errors
    /// When the URL is malformed.
    pub fn new(config: RedisConfig) -> Result<Self, String> {
        let client = redis::Client::open(config.url.as_str()).map_err(|e| format!("-r: {e}"))?;
        Ok(Self {
            config,
            client,
            conn: None,
            next_attempt: Instant::now(),
            backoff: Duration::from_millis(500),
            stats: RedisStats::default(),
            last_error: None,
        })
    }

    /// The last error, once (for a log line per failure episode, not per attempt).
    pub fn take_error(&mut self) -> Option<String> {
        self.last_error.take()
    }

    /// Lets the next write try to connect at once, whatever the back-off (the final write at exit must not be
    /// skipped because an earlier attempt failed).
    pub fn retry_now(&mut self) {
        self.next_attempt = Instant::now();
    }

    fn connection(&mut self) -> Option<&mut redis::Connection> {
        if self.conn.is_none() && Instant::now() >= self.next_attempt {
            match self
                .client
                .get_connection_with_timeout(Duration::from_secs(1))
            {
                Ok(c) => {
                    let _ = c.set_write_timeout(Some(Duration::from_secs(2)));
                    let _ = c.set_read_timeout(Some(Duration::from_secs(2)));
                    self.conn = Some(c);
                    self.backoff = Duration::from_millis(500);
                    self.stats.reconnects += 1;
                }
                Err(e) => self.fail(&e.to_string()),
            }
        }
        self.conn.as_mut()
    }

    fn fail(&mut self, e: &str) {
        if self.conn.is_some() || self.last_error.is_none() {
            self.last_error = Some(e.to_string());
        }
        self.conn = None;
        self.next_attempt = Instant::now() + self.backoff;
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
    }

    /// Reads back every cached host (to restore counters of hosts that come back after a restart).
    pub fn load_hosts(&mut self) -> Vec<HostView> {
        let Some(conn) = self.connection() else {
            return Vec::new();
        };
        let pattern = format!("{PREFIX}.serialized_hosts.*");
        let keys: Vec<String> = match redis::cmd("KEYS").arg(&pattern).query(conn) {
            Ok(k) => k,
            Err(e) => {
                self.fail(&e.to_string());
                return Vec::new();
            }
        };
        let mut hosts = Vec::new();
        for chunk in keys.chunks(512) {
            let values: Vec<Option<String>> = match redis::cmd("MGET").arg(chunk).query(conn) {
                Ok(v) => v,
                Err(_) => continue,
            };
            hosts.extend(
                values
                    .into_iter()
                    .flatten()
                    .filter_map(|v| serde_json::from_str(&v).ok()),
            );
        }
        hosts
    }

    /// Writes one snapshot, pipelined: hosts changed since `since_ns` (packet time), interfaces, top lists.
    /// Returns false when Redis could not take it (counted; retried with the next snapshot).
    pub fn write(&mut self, snap: &Snapshot, since_ns: u64) -> bool {
        let ttl = self.config.ttl_secs;
        #[allow(clippy::cast_precision_loss, reason = "seconds for comparison")]
        let since = since_ns as f64 / 1e9;
        let mut pipe = redis::pipe();
        let mut keys = 0u64;
        for h in snap.hosts.iter().filter(|h| h.last_seen >= since) {
            if let Ok(json) = serde_json::to_string(h) {
                pipe.cmd("SET")
                    .arg(host_key(&h.ip))
                    .arg(json)
                    .arg("EX")
                    .arg(ttl)
                    .ignore();
                keys += 1;
            }
        }
        for i in &snap.interfaces {
            if let Ok(json) = serde_json::to_string(i) {
                pipe.cmd("SET")
                    .arg(format!("{PREFIX}.iface.{}", i.id))
                    .arg(json)
                    .arg("EX")
                    .arg(ttl)
                    .ignore();
                keys += 1;
            }
        }
        let mut top: Vec<&HostView> = snap.hosts.iter().collect();
        top.sort_unstable_by_key(|h| std::cmp::Reverse(h.bytes_sent + h.bytes_rcvd));
        top.truncate(TOP_N);
        let top_hosts: Vec<serde_json::Value> = top
            .iter()
            .map(|h| serde_json::json!({"ip": h.ip, "bytes": h.bytes_sent + h.bytes_rcvd, "name": h.name}))
            .collect();
        let mut apps: Vec<_> = snap.applications.iter().collect();
        apps.sort_unstable_by_key(|a| std::cmp::Reverse(a.bytes));
        apps.truncate(TOP_N);
        let top_apps: Vec<serde_json::Value> = apps
            .iter()
            .map(|a| serde_json::json!({"name": a.name, "bytes": a.bytes, "flows": a.flows}))
            .collect();
        for (name, value) in [("hosts", top_hosts), ("applications", top_apps)] {
            let json = serde_json::Value::Array(value).to_string();
            pipe.cmd("SET")
                .arg(format!("{PREFIX}.top.{name}"))
                .arg(json)
                .arg("EX")
                .arg(ttl)
                .ignore();
            keys += 1;
        }
        let Some(conn) = self.connection() else {
            self.stats.snapshots_failed += 1;
            return false;
        };
        match pipe.query::<()>(conn) {
            Ok(()) => {
                self.stats.snapshots_written += 1;
                self.stats.keys_written += keys;
                true
            }
            Err(e) => {
                self.fail(&e.to_string());
                self.stats.snapshots_failed += 1;
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ntopng_style_specs() {
        let url = |s: &str, p: Option<&str>| RedisConfig::from_spec(s, p, 3600).map(|c| c.url);
        assert_eq!(
            url("localhost", None).as_deref(),
            Ok("redis://localhost:6379/0")
        );
        assert_eq!(
            url("127.0.0.1:6380", None).as_deref(),
            Ok("redis://127.0.0.1:6380/0")
        );
        assert_eq!(
            url("127.0.0.1:6380@2", Some("s3cret")).as_deref(),
            Ok("redis://:s3cret@127.0.0.1:6380/2")
        );
        assert!(url("host:port", None).is_err());
        assert!(url("host@db", None).is_err());
        assert!(url("", None).is_err());
    }
}
