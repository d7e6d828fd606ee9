/* memory.h — what training and inference of a transformer hold in memory
 * on each device, and what a split over many devices costs per step:
 *
 *   weights, gradients and optimizer state per parameter as the ZeRO paper
 *   counts them for mixed-precision Adam (Rajbhandari et al. 2020, §3.1:
 *   2 + 2 + 12 bytes, K = 12: fp32 master weights, momentum, variance),
 *   with the byte counts configurable, and partitioned over the
 *   data-parallel devices by ZeRO's stages (1: optimizer state, 2: and
 *   gradients, 3: and weights; §5, Figure 1);
 *
 *   activations per layer as Korthikanti et al. 2022 ("Reducing Activation
 *   Recomputation in Large Transformer Models", §4, Table 2) count them
 *   for a GPT layer with 16-bit activations: s·b·h·(34 + 5·a·s/h) bytes,
 *   with tensor parallelism t s·b·h·(10 + 24/t + 5·a·s/(h·t)), with
 *   sequence parallelism too s·b·h/t·(34 + 5·a·s/h); selective
 *   recomputation drops the 5·a·s/h term (what attention's core keeps),
 *   full recomputation keeps only each layer's input, 2·s·b·h (/t with
 *   sequence parallelism). FlashAttention (Dao et al. 2022) keeps no
 *   s×s matrix either: the 5·a·s/h term goes, and its softmax statistics,
 *   4·a·s·b bytes (one fp32 per row and head), are kept instead. Under
 *   1F1B pipelining the first stage holds p micro-batches of its L/p
 *   layers: L layers' worth (§4.2.3);
 *
 *   the KV cache of inference: 2·L·kv_heads·head_dim·s·b elements of the
 *   cache's dtype (grouped-query attention keeps kv_heads, not heads);
 *
 *   and the communication of a training step (tensor parallel: four
 *   all-reduces of s·b·h activations per layer and micro-batch, two in the
 *   forward and two in the backward, Shoeybi et al. 2019 §3; data
 *   parallel: the gradients all-reduced, 2·(d−1)/d of their bytes sent
 *   per device by a ring, 1.5 times that under ZeRO-3 (§7); pipeline: each
 *   micro-batch's s·b·h activations across each stage boundary, forward
 *   and backward, and the bubble (p−1)/(m+p−1) of Narayanan et al. 2021;
 *   expert parallel: two all-to-alls of the routed tokens per MoE layer
 *   each way), with the step's time on the devices' rooflines and the
 *   links' bandwidths, and MFU.
 *
 * Byte counts are doubles: exact below 2^53 (9 PB), and these are
 * predictions, never allocations. Ownership: plain values in and out;
 * nothing here allocates, prints or exits. */
#ifndef MMCALC_MEMORY_H
#define MMCALC_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include "mmcalc/buf.h"
#include "mmcalc/cost.h"
#include "mmcalc/device.h"
#include "mmcalc/diag.h"

/* A transformer as the formulas need it. */
typedef struct mm_mem_model {
	double params;        /* every parameter (all experts') */
	double expert_params; /* the part inside experts (0 when dense) */
	double active_params; /* the parameters one token uses */
	double fwd_flops;     /* one forward pass of batch x seq tokens (the
	                         program's count); 0: 2·active·tokens */
	int64_t layers, hidden, heads, kv_heads, head_dim;
	int64_t experts, experts_tok; /* 1 and 1 when dense */
	bool encoder;         /* attends to all its tokens at once: no KV cache */
} mm_mem_model;

typedef struct mm_mem_opts {
	bool train;
	int64_t batch, seq;    /* one micro-batch on one data-parallel rank */
	double weight_b, grad_b, optim_b; /* bytes per parameter */
	double kv_b;           /* bytes per cached key or value element */
	mm_recompute recompute;
	bool flash;            /* FlashAttention: no s×s matrix kept */
	bool sp;               /* sequence parallelism (with tp) */
	int64_t tp, pp, dp, ep;
	int zero;              /* ZeRO stage, 0 to 3 */
	int64_t micro;         /* micro-batches per step (0: pp) */
} mm_mem_opts;

