//! The flow-record writer thread: drains every worker's record ring into the `-F` output.
//!
//! Write errors (a full disk, a closed pipe) never reach the workers: the writer counts the records it could not
//! write, reports the error once per interval, and keeps draining so the workers never stall on it.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rtrb::Consumer;
use xntop_model::FlowRecord;

use crate::config::FlowDump;
use crate::handoff::RunState;
use crate::reader::backoff;

/// How often a persisting write error is logged.
const ERROR_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// What the writer did.
#[derive(Debug, Default, Clone)]
pub struct OutputStats {
    pub records: u64,
    pub write_errors: u64,
    pub records_lost: u64,
    /// IPFIX export, when `-I` is set: (records, messages or connections, send errors or records lost).
    pub ipfix: Option<ExportStats>,
}

/// An IPFIX exporter over either transport.
pub enum Exporter {
    Udp(xntop_export::IpfixUdp),
    Tcp(xntop_export::IpfixTcp),
}

/// What an exporter did, whatever its transport.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportStats {
    pub records: u64,
    /// Records sent in messages the network refused (UDP) or while the collector was unreachable (TCP).
    pub records_lost: u64,
    pub send_errors: u64,
    pub messages: u64,
}

impl Exporter {
    fn send(&mut self, records: &[FlowRecord]) {
        match self {
            Self::Udp(x) => x.send(records),
            Self::Tcp(x) => {
                x.send(records);
                if let Some(e) = x.last_error.take() {
                    eprintln!("xntop: ipfix export over tcp: {e} (reconnecting with back-off; lost records are counted)");
                }
            }
        }
    }

    fn stats(&self) -> ExportStats {
        match self {
            Self::Udp(x) => ExportStats {
                records: x.stats.records,
                records_lost: x.stats.records_lost,
                send_errors: x.stats.send_errors,
                messages: x.stats.messages,
            },
            Self::Tcp(x) => ExportStats {
                records: x.stats.records,
                records_lost: x.stats.records_lost,
                send_errors: 0,
                messages: 0,
            },
        }
    }
}

/// Records handed to the IPFIX encoder at once.
const IPFIX_BATCH: usize = 256;

/// Opens the destination of `-F` (a new file gets mode 0640, see [`crate::privileges::FILE_MODE`]).
///
/// # Errors
/// When the file cannot be created.
pub fn open(dump: &FlowDump) -> io::Result<Box<dyn Write + Send>> {
    Ok(match dump {
        FlowDump::Stdout => Box::new(io::stdout()),
        FlowDump::JsonLines(path) => {
            Box::new(crate::privileges::create_file(path).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("-F: cannot create {}: {e}", path.display()),
                )
            })?)
        }
    })
}

/// Bytes gathered before a write to the `-F` destination.
const WRITE_CHUNK: usize = 1 << 20;

/// The `-F` destination with its own buffer, so a failed write knows how many records it lost.
struct JsonSink {
    dest: Box<dyn Write + Send>,
    buf: Vec<u8>,
    records_in_buf: u64,
    last_error_log: Option<Instant>,
}

impl JsonSink {
    fn push(&mut self, record: &FlowRecord, stats: &mut OutputStats) {
        record.write_json_line(&mut self.buf);
        self.records_in_buf += 1;
        if self.buf.len() >= WRITE_CHUNK {
            self.flush(stats);
        }
    }

    fn flush(&mut self, stats: &mut OutputStats) {
        if self.buf.is_empty() {
            return;
        }
        let result = self
            .dest
            .write_all(&self.buf)
            .and_then(|()| self.dest.flush());
        match result {
            Ok(()) => stats.records += self.records_in_buf,
            Err(e) => {
                // A full disk or a closed pipe: these records are lost (counted); the next chunk tries again.
                stats.write_errors += 1;
                stats.records_lost += self.records_in_buf;
                if self
                    .last_error_log
                    .is_none_or(|t| t.elapsed() >= ERROR_LOG_INTERVAL)
                {
                    eprintln!("xntop: flow dump write failed: {e} (capture goes on; lost records are counted)");
                    self.last_error_log = Some(Instant::now());
                }
            }
        }
        self.buf.clear();
        self.records_in_buf = 0;
    }
}

/// Drains the rings into the outputs until every worker has finished and the rings are empty.
pub fn run(
    dest: Option<Box<dyn Write + Send>>,
    mut ipfix: Option<Exporter>,
    mut rings: Vec<Consumer<FlowRecord>>,
    run: &Arc<RunState>,
    mut geo: Option<xntop_assets::geo::GeoCache>,
) -> OutputStats {
    let mut json = dest.map(|dest| JsonSink {
        dest,
        buf: Vec::with_capacity(WRITE_CHUNK + 4096),
        records_in_buf: 0,
        last_error_log: None,
    });
    let mut batch: Vec<FlowRecord> = Vec::with_capacity(IPFIX_BATCH);
    let mut stats = OutputStats::default();
    let mut spins = 0u32;
    loop {
        let mut drained = 0usize;
        for ring in &mut rings {
            while let Ok(mut record) = ring.pop() {
                drained += 1;
                if let Some(g) = geo.as_mut() {
                    crate::enrich::record(g, &mut record);
                }
                if let Some(j) = json.as_mut() {
                    j.push(&record, &mut stats);
                }
                if let Some(x) = ipfix.as_mut() {
                    batch.push(record);
                    if batch.len() == IPFIX_BATCH {
                        x.send(&batch);
                        batch.clear();
                    }
                }
            }
        }
        if let Some(x) = ipfix.as_mut() {
            if !batch.is_empty() {
                x.send(&batch);
                batch.clear();
            }
        }
        if drained > 0 {
            spins = 0;
            continue;
        }
        if run.workers_done() && rings.iter().all(Consumer::is_empty) {
            break;
        }
        if spins == 0 {
            // Idle: hand what we have to the file, so a reader of the dump sees records promptly.
            if let Some(j) = json.as_mut() {
                j.flush(&mut stats);
            }
        }
        backoff(&mut spins);
    }
    if let Some(j) = json.as_mut() {
        j.flush(&mut stats);
    }
    stats.ipfix = ipfix.map(|x| x.stats());
    stats
}
