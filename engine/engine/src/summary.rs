//! The end-of-run summary: human lines on stderr, and the same figures as JSON for scripts (`--stats-json`).

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{json, Map, Value};
use xntop_flow::EndReason;
use xntop_wire::Reject;

use crate::output::OutputStats;
use crate::reader::InputStats;
use crate::worker::WorkerStats;

/// Everything the run produced, gathered after all threads joined.
pub struct Summary {
    pub inputs: Vec<InputStats>,
    pub workers: Vec<WorkerStats>,
    pub output: Option<OutputStats>,
    pub elapsed: Duration,
}

impl Summary {
    fn packets(&self) -> u64 {
        self.inputs.iter().map(|i| i.packets).sum()
    }

    fn bytes(&self) -> u64 {
        self.inputs.iter().map(|i| i.bytes).sum()
    }

    fn flows(&self) -> u64 {
        self.workers.iter().map(|w| w.table.created).sum()
    }

    fn rejects(&self) -> [u64; Reject::COUNT] {
        let mut all = [0u64; Reject::COUNT];
        for i in &self.inputs {
            for (a, b) in all.iter_mut().zip(i.rejects) {
                *a += b;
            }
        }
        all
    }

    fn ended(&self) -> [u64; 6] {
        let mut all = [0u64; 6];
        for w in &self.workers {
            for (a, b) in all.iter_mut().zip(w.table.ended) {
                *a += b;
            }
        }
        all
    }

    #[allow(clippy::cast_precision_loss, reason = "a rate for display")]
    fn pps(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.packets() as f64 / secs
        } else {
            0.0
        }
    }

    /// The human summary.
    #[must_use]
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "xntop: {} packets, {} bytes, {} flows in {:.3} s ({:.0} packets/s)",
            self.packets(),
            self.bytes(),
            self.flows(),
            self.elapsed.as_secs_f64(),
            self.pps()
        );
        for i in &self.inputs {
            let _ = writeln!(
                s,
                "  input {}: {} packets, {} bytes",
                i.name, i.packets, i.bytes
            );
        }
        let rejects = self.rejects();
        let malformed: u64 = Reject::ALL
            .iter()
            .filter(|r| r.is_malformed())
            .map(|&r| rejects[r as usize])
            .sum();
        let _ = write!(s, "  no flow: {malformed} malformed");
        for r in Reject::ALL {
            if rejects[r as usize] > 0 {
                let _ = write!(s, ", {}={}", r.name(), rejects[r as usize]);
            }
        }
        s.push('\n');
        let _ = write!(s, "  records:");
        for (r, n) in EndReason::ALL.iter().zip(self.ended()) {
            let _ = write!(s, " {}={n}", r.as_str());
        }
        s.push('\n');
        if let Some(o) = &self.output {
            let _ = writeln!(
                s,
                "  flow dump: {} records written, {} lost to {} write errors",
                o.records, o.records_lost, o.write_errors
            );
            if let Some(x) = &o.ipfix {
                let _ = writeln!(
                    s,
                    "  ipfix export: {} records in {} messages, {} send errors, {} records lost",
                    x.records, x.messages, x.send_errors, x.records_lost
                );
            }
        }
        let d = self.dpi();
        let _ = writeln!(
            s,
            "  dpi: {} flows classified by content, {} given up (budget or no dissector left); detection state {} B \
             per flow under inspection, {} allocated, {} freed when classified, {} when their flow ended; {} QUIC \
             hellos reassembled",
            d.classified,
            d.gave_up,
            xntop_dpi::engine::DETECTION_STATE_BYTES,
            d.states_created,
            d.states_freed,
            self.workers.iter().map(|w| w.table.dpi_released).sum::<u64>(),
            d.quic_reassemblies
        );
        for w in &self.workers {
            let q = |p: f64| w.batch_ns.value_at_quantile(p) / 1000;
            let _ = writeln!(
                s,
                "  worker {} (core {}{}): {} packets, {} flows, {} batches, batch time p50={} µs p99={} µs \
                 p99.9={} µs, records dropped={}, reports held back={}",
                w.id,
                w.core,
                if w.pinned { "" } else { ", not pinned" },
                w.packets,
                w.table.created,
                w.batches,
                q(0.5),
                q(0.99),
                q(0.999),
                w.records_dropped,
                w.reports_missed
            );
        }
        s
    }

    fn dpi(&self) -> xntop_dpi::engine::DpiStats {
        let mut d = xntop_dpi::engine::DpiStats::default();
        for w in &self.workers {
            d.classified += w.dpi.classified;
            d.gave_up += w.dpi.gave_up;
            d.states_created += w.dpi.states_created;
            d.states_freed += w.dpi.states_freed;
            d.quic_reassemblies += w.dpi.quic_reassemblies;
        }
        d
    }

    /// The summary as JSON.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let rejects = self.rejects();
        let rejects: Map<String, Value> = Reject::ALL
            .iter()
            .map(|&r| (r.name().to_string(), json!(rejects[r as usize])))
            .collect();
        let d = self.dpi();
        let dpi = json!({
            "classified": d.classified, "gave_up": d.gave_up,
            "state_bytes_per_flow": xntop_dpi::engine::DETECTION_STATE_BYTES,
            "states_created": d.states_created, "states_freed_classified": d.states_freed,
            "states_freed_flow_end": self.workers.iter().map(|w| w.table.dpi_released).sum::<u64>(),
            "quic_reassemblies": d.quic_reassemblies,
        });
        let ended: Map<String, Value> = EndReason::ALL
            .iter()
            .zip(self.ended())
            .map(|(r, n)| (r.as_str().to_string(), json!(n)))
            .collect();
        json!({
            "packets": self.packets(),
            "bytes": self.bytes(),
            "flows": self.flows(),
            "seconds": self.elapsed.as_secs_f64(),
            "packets_per_second": self.pps(),
            "rejects": rejects,
            "records": ended,
            "dpi": dpi,
            "inputs": self.inputs.iter().map(|i| json!({
                "name": i.name, "packets": i.packets, "bytes": i.bytes, "error": i.error,
                "unsupported_link_types": i.unsupported_links.iter()
                    .map(|(linktype, packets)| json!({"linktype": linktype, "packets": packets}))
                    .collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "workers": self.workers.iter().map(|w| json!({
                "id": w.id, "core": w.core, "pinned": w.pinned, "packets": w.packets, "bytes": w.bytes,
                "flows": w.table.created, "peak_live_flows": w.table.peak_live, "batches": w.batches,
                "records_dropped": w.records_dropped,
                "reports_missed": w.reports_missed,
                "batch_ns_p50": w.batch_ns.value_at_quantile(0.5),
                "batch_ns_p99": w.batch_ns.value_at_quantile(0.99),
                "batch_ns_p999": w.batch_ns.value_at_quantile(0.999),
            })).collect::<Vec<_>>(),
            "flow_dump": self.output.as_ref().map(|o| json!({
                "records": o.records, "write_errors": o.write_errors, "records_lost": o.records_lost,
            })),
            "ipfix": self.output.as_ref().and_then(|o| o.ipfix).map(|x| json!({
                "records": x.records, "messages": x.messages, "send_errors": x.send_errors,
                "records_lost": x.records_lost,
            })),
        })
    }
}
