// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* XDP program of xntop: counts every packet, optionally drops one IP protocol, stamps the rest with their receive
 * time (struct xntop_meta) and redirects them to the AF_XDP socket of the receive queue (XSKS[rx_queue_index]);
 * XDP_PASS when no socket is registered there. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xntop_xdp.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XNTOP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} XSKS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XNTOP_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} COUNTERS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XNTOP_CFG_MAX);
	__type(key, __u32);
	__type(value, __u32);
} CONFIG SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&COUNTERS, &idx);

	if (v)
		*v += 1; /* per-CPU slot: no atomic needed */
}

/* IP protocol (IPv4 protocol / IPv6 next header) after up to two VLAN tags; -1 when not IP or truncated. */
static __always_inline int ip_proto(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	__u16 proto;
	__u32 off = sizeof(*eth);

	if ((void *)(eth + 1) > data_end)
		return -1;
	proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
			__u16 *inner = data + off + 2;

			if ((void *)(inner + 1) > data_end)
				return -1;
			proto = *inner;
			off += 4;
		}
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;

		if ((void *)(ip + 1) > data_end)
			return -1;
		return ip->protocol;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		return ip6->nexthdr;
	}
	return -1;
}

/* Receive time in the frame's metadata area; left out (user space then uses the batch's time) when the driver
 * gives no room for metadata. */
static __always_inline void stamp(struct xdp_md *ctx)
{
	struct xntop_meta *meta;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > (void *)(long)ctx->data)
		return;
	meta->ts_ns = bpf_ktime_get_ns();
	meta->magic = XNTOP_META_MAGIC;
	meta->reserved = 0;
}

SEC("xdp")
int xntop_xdp(struct xdp_md *ctx)
{
	__u32 key = XNTOP_CFG_DROP_PROTO;
	__u32 *drop = bpf_map_lookup_elem(&CONFIG, &key);
	long action;

	count(XNTOP_CNT_SEEN);
	if (drop && *drop) {
		int proto = ip_proto((void *)(long)ctx->data, (void *)(long)ctx->data_end);

		if (proto >= 0 && (__u32)proto == *drop) {
			count(XNTOP_CNT_DROPPED);
			return XDP_DROP;
		}
	}
	stamp(ctx);
	/* Flags = XDP_PASS: the action when no socket is registered for this queue (kernel >= 5.3). */
	action = bpf_redirect_map(&XSKS, ctx->rx_queue_index, XDP_PASS);
	if (action == XDP_REDIRECT)
		count(XNTOP_CNT_REDIRECTED);
	else
		count(XNTOP_CNT_PASSED);
	return action;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
