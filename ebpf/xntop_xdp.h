/* Shared between ebpf/xntop_xdp.c and engine/capture/src/xdp.rs: map names, counter indices, config keys.
 * Keep the Rust constants in engine/capture/src/xdp.rs in step with this file. */
#ifndef XNTOP_XDP_H
#define XNTOP_XDP_H

/* Map names (the ELF symbol names aya looks up). */
#define XNTOP_MAP_XSKS "XSKS"
#define XNTOP_MAP_COUNTERS "COUNTERS"
#define XNTOP_MAP_CONFIG "CONFIG"
#define XNTOP_PROG_NAME "xntop_xdp"

/* Maximum number of RX queues (XSKMAP entries). */
#define XNTOP_MAX_QUEUES 256

/* Indices in the per-CPU COUNTERS array (u64 each). */
enum xntop_counter {
	XNTOP_CNT_SEEN = 0,
	XNTOP_CNT_REDIRECTED = 1,
	XNTOP_CNT_PASSED = 2,
	XNTOP_CNT_DROPPED = 3,
	XNTOP_CNT_MAX = 4,
};

/* Keys of the CONFIG array (u32 values). */
enum xntop_config {
	/* IP protocol number (1..=255) to drop in the program; 0 = filter off (default). */
	XNTOP_CFG_DROP_PROTO = 0,
	XNTOP_CFG_MAX = 1,
};

/* Metadata the program puts in front of every frame it redirects (bpf_xdp_adjust_meta), read by user space at
 * frame address - sizeof(struct xntop_meta): the packet's receive time, so timestamps are per packet, not per batch.
 * AF_XDP copies it along in copy mode too. `magic` tells a stamped frame from one whose metadata could not be
 * added (user space clears it after reading, so a reused frame never shows a stale stamp). */
#define XNTOP_META_MAGIC 0x78746d31 /* "xtm1" */
struct xntop_meta {
	__u64 ts_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 magic;
	__u32 reserved;
};

#endif /* XNTOP_XDP_H */
