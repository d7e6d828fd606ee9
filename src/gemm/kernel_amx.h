/* kernel_amx.h — what the AMX bf16 and i8 kernels share: the tile
 * configuration, the 2×2 loop of tile products over a 32×32 block of C,
 * and the layout of the packed slivers.
 *
 * Tiles 0-3 hold C (16×16 values each), 4-5 two 16-row tiles of A, 6-7
 * two 16-column tiles of B; every tile is 16 rows of 64 bytes. A k chunk
 * is the depth of one tile product: 32 bf16 or 64 i8 (KCH = 64 bytes of
 * a row). Packed layouts, each chunk 2 KiB:
 *
 *   A sliver (32 rows): chunk, row 0..31, the row's KCH values
 *                       (lowp_scalar.h's grouped layout, g = KCH);
 *                       tile 4 = rows 0-15, tile 5 = rows 16-31.
 *   B sliver (32 cols): chunk, half h (columns 16h..16h+15), then 16
 *                       rows of 64 bytes: row r holds, for each of the
 *                       half's columns, the V = 4 / ES values k = r·V ..
 *                       r·V + V - 1 (tdpbf16ps's pairs, tdpbssd's quads);
 *                       tile 6 = half 0, tile 7 = half 1.
 */
#ifndef MMCALC_KERNEL_AMX_H
#define MMCALC_KERNEL_AMX_H

#include <immintrin.h>
#include <stdint.h>

#include "lowp_internal.h"

enum { AMX_MR = 32, AMX_NR = 32, AMX_CHUNK = 2048 };

struct amx_config {
	uint8_t palette, start_row, reserved[14];
	uint16_t colsb[16];
	uint8_t rows[16];
};

/* Palette 1, eight tiles of 16 rows × 64 bytes: loaded on each thread
 * before its first tile instruction, released after its last. A static
 * object, not one filled on the stack: GCC 12 does not see that
 * ldtilecfg reads its operand and dropped the stores that filled it. */
static void amx_enter(void)
{
	static const _Alignas(64) struct amx_config cfg = {
		.palette = 1,
		.colsb = {64, 64, 64, 64, 64, 64, 64, 64},
		.rows = {16, 16, 16, 16, 16, 16, 16, 16},
	};
	_tile_loadconfig(&cfg);
}

static void amx_leave(void)
{
	_tile_release();
}

/* The tile products of nch chunks into tiles 0-3, B loaded just before
 * the first product that needs it. DOT is _tile_dpbf16ps or
 * _tile_dpbssd. */
#define AMX_LOOP(DOT, a, b, nch)                                        \
	do {                                                            \
		const char *pa_ = (const char *)(a);                    \
		const char *pb_ = (const char *)(b);                    \
		for (int64_t ch_ = 0; ch_ < (nch); ch_++) {             \
			_tile_loadd(4, pa_, 64);                        \
			_tile_loadd(6, pb_, 64);                        \
			DOT(0, 4, 6);                                   \
			_tile_loadd(7, pb_ + 1024, 64);                 \
			DOT(1, 4, 7);                                   \
			_tile_loadd(5, pa_ + 1024, 64);                 \
			DOT(2, 5, 6);                                   \
			DOT(3, 5, 7);                                   \
			pa_ += AMX_CHUNK;                               \
			pb_ += AMX_CHUNK;                               \
		}                                                       \
	} while (0)

/* Tiles 0-3 from or to a 32×32 block of 4-byte values, rows `ld` bytes
 * apart. */
static inline void amx_load_c(const void *c, int64_t ld)
{
	const char *p = c;
	_tile_loadd(0, p, ld);
	_tile_loadd(1, p + 64, ld);
	_tile_loadd(2, p + 16 * ld, ld);
	_tile_loadd(3, p + 16 * ld + 64, ld);
}

static inline void amx_store_c(void *c, int64_t ld)
{
	char *p = c;
	_tile_stored(0, p, ld);
	_tile_stored(1, p + 64, ld);
	_tile_stored(2, p + 16 * ld, ld);
	_tile_stored(3, p + 16 * ld + 64, ld);
}

static inline void amx_zero_c(void)
{
	_tile_zero(0);
	_tile_zero(1);
	_tile_zero(2);
	_tile_zero(3);
}

/* Offset in bytes, within a B sliver, of the V-value group of column c
 * and k group r (r counted over the whole depth, V values each). */
static inline int64_t amx_b_offset(int c, int64_t r)
{
	return (r / 16) * AMX_CHUNK + (c / 16) * 1024 + (r % 16) * 64 +
	       (c % 16) * 4;
}

#endif
