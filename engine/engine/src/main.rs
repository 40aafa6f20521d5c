//! `xntop`: reads packets, tracks flows on pinned sharded workers, and writes flow records.
//!
//! Threads: one reader per capture file (decode + steer by symmetric hash), one worker per `-g` entry (owns a
//! flow-table shard; live, it also receives from its share of the RX queues and processes their frames in place),
//! one writer for `-F`. They share only atomics (`RunState`) and SPSC rings.

mod aggregator;
mod collector;
mod config;
mod dedicated;
mod devices;
mod enrich;
mod flowfile;
mod fragments;
mod handoff;
mod live;
mod output;
mod privileges;
mod reader;
mod report;
mod series_file;
mod summary;
mod syslog;
mod traffic;
mod units;
mod worker;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Instant;

use arc_swap::ArcSwap;
use clap::Parser;
use rtrb::RingBuffer;
use xntop_capture::CaptureFile;
use xntop_model::{FlowRecord, Snapshot};

use crate::config::{Args, Config, FlowDump, EXIT_USAGE};
use crate::handoff::{PacketDesc, RunState, RING_SLOTS};
use crate::worker::{Backpressure, WorkerSetup};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The capture processed when no `-i` is given (see pcaps/README.md).
static DEMO_CAPTURE: &[u8] = include_bytes!("../../../pcaps/demo.pcap");

/// Ended-flow records buffered per worker before the writer must catch up.
const RECORD_RING_SLOTS: usize = 16 * 1024;