/* Training: 2 + 2 + 12 bytes per parameter, a 2-byte KV cache (unused),
 * no recomputation, one device, one micro-batch of batch x seq;
 * inference: 2-byte weights, no gradients or optimizer state. */
void mm_mem_opts_default(mm_mem_opts *o, bool train, int64_t batch,
                         int64_t seq);

/* Bytes on one device (the first pipeline stage, which holds the most
 * activations). */
typedef struct mm_mem {
	double weights, grads, optim;
	double acts;      /* training: activations kept for the backward */
	double act_layer; /* ... of one layer and one micro-batch */
	double kv;        /* inference: the KV cache */
	double total;
} mm_mem;

/* Checks o against m (every split a whole number that divides what it
 * splits: tp the heads, pp the layers, ep the experts and dp; zero 0 to
 * 3) and fills *out. MM_ERR_ARG with the reason otherwise. */
mm_code mm_mem_compute(const mm_mem_model *m, const mm_mem_opts *o,
                       mm_mem *out, mm_diag *d);

/* Devices and the links between them. */
typedef struct mm_cluster {
	bool set;          /* false: none described yet */
	mm_device dev;
	double dev_mem;    /* bytes of memory per device (0: unknown) */
	int64_t per_node;  /* devices per node */
	int64_t nodes;
	double intra_bw;   /* bytes/s each device sends within a node */
	double inter_bw;   /* bytes/s each device sends to other nodes */
} mm_cluster;

/* The memory of a built-in device profile (datasheet), 0 when unknown. */
double mm_mem_device_memory(const mm_device *dev);

/* Parses `N x DEVICE [nodes=K] [nvlink=BW] [ib=BW] [mem=SIZE]` (N devices
 * per node; defaults: 1 node, NVLink 4's 450 GB/s each way of an H100
 * SXM (900 GB/s total), 400 Gb/s InfiniBand per device (DGX H100: a
 * ConnectX-7 per GPU)). */
mm_code mm_cluster_parse(mm_cluster *out, const char *args, mm_diag *d);
void mm_cluster_describe(mm_buf *b, const mm_cluster *c);

/* A training step split over the cluster. */
typedef struct mm_step {
	mm_mem mem;
	double compute_s;  /* FLOPs / peak on each device, bubble included */
	double bubble;     /* (p−1)/(m+p−1) */
	double tp_bytes, dp_bytes, pp_bytes, ep_bytes; /* sent per device */
	double comm_s;     /* the sends at the links' bandwidths */
	double step_s;     /* compute + communication (not overlapped) */
	double tokens;     /* per step, all devices */
	double model_flops; /* 6·active·tokens (3× the program's forward) */
	double mfu;        /* model_flops / (step_s · devices · peak) */
	bool fits;
} mm_step;

/* The step of m under o on c (o->dp·tp·pp devices; bf16 peak).
 * MM_ERR_ARG as mm_mem_compute, or when the split needs more devices
 * than the cluster has. */
mm_code mm_step_compute(const mm_mem_model *m, const mm_mem_opts *o,
                        const mm_cluster *c, mm_step *out, mm_diag *d);

/* One split the search found. */
typedef struct mm_split {
	mm_mem_opts o;
	mm_step st;
} mm_split;

/* Every split of all the cluster's devices (tp a power of two within a
 * node dividing the heads, pp dividing the layers, dp the rest, ep
 * dividing dp and the experts, ZeRO 2 or 3 (0 when dp is 1: stages 0
 * and 1 take as long as 2 and hold more), recomputation none,
 * selective or full) for global batch gbs sequences of base's batch x
 * seq; those that fit, fastest first, into out (at most max). Returns
 * how many fit (may exceed max), or -1 with d filled. */
int mm_split_search(const mm_mem_model *m, const mm_mem_opts *base,
                    const mm_cluster *c, int64_t gbs, mm_split *out,
                    int max, mm_diag *d);

#endif
