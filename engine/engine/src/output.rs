//! The flow-record writer thread: drains every worker's record ring into the `-F` output.
//!
//! Write errors (a full disk, a closed pipe) never reach the workers: the writer counts the records it could not
//! write, reports the error once per interval, and keeps draining so the workers never stall on it.

use std::io::{self, Write};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rtrb::Consumer;
use xntop_model::FlowRecord;

use crate::config::{FlowDump, RecordFormat};
use crate::flowfile::{RotatingFile, Rotation};
use crate::handoff::RunState;
use crate::reader::backoff;
use crate::syslog::SyslogSink;

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

/// Opens one `-F` destination (a new file gets mode 0640, see [`crate::privileges::FILE_MODE`]). `reopen` is set by
/// SIGHUP: record files reopen their path (external rotation).
///
/// # Errors
/// When the file cannot be created.
pub fn open(
    dump: &FlowDump,
    rotation: Rotation,
    reopen: &Arc<AtomicBool>,
) -> io::Result<RecordSink> {
    let (dest, format) = match dump {
        FlowDump::Stdout(format) => (Dest::Writer(Box::new(io::stdout())), *format),
        FlowDump::File(format, path) => (
            Dest::Writer(Box::new(
                RotatingFile::open(path, rotation, Arc::clone(reopen)).map_err(|e| {
                    io::Error::new(e.kind(), format!("-F: cannot open {}: {e}", path.display()))
                })?,
            )),
            *format,
        ),
        FlowDump::Syslog(socket) => (Dest::Syslog(SyslogSink::new(socket)), RecordFormat::Jsonl),
    };
    Ok(RecordSink {
        dest,
        format,
        buf: Vec::with_capacity(WRITE_CHUNK + 4096),
        records_in_buf: 0,
        last_error_log: None,
    })
}

/// Bytes gathered before a write to the `-F` destination.
const WRITE_CHUNK: usize = 1 << 20;

/// Where a sink's bytes go.
enum Dest {
    /// A file or standard output: chunks of lines.
    Writer(Box<dyn Write + Send>),
    /// The syslog daemon: one message per record.
    Syslog(SyslogSink),
}

/// One `-F` destination with its own buffer, so a failed write knows how many records it lost.
pub struct RecordSink {
    dest: Dest,
    format: RecordFormat,
    buf: Vec<u8>,
    records_in_buf: u64,
    last_error_log: Option<Instant>,
}

impl RecordSink {
    fn push(&mut self, record: &FlowRecord, stats: &mut OutputStats) {
        match self.format {
            RecordFormat::Jsonl => record.write_json_line(&mut self.buf),
            RecordFormat::Eve => record.write_eve_line(&mut self.buf),
            RecordFormat::Ecs => record.write_ecs_line(&mut self.buf),
        }
        if let Dest::Syslog(sink) = &mut self.dest {
            let line = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
            let lost = sink.lost;
            sink.send(line);
            if sink.lost == lost {
                stats.records += 1;
            } else {
                stats.records_lost += 1;
                if let Some(e) = sink.take_error() {
                    self.log_error(&format!("flow records to syslog: {e}"));
                }
            }
            self.buf.clear();
            return;
        }
        self.records_in_buf += 1;
        if self.buf.len() >= WRITE_CHUNK {
            self.flush(stats);
        }
    }

    fn log_error(&mut self, what: &str) {
        if self
            .last_error_log
            .is_none_or(|t| t.elapsed() >= ERROR_LOG_INTERVAL)
        {
            eprintln!("xntop: {what} (capture goes on; lost records are counted)");
            self.last_error_log = Some(Instant::now());
        }
    }

    fn flush(&mut self, stats: &mut OutputStats) {
        let Dest::Writer(dest) = &mut self.dest else {
            return;
        };
        if self.buf.is_empty() {
            // Nothing new, but a due reopen or rotation still happens.
            let _ = dest.flush();
            return;
        }
        let result = dest.write_all(&self.buf).and_then(|()| dest.flush());
        match result {
            Ok(()) => stats.records += self.records_in_buf,
            Err(e) => {
                // A full disk or a closed pipe: these records are lost (counted); the next chunk tries again.
                stats.write_errors += 1;
                stats.records_lost += self.records_in_buf;
                self.log_error(&format!("flow dump write failed: {e}"));
            }
        }
        self.buf.clear();
        self.records_in_buf = 0;
    }
}

/// Drains the rings into the outputs until every worker has finished and the rings are empty.
pub fn run(
    mut sinks: Vec<RecordSink>,
    mut history: Option<xntop_history::Sender>,
    mut ipfix: Option<Exporter>,
    mut rings: Vec<Consumer<FlowRecord>>,
    run: &Arc<RunState>,
    mut geo: Option<xntop_assets::geo::GeoCache>,
) -> OutputStats {
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
                for sink in &mut sinks {
                    sink.push(&record, &mut stats);
                }
                if let Some(h) = history.as_mut() {
                    if ipfix.is_some() {
                        h.push(record.clone());
                    } else {
                        h.push(record);
                        continue;
                    }
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
            for sink in &mut sinks {
                sink.flush(&mut stats);
            }
        }
        // A partial batch for the history goes once it has waited long enough, also on a quiet link.
        if let Some(h) = history.as_mut() {
            h.flush_if_due();
        }
        backoff(&mut spins);
    }
    for sink in &mut sinks {
        sink.flush(&mut stats);
    }
    if let Some(h) = history.as_mut() {
        h.flush();
    }
    stats.ipfix = ipfix.map(|x| x.stats());
    stats
}