fn main() -> ExitCode {
    let stop = match install_signal_handlers() {
        Ok(stop) => stop,
        Err(e) => {
            eprintln!("xntop: cannot install the SIGINT/SIGTERM handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let raw = match config::expand_args(std::env::args().collect()) {
        Ok(raw) => raw,
        Err(e) => return usage_error(&e),
    };
    let args = match Args::try_parse_from(raw) {
        Ok(a) => a,
        Err(e) => e.exit(),
    };
    // Highest usable core id + 1 (not the count): under `taskset -c 1` the one usable core is 1, and `-g 1` must be
    // accepted there.
    let cores = core_affinity::get_core_ids()
        .and_then(|c| c.iter().map(|c| c.id + 1).max())
        .unwrap_or(1)
        .max(1);
    let mut config = match Config::from_args(args, cores) {
        Ok(c) => c,
        Err(e) => return usage_error(&e),
    };
    if config.daemon {
        if let Err(e) = privileges::daemonize() {
            return usage_error(&e);
        }
    }
    match run(&mut config, stop) {
        Ok(code) => code,
        Err(e) if e.is::<config::UsageError>() => usage_error(&e),
        Err(e) => {
            eprintln!("xntop: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Installs the SIGINT/SIGTERM handlers before anything else: a signal during start-up (opening captures, attaching
/// XDP, creating outputs) must ask for the same clean stop as one later — every flow flushed, the summary printed —
/// never kill the process with the default action, leaving empty outputs and no summary. A first signal sets the
/// returned flag; a second one exits at once (code 130).
fn install_signal_handlers() -> std::io::Result<Arc<AtomicBool>> {
    use nix::sys::signal::{SigSet, Signal};
    let stop = Arc::new(AtomicBool::new(false));
    // Held back while the two actions are registered: one arriving in between would find the exit check but not
    // yet the flag, and be lost. Unblocking also undoes a mask inherited from the parent.
    let mut mask = SigSet::empty();
    mask.add(Signal::SIGINT);
    mask.add(Signal::SIGTERM);
    mask.thread_block()?;
    let installed = [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM]
        .into_iter()
        .try_for_each(|sig| {
            signal_hook::flag::register_conditional_shutdown(sig, 130, Arc::clone(&stop))?;
            signal_hook::flag::register(sig, Arc::clone(&stop)).map(drop)
        });
    mask.thread_unblock()?;
    installed.map(|()| stop)
}

fn usage_error(e: &anyhow::Error) -> ExitCode {
    eprintln!("xntop: {e:#}");
    ExitCode::from(u8::try_from(EXIT_USAGE).unwrap_or(2))
}

/// Capture files with their interface index (`-i` order); collector endpoints are skipped here.
fn open_inputs(config: &Config) -> anyhow::Result<Vec<(u8, Arc<CaptureFile>)>> {
    if config.inputs.is_empty() {
        return Ok(vec![(
            0,
            Arc::new(CaptureFile::from_static(
                "demo.pcap (embedded)",
                DEMO_CAPTURE,
            )?),
        )]);
    }
    config
        .inputs
        .iter()
        .enumerate()
        .filter(|(_, name)| config::collector_input(name).is_none() && !live::is_interface(name))
        .map(|(i, name)| {
            let iface = u8::try_from(i).unwrap_or(u8::MAX);
            Ok((
                iface,
                Arc::new(CaptureFile::open(std::path::Path::new(name))?),
            ))
        })
        .collect()
}

/// The back-end of every live interface (`-i` index, name, plan), decided before anything is opened.
///
/// # Errors
/// A [`config::UsageError`] when `--capture xdp` would take an interface the host uses away from it.
fn live_plans(config: &Config) -> anyhow::Result<Vec<(u8, String, live::Plan)>> {
    config
        .inputs
        .iter()
        .enumerate()
        .filter(|(_, name)| config::collector_input(name).is_none() && live::is_interface(name))
        .map(|(i, name)| {
            let host = live::host_use(name);
            let plan =
                live::choose(name, &config.live, host.as_ref()).map_err(config::UsageError)?;
            Ok((u8::try_from(i).unwrap_or(u8::MAX), name.clone(), plan))
        })
        .collect()
}

fn run(config: &mut Config, stop: Arc<AtomicBool>) -> anyhow::Result<ExitCode> {
    let plans = live_plans(config)?;
    let files = open_inputs(config)?;
    let mut lives: Vec<live::LiveInterface> = plans
        .iter()
        .map(|(iface, name, plan)| {
            if let Some(note) = &plan.note {
                eprintln!("xntop: {note}");
            }
            let l = live::LiveInterface::open(name, *iface, &config.live, plan)?;
            eprintln!(
                "xntop: capturing on {name} with {}; {}",
                l.backend,
                live::rss_report(name)
            );
            Ok(l)
        })
        .collect::<anyhow::Result<_>>()?;
    if config.user.is_some() {
        // Before the first thread (collectors, aggregator, web) and after the last program run (ethtool above).
        privileges::harden()?;
    }
    let collectors: Vec<collector::CollectorInput> = config
        .inputs
        .iter()
        .enumerate()
        .filter_map(|(i, name)| Some((i, name, config::collector_input(name)?)))
        .map(|(i, name, addr)| {
            collector::CollectorInput::bind(
                name,
                &addr.addr,
                addr.tcp,
                u8::try_from(i).unwrap_or(u8::MAX),
                &config.collector,
            )
        })
        .collect::<anyhow::Result<_>>()?;
    if config.inputs.is_empty() && config.dumps.is_empty() {
        // The demo run shows its records: nothing else would.
        config
            .dumps
            .push(FlowDump::Stdout(config::RecordFormat::Jsonl));
    }

    // SIGHUP: record files let go of their path and open it again (after logrotate moved them).
    let reopen = Arc::new(std::sync::atomic::AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGHUP, Arc::clone(&reopen))?;
    let sinks = config
        .dumps
        .iter()
        .map(|d| output::open(d, config.rotation, &reopen))
        .collect::<std::io::Result<Vec<_>>>()?;
    let ipfix = config
        .ipfix
        .as_ref()
        .map(|t| {
            let made = if t.tcp {
                xntop_export::IpfixTcp::new(&t.addr, 1).map(output::Exporter::Tcp)
            } else {
                xntop_export::IpfixUdp::connect(&t.addr, 1).map(output::Exporter::Udp)
            };
            made.map_err(|e| anyhow::anyhow!("-I: cannot reach collector {}: {e}", t.addr))
        })
        .transpose()?;
    let cores_for_history: Vec<usize> = core_affinity::get_core_ids()
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.id)
        .filter(|c| !config.worker_cores.contains(c))
        .collect();
    let history = config.history.clone().and_then(|cfg| {
        let dir = cfg.dir.clone();
        match xntop_history::spawn(cfg, move || background(&cores_for_history, "history")) {
            Ok(h) => Some(h),
            Err(e) => {
                eprintln!(
                    "xntop: history off: cannot use {}: {e} (set -d DIR or --no-history)",
                    dir.display()
                );
                None
            }
        }
    });
    let (history_tx, history_reader, history_thread) = match history {
        Some((tx, reader, thread)) => (Some(tx), Some(reader), Some(thread)),
        None => (None, None, None),
    };
    let has_output = !sinks.is_empty() || ipfix.is_some() || history_tx.is_some();
    let geo = enrich::open(config)?;

    let run = Arc::new(RunState {
        stop,
        ..RunState::default()
    });

    let workers = config.worker_cores.len();
    if config.verbose > 0 {
        eprintln!(
            "xntop: {workers} worker(s) on cores {:?}, {} input(s), flow cap {} ({} per worker)",
            config.worker_cores,
            files.len() + collectors.len(),
            config.max_flows,
            config.max_flows.div_ceil(workers as u64)
        );
    }
    let per_shard_flows =
        usize::try_from(config.max_flows.div_ceil(workers as u64)).unwrap_or(usize::MAX);

    // rings[input][worker]
    let mut producers: Vec<Vec<_>> = Vec::new();
    let mut consumers: Vec<Vec<_>> = (0..workers).map(|_| Vec::new()).collect();
    for _ in &files {
        let mut row = Vec::new();
        for worker_inputs in &mut consumers {
            let (p, c) = RingBuffer::<PacketDesc>::new(RING_SLOTS);
            row.push(p);
            worker_inputs.push(c);
        }
        producers.push(row);
    }
    // Payload sources per worker, aligned with its input rings: files first, then live queues.
    let mut payloads: Vec<Vec<worker::PayloadSource>> = (0..workers)
        .map(|_| {
            files
                .iter()
                .map(|(_, f)| worker::PayloadSource::File(Arc::clone(f)))
                .collect()
        })
        .collect();
    let nic_at_start: Vec<[u64; 3]> = lives.iter().map(|l| live::nic_drops(&l.name)).collect();
    // Live: every queue's socket goes to one worker (round-robin), which processes its frames in place and hands
    // the packets of other workers' flows to them over the hand-off rings.
    let mut live_work: Vec<Option<worker::LiveWork>> = (0..workers).map(|_| None).collect();
    let mut live_counters: Vec<(u8, String, Arc<reader::InputCounters>)> = Vec::new();
    if !lives.is_empty() {
        let wakers = (0..workers)
            .map(|_| live::Waker::new().map(Arc::new))
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| anyhow::anyhow!("live capture: eventfd: {e}"))?;
        let (senders, ends) = live::handoff_rings(workers, &wakers);
        for (w, worker_ends) in ends.into_iter().enumerate() {
            for (descs, bytes) in worker_ends {
                consumers[w].push(descs);
                payloads[w].push(worker::PayloadSource::Live(bytes));
            }
        }
        for ((slot, handoff), waker) in live_work.iter_mut().zip(senders).zip(wakers) {
            *slot = Some(worker::LiveWork {
                queues: Vec::new(),
                handoff,
                waker,
            });
        }
        let mut index = 0;
        for l in &mut lives {
            let counters = Arc::new(reader::InputCounters::default());
            live_counters.push((l.iface, l.name.clone(), Arc::clone(&counters)));
            for (q, socket) in l.sockets.drain(..).enumerate() {
                if let Some(w) = live_work[index % workers].as_mut() {
                    w.queues.push(live::LiveQueue::new(
                        index,
                        l.iface,
                        socket,
                        Arc::clone(&counters),
                        format!("{} queue {q}", l.name),
                    ));
                }
                index += 1;
            }
        }
    }
    let live_workers = live_work.iter().filter(|w| w.is_some()).count();
    let (record_producers, record_consumers): (Vec<_>, Vec<_>) = if has_output {
        (0..workers + collectors.len())
            .map(|_| {
                let (p, c) = RingBuffer::<FlowRecord>::new(RECORD_RING_SLOTS);
                (Some(p), Some(c))
            })
            .unzip()
    } else {
        (
            (0..workers + collectors.len()).map(|_| None).collect(),
            Vec::new(),
        )
    };
    let mut record_producers = record_producers;
    let collector_outputs = record_producers.split_off(workers);

    // The aggregator runs when something reads its view: the web UI or a snapshot dump.
    let published = Arc::new(ArcSwap::from_pointee(Snapshot::default()));
    // The view's threads (aggregator, web, Redis) stay off the workers' cores and yield to capture threads.
    let background_cores: Vec<usize> = core_affinity::get_core_ids()
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.id)
        .filter(|c| !config.worker_cores.contains(c))
        .collect();
    let want_view =
        config.http.is_some() || config.dump_snapshot.is_some() || config.redis.is_some();
    let mut redis = config
        .redis
        .clone()
        .map(xntop_export::redis_store::RedisStore::new)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let restored = redis.as_mut().map(|r| r.load_hosts()).unwrap_or_default();
    if let Some(e) = redis.as_mut().and_then(|r| r.take_error()) {
        eprintln!("xntop: redis: {e} (capture goes on; retrying with back-off)");
    }
    let (report_tx, report_rx) =
        std::sync::mpsc::sync_channel::<report::WorkerReport>(4 * (workers + collectors.len()));
    let readers: Vec<reader::Reader> = files
        .into_iter()
        .zip(producers)
        .map(|((iface, file), rings)| {
            reader::Reader::new(iface, file, rings, Arc::clone(&run))
                .paced(config.replay_pace)
                .looped(config.replay_loop, config.replay_topspeed)
        })
        .collect();
    // The live series of an earlier run, and the hourly points kept with them.
    let mut saved_series = config
        .history
        .as_ref()
        .and_then(|h| series_file::load(&h.dir));
    let saved_hours = saved_series
        .as_ref()
        .map(|s| s.hour.clone())
        .unwrap_or_default();
    let aggregator = want_view
        .then(|| {
            let mut inputs: Vec<(u8, String, _)> = readers
                .iter()
                .map(|r| (r.iface(), r.name().to_string(), r.counters()))
                .chain(
                    collectors
                        .iter()
                        .map(|c| (c.iface(), c.name.clone(), Arc::clone(&c.counters))),
                )
                .chain(live_counters.iter().cloned())
                .collect();
            inputs.sort_by_key(|i| i.0);
            let inputs = inputs.into_iter().map(|(_, n, c)| (n, c)).collect();
            let mut agg = aggregator::Aggregator::new(
                inputs,
                config.local_networks.clone(),
                usize::try_from(config.max_hosts).unwrap_or(usize::MAX),
            );
            if let Some(db) = &geo {
                agg.enrich(enrich::cache(db));
            }
            agg.name_networks(config.networks.clone());
            if let Some(db) = config.syn_db {
                agg.syn_signatures(db);
            }
            if private_dir(&config.data_dir).is_ok() {
                agg.persist_devices(config.data_dir.clone());
            } else {
                eprintln!(
                    "xntop: cannot create the data directory {}: the device inventory is not kept across restarts",
                    config.data_dir.display()
                );
            }
            agg.restore(restored);
            if let Some(saved) = saved_series.take() {
                agg.restore_series(saved);
            }
            agg.keep_purged_hosts(config.redis.is_some());
            let published = Arc::clone(&published);
            let cores = background_cores.clone();
            thread::Builder::new()
                .name("xntop-agg".into())
                .spawn(move || {
                    background(&cores, "aggregator");
                    aggregator::run(
                        agg,
                        &report_rx,
                        &published,
                        std::time::Duration::from_millis(500),
                    )
                })
        })
        .transpose()?;

    let view_done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let series_saver = (want_view && history_reader.is_some())
        .then(|| {
            let published = Arc::clone(&published);
            let done = Arc::clone(&view_done);
            let dir = history_reader
                .as_ref()
                .map(|h| h.dir.clone())
                .unwrap_or_default();
            let cores = background_cores.clone();
            thread::Builder::new()
                .name("xntop-series".into())
                .spawn(move || {
                    background(&cores, "series");
                    series_loop(&dir, &published, &done, saved_hours);
                })
        })
        .transpose()?;
    let redis_writer = redis
        .map(|store| {
            let published = Arc::clone(&published);
            let done = Arc::clone(&view_done);
            let cores = background_cores.clone();
            thread::Builder::new()
                .name("xntop-redis".into())
                .spawn(move || {
                    background(&cores, "redis");
                    redis_loop(store, &published, &done)
                })
        })
        .transpose()?;

    let web = config
        .http
        .map(|listen| {
            let mut web_config = if config.disable_login {
                xntop_web::WebConfig::open(listen)
            } else {
                let token = config
                    .api_token
                    .clone()
                    .unwrap_or_else(|| stored_token(&config.data_dir));
                xntop_web::WebConfig {
                    listen,
                    token: Some(token),
                    users: web_users(&config.data_dir, config.admin_password.as_deref()),
                    secure_cookies: false,
                    tls: None,
                    thread_setup: xntop_web::ThreadSetup::default(),
                    history: None,
                }
            };
            web_config.history.clone_from(&history_reader);
            let cores = background_cores.clone();
            web_config.thread_setup =
                xntop_web::ThreadSetup(Some(Arc::new(move || background(&cores, "web"))));
            if let Some((cert, key)) = &config.https {
                web_config.tls = Some(xntop_web::TlsFiles {
                    cert: cert.clone(),
                    key: key.clone(),
                });
                web_config.secure_cookies = true;
            }
            xntop_web::spawn(&web_config, Arc::clone(&published))
        })
        .transpose()?;
    if let Some(w) = &web {
        eprintln!(
            "xntop: web UI on {0}://{1}/ and REST API on {0}://{1}/api/v1/",
            if config.https.is_some() {
                "https"
            } else {
                "http"
            },
            w.local_addr
        );
    }

    // Everything that needs root is open now: captures mapped, sockets bound, outputs created.
    if let Some(path) = &config.pid_file {
        privileges::write_pid_file(path)?;
    }
    if let Some(user) = &config.user {
        if let Some(h) = &history_reader {
            give_to(&h.dir, user)?;
        }
        privileges::drop_to(user)?;
    }

    let started = Instant::now();
    // Live workers count as readers until they stop receiving (they hand packets to each other).
    run.readers_running
        .store(readers.len() + live_workers, Ordering::Release);
    // Collectors feed the output thread too: it waits for them like for workers.
    run.workers_running
        .store(workers + collectors.len(), Ordering::Release);

    let dns_cache = Arc::new(xntop_dpi::DnsCache::default());
    let mut worker_handles = Vec::new();
    let backpressure = if live_workers == 0 {
        Backpressure::Wait
    } else {
        Backpressure::Drop
    };
    for ((((id, inputs), output), payloads), live) in consumers
        .into_iter()
        .enumerate()
        .zip(record_producers)
        .zip(payloads)
        .zip(live_work)
    {
        let setup = WorkerSetup {
            id,
            core: config.worker_cores[id],
            max_flows: per_shard_flows,
            timeouts: config.timeouts,
            inputs,
            output,
            backpressure,
            reports: want_view.then(|| report_tx.clone()),
            run: Arc::clone(&run),
            payloads,
            dns_cache: Arc::clone(&dns_cache),
            live,
        };
        worker_handles.push(
            thread::Builder::new()
                .name(format!("xntop-w{id}"))
                .spawn(move || worker::run(setup))?,
        );
    }
    let writer = if has_output {
        let rings: Vec<_> = record_consumers.into_iter().flatten().collect();
        let run = Arc::clone(&run);
        let geo = geo.as_ref().map(enrich::cache);
        Some(
            thread::Builder::new()
                .name("xntop-out".into())
                .spawn(move || output::run(sinks, history_tx, ipfix, rings, &run, geo))?,
        )
    } else {
        None
    };
    // Readers go on cores no worker uses, when there are any, so a worker never shares its core with a reader.
    let all_cores = core_affinity::get_core_ids().unwrap_or_default();
    let spare: Vec<_> = all_cores
        .into_iter()
        .filter(|c| !config.worker_cores.contains(&c.id))
        .collect();
    let mut collector_handles = Vec::new();
    for (c, out) in collectors.into_iter().zip(collector_outputs) {
        let run = Arc::clone(&run);
        let reports = want_view.then(|| report_tx.clone());
        collector_handles.push(
            thread::Builder::new()
                .name("xntop-collector".into())
                .spawn(move || (c.name.clone(), c.run(out, reports, &run)))?,
        );
    }
    drop(report_tx);
    let mut reader_handles = Vec::new();
    for (iface, reader) in readers.into_iter().enumerate() {
        let run = Arc::clone(&run);
        let core = (!spare.is_empty()).then(|| spare[iface % spare.len()]);
        reader_handles.push(
            thread::Builder::new()
                .name(format!("xntop-r{iface}"))
                .spawn(move || {
                    if let Some(core) = core {
                        core_affinity::set_for_current(core);
                    }
                    let stats = reader.run();
                    run.readers_running.fetch_sub(1, Ordering::AcqRel);
                    stats
                })?,
        );
    }

    let mut inputs: Vec<_> = reader_handles
        .into_iter()
        .map(|h| h.join().unwrap_or_default())
        .collect();
    let mut worker_stats = Vec::new();
    for h in worker_handles {
        match h.join() {
            Ok(s) => worker_stats.push(s),
            Err(_) => anyhow::bail!("a worker thread panicked"),
        }
    }
    let mut queues: Vec<(usize, live::QueueStats)> = worker_stats
        .iter_mut()
        .flat_map(|w| std::mem::take(&mut w.queues))
        .collect();
    queues.sort_by_key(|q| q.0);
    let queues: Vec<live::QueueStats> = queues.into_iter().map(|q| q.1).collect();
    inputs.extend(queues.iter().map(|q| q.input.clone()));
    let collected: Vec<_> = collector_handles
        .into_iter()
        .filter_map(|h| h.join().ok())
        .collect();
    let output = writer.map(|h| h.join().unwrap_or_default());
    // The output thread dropped its sender: the history writer writes what it holds and ends.
    if let Some(h) = history_thread {
        if h.join().is_err() {
            eprintln!("xntop: the history thread panicked");
        }
    }
    if let Some(h) = aggregator {
        if h.join().is_err() {
            anyhow::bail!("the aggregator thread panicked");
        }
    }
    view_done.store(true, Ordering::Release);
    let redis_stats = redis_writer.and_then(|h| h.join().ok());
    if let Some(h) = series_saver {
        let _ = h.join();
    }
    if let Some(path) = &config.dump_snapshot {
        let snap = published.load();
        let text = serde_json::to_string(&**snap)?;
        privileges::write_file(path, text).map_err(|e| {
            anyhow::anyhow!("--dump-snapshot: cannot write {}: {e}", path.display())
        })?;
    }
    let summary = summary::Summary {
        inputs,
        workers: worker_stats,
        output,
        elapsed: started.elapsed(),
    };
    eprint!("{}", summary.render());
    for (l, start) in lives.iter().zip(&nic_at_start) {
        let now = live::nic_drops(&l.name);
        eprintln!(
            "  nic {}: rx_dropped={} rx_missed={} rx_fifo_errors={} (since start)",
            l.name,
            now[0].saturating_sub(start[0]),
            now[1].saturating_sub(start[1]),
            now[2].saturating_sub(start[2])
        );
        if let Some(c) = l.xdp_counters() {
            eprintln!(
                "  xdp {}: seen={} redirected={} passed={} dropped={}",
                l.name, c.seen, c.redirected, c.passed, c.dropped
            );
        }
    }
    for q in &queues {
        let socket = match q.socket {
            live::SocketStats::Xdp(s) => format!(
                "AF_XDP{}: rx_dropped={} rx_ring_full={} fill_ring_empty={} invalid={} timestamped={}",
                if q.zero_copy { " zero-copy" } else { "" },
                s.rx_dropped,
                s.rx_ring_full,
                s.rx_fill_ring_empty_descs,
                s.rx_invalid_descs,
                q.timestamped
            ),
            live::SocketStats::Packet(s) => {
                format!("AF_PACKET: drops={} freezes={}", s.drops, s.freeze_q_cnt)
            }
            live::SocketStats::None => "no socket counters".to_string(),
        };
        eprintln!(
            "  live {}: {} packets, handed to another worker={}, hand-off drops={}, {socket}",
            q.input.name, q.input.packets, q.handed_off, q.handoff_dropped
        );
    }
    if let Some(h) = &history_reader {
        history_summary(h);
    }
    if let Some(r) = redis_stats {
        eprintln!(
            "  redis: {} snapshots written ({} keys), {} could not be written, {} connections",
            r.snapshots_written, r.keys_written, r.snapshots_failed, r.reconnects
        );
    }
    for (name, c) in &collected {
        eprintln!("{}", c.render(name));
    }
    if let Some(path) = &config.stats_json {
        privileges::write_file(path, summary.to_json().to_string())
            .map_err(|e| anyhow::anyhow!("--stats-json: cannot write {}: {e}", path.display()))?;
    }
    let mut code = ExitCode::SUCCESS;
    for i in &summary.inputs {
        if let Some(err) = &i.error {
            eprintln!(
                "xntop: {err} ({} packets before it were processed)",
                i.packets
            );
            code = ExitCode::FAILURE;
        }
        for (linktype, packets) in &i.unsupported_links {
            eprintln!(
                "xntop: {}: link type {linktype} is not decoded ({packets} of {} packets counted as unsupported_link)",
                i.name, i.packets
            );
            code = ExitCode::FAILURE;
        }
    }
    if run.stopping() {
        eprintln!("xntop: stopped by signal; all live flows were flushed");
    }
    if let Some(w) = web {
        // Like ntopng: after the last packet the view stays served until told to stop.
        if !config.shutdown_when_done && !run.stopping() {
            eprintln!("xntop: input done; serving the final view until SIGINT/SIGTERM (--shutdown-when-done to exit)");
            while !run.stopping() {
                thread::sleep(std::time::Duration::from_millis(100));
            }
        }
        w.shutdown();
    }
    Ok(code)
}

/// Hands the history directory to the `-U` user, who writes it once root is dropped.
fn give_to(dir: &std::path::Path, user: &str) -> anyhow::Result<()> {
    let u = nix::unistd::User::from_name(user)
        .map_err(|e| anyhow::anyhow!("-U: cannot look up {user}: {e}"))?
        .ok_or_else(|| anyhow::anyhow!("-U: no user {user}"))?;
    let mut paths = vec![dir.to_path_buf()];
    for sub in ["flows", "hours"] {
        let d = dir.join(sub);
        if let Ok(rd) = std::fs::read_dir(&d) {
            paths.extend(rd.flatten().map(|e| e.path()));
        }
        paths.push(d);
    }
    paths.push(dir.join("lock"));
    for p in paths {
        nix::unistd::chown(&p, Some(u.uid), Some(u.gid))
            .map_err(|e| anyhow::anyhow!("-U: cannot hand {} to {user}: {e}", p.display()))?;
    }
    Ok(())
}

/// The history writer's line of the summary.
fn history_summary(h: &xntop_history::History) {
    use std::sync::atomic::Ordering::Relaxed;
    let c = &h.counters;
    eprintln!(
        "  history {}: {} records stored, {} dropped (writer behind), {} lost to {} write errors; {} segments \
         written, {} expired, {} hour rollups; {} bytes on disk",
        h.dir.display(),
        c.records.load(Relaxed),
        c.records_dropped.load(Relaxed),
        c.records_lost.load(Relaxed),
        c.write_errors.load(Relaxed),
        c.segments_written.load(Relaxed),
        c.segments_expired.load(Relaxed),
        c.hours_written.load(Relaxed),
        h.bytes()
    );
}

/// Saves the published view's series once a minute (wall time) until the aggregator is done, then once more.
fn series_loop(
    dir: &std::path::Path,
    published: &Arc<ArcSwap<Snapshot>>,
    done: &std::sync::atomic::AtomicBool,
    mut hours: Vec<xntop_model::snapshot::Point>,
) {
    let mut last = Instant::now();
    let save = |hours: &mut Vec<_>| {
        let snap = published.load();
        if snap.time_ns == 0 {
            return;
        }
        if let Err(e) = series_file::save(dir, &snap.timeseries, hours) {
            eprintln!("xntop: cannot save the series in {}: {e}", dir.display());
        }
    };
    while !done.load(Ordering::Acquire) {
        std::thread::sleep(std::time::Duration::from_millis(200));
        if last.elapsed() >= std::time::Duration::from_secs(60) {
            save(&mut hours);
            last = Instant::now();
        }
    }
    save(&mut hours);
}

/// Writes the published view to Redis about once a second until the aggregator is done, then once more.
fn redis_loop(
    mut store: xntop_export::redis_store::RedisStore,
    published: &Arc<ArcSwap<Snapshot>>,
    done: &std::sync::atomic::AtomicBool,
) -> xntop_export::redis_store::RedisStats {
    let mut written_ns = 0u64;
    let mut write = |store: &mut xntop_export::redis_store::RedisStore| {
        let snap = published.load();
        if snap.time_ns == written_ns {
            return;
        }
        // Hosts seen in the last two seconds of packet time before the previous write, to be safe.
        let since = written_ns.saturating_sub(2_000_000_000);
        if store.write(&snap, since) {
            written_ns = snap.time_ns;
        }
        if let Some(e) = store.take_error() {
            eprintln!(
                "xntop: redis: {e} (capture goes on; writes are retried with back-off and counted)"
            );
        }
    };
    while !done.load(Ordering::Acquire) {
        std::thread::sleep(std::time::Duration::from_millis(200));
        write(&mut store);
    }
    store.retry_now();
    write(&mut store);
    store.stats
}

/// The web login users from `<data dir>/users.json`, created on first start. Without a usable file only the API
/// token works: the error is reported and the server still starts (closed, not open).
fn web_users(dir: &std::path::Path, admin_password: Option<&str>) -> Option<xntop_web::Users> {
    use xntop_web::users::Outcome;
    match xntop_web::Users::open(dir, admin_password) {
        Ok((users, outcome)) => {
            if let Outcome::Created(pw) = outcome {
                eprintln!(
                    "xntop: created user admin with password {pw} (stored hashed in {})",
                    xntop_web::Users::path(dir).display()
                );
            }
            Some(users)
        }
        Err(e) => {
            eprintln!("xntop: web login disabled (only the API token works): {e:#}; set -d DIR");
            None
        }
    }
}

/// The API token kept in `<data dir>/api-token` (mode 0600), made on first use. Its value is never logged: the log
/// says where it is. Without a usable data directory a token for this run only is printed once, with a warning.
fn stored_token(dir: &std::path::Path) -> String {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.join("api-token");
    if let Ok(t) = std::fs::read_to_string(&path) {
        let t = t.trim().to_string();
        if !t.is_empty() {
            eprintln!(
                "xntop: API token in {} (Authorization: Bearer …)",
                path.display()
            );
            return t;
        }
    }
    let t = new_token();
    let written = private_dir(dir).is_ok()
        && std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut f| f.write_all(t.as_bytes()))
            .is_ok();
    if written {
        eprintln!(
            "xntop: API token created in {} (mode 0600; Authorization: Bearer …)",
            path.display()
        );
    } else {
        eprintln!(
            "xntop: warning: cannot store an API token in {}; this run's token (not kept): {t}",
            dir.display()
        );
    }
    t
}

/// Creates the data directory (and missing parents) readable by its owner only: it holds the API token and the
/// users' password hashes.
fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// A random API token: 128 bits from the kernel, hex.
fn new_token() -> String {
    use std::io::Read;
    let mut b = [0u8; 16];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .is_err()
    {
        // Not expected on Linux; fall back to time and pid, still unguessable enough to log a warning about.
        eprintln!("xntop: warning: /dev/urandom unreadable; the API token is weak");
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        b = (t ^ u128::from(std::process::id())).to_le_bytes();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Moves the calling thread off the workers' cores and lowers its priority (see `xntop_capture::thread`).
fn background(cores: &[usize], what: &str) {
    if let Err(e) = xntop_capture::thread::make_background(cores) {
        eprintln!("xntop: {what} thread: cannot lower its priority or move it off the workers' cores: {e}");
    }
}
