//! The flow-record writer thread: drains every worker's record ring into the `-F` output.
//!
//! Write errors (a full disk, a closed pipe) never reach the workers: the writer counts the records it could not
//! write, reports the error once per interval, and keeps draining so the workers never stall on it.

use std::fs::File;
use std::io::{self, BufWriter, Write};
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
    /// IPFIX export, when `-I` is set.
    pub ipfix: Option<xntop_export::UdpStats>,
}

/// Records handed to the IPFIX encoder at once.
const IPFIX_BATCH: usize = 256;

/// Opens the destination of `-F`.
///
/// # Errors
/// When the file cannot be created.
pub fn open(dump: &FlowDump) -> io::Result<Box<dyn Write + Send>> {
    Ok(match dump {
        FlowDump::Stdout => Box::new(io::stdout()),
        FlowDump::JsonLines(path) => Box::new(File::create(path).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("-F: cannot create {}: {e}", path.display()),
            )
        })?),
    })
}

/// Drains the rings into the outputs until every worker has finished and the rings are empty.
pub fn run(
    dest: Option<Box<dyn Write + Send>>,
    mut ipfix: Option<xntop_export::IpfixUdp>,
    mut rings: Vec<Consumer<FlowRecord>>,
    run: &Arc<RunState>,
) -> OutputStats {
    let mut out = BufWriter::with_capacity(1 << 20, dest.unwrap_or_else(|| Box::new(io::sink())));
    let mut batch: Vec<FlowRecord> = Vec::with_capacity(IPFIX_BATCH);
    let mut line = Vec::with_capacity(1024);
    let mut stats = OutputStats::default();
    let mut last_error_log: Option<Instant> = None;
    let mut spins = 0u32;
    loop {
        let mut drained = 0usize;
        for ring in &mut rings {
            while let Ok(record) = ring.pop() {
                line.clear();
                record.write_json_line(&mut line);
                if let Err(e) = out.write_all(&line) {
                    note_error(&mut stats, &mut last_error_log, &e);
                }
                stats.records += 1;
                drained += 1;
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
            if let Err(e) = out.flush() {
                note_error(&mut stats, &mut last_error_log, &e);
            }
        }
        backoff(&mut spins);
    }
    if let Err(e) = out.flush() {
        note_error(&mut stats, &mut last_error_log, &e);
    }
    stats.ipfix = ipfix.map(|x| x.stats);
    stats
}

fn note_error(stats: &mut OutputStats, last_log: &mut Option<Instant>, e: &io::Error) {
    stats.write_errors += 1;
    stats.records_lost += 1;
    if last_log.is_none_or(|t| t.elapsed() >= ERROR_LOG_INTERVAL) {
        eprintln!("xntop: flow dump write failed: {e} (capture goes on; failures are counted)");
        *last_log = Some(Instant::now());
    }
}
