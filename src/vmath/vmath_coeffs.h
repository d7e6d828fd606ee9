/* vmath_coeffs.h — the polynomials of vmath_fn.h, written by coeffs.py. */
#ifndef MMCALC_VMATH_COEFFS_H
#define MMCALC_VMATH_COEFFS_H

/* fit error 2.08e-16 */
static const double exp_q_d[10] = {
	0x1.0000000000001p-1, 0x1.555555555554dp-3, 0x1.5555555553d1dp-5,
	0x1.111111111455ep-7, 0x1.6c16c178a8c1cp-10, 0x1.a01a018bf38f3p-13,
	0x1.a019b89845363p-16, 0x1.71de5a7fdd9c6p-19, 0x1.289214683a1e2p-22,
	0x1.aeab3f4c32f8bp-26,
};
/* fit error 3.06e-18 */
static const double log_g_d[8] = {
	0x1.5555555555555p-1, 0x1.9999999999a39p-2, 0x1.2492492476918p-2,
	0x1.c71c7201c0ce4p-3, 0x1.745cf8d9ec86cp-3, 0x1.3b1c3e4598214p-3,
	0x1.0fbdaa789fecep-3, 0x1.0c0d18d8c1b3bp-3,
};
/* fit error 2.19e-17 */
static const double erf_e_d[11] = {
	0x1.06eba8214db68p-3, -0x1.812746b03796ap-2, 0x1.ce2f21a03c502p-4,
	-0x1.b82ce31079677p-6, 0x1.565bccb7baf4bp-8, -0x1.c02da35adf010p-11,
	0x1.f9a127cf831d9p-14, -0x1.f4aad93b5b0b7p-17, 0x1.b7ed6c8814fc0p-20,
	-0x1.4f9422ae11c56p-23, 0x1.67f2ea8a1727bp-27,
};
/* fit error 2.49e-17 */
#define ERFC_P_D_CENTRE 0x1.864ea7b2d4386p-2
static const double erfc_p_d[21] = {
	-0x1.a82458179e034p-1, 0x1.4923b2f754943p+0, 0x1.38d0212565b7ap-2,
	-0x1.1051154bfe3b1p-2, -0x1.24b440a3beb09p-2, 0x1.00a3c9a97b061p-3,
	0x1.328d228ea08d8p-2, -0x1.8df9d4dd0a58ep-4, -0x1.67de0e72f08d8p-2,
	0x1.0e301159fe363p-3, 0x1.bc161d19a51d9p-2, -0x1.002c1f7f758ebp-2,
	-0x1.0881026d75cdep-1, 0x1.fa95f71190abcp-2, 0x1.0850af5b88afep-1,
	-0x1.c10d0533aa66bp-1, -0x1.20a9008e13c95p-2, 0x1.39cb4ccf8f35cp+0,
	-0x1.f5312ff005cedp-3, -0x1.007432853799bp+0, 0x1.21e9f56b3875dp-1,
};

/* fit error 1.25e-7 */
static const float exp_q_f[5] = {
	0x1p-1f, 0x1.5554dcp-3f, 0x1.5555bap-5f, 0x1.120c2cp-7f,
	0x1.6c6a4ap-10f,
};
/* fit error 1.7e-9 */
static const float log_g_f[4] = {
	0x1.555556p-1f, 0x1.9999ecp-2f, 0x1.245c18p-2f, 0x1.ddd7ap-3f,
};
/* fit error 2.02e-10 */
static const float erf_e_f[7] = {
	0x1.06eba8p-3f, -0x1.812744p-2f, 0x1.ce2e8ep-4f, -0x1.b81a72p-6f,
	0x1.5542a8p-8f, -0x1.aec8bp-11f, 0x1.6cdc74p-14f,
};
/* fit error 6.68e-9 */
#define ERFC_P_F_CENTRE 0x1.28f5c2p-1f
static const float erfc_p_f[11] = {
	-0x1.205616p-1f, 0x1.5e3d0ap+0f, 0x1.84274cp-4f, -0x1.a0ab0ep-2f,
	-0x1.44e11ap-5f, 0x1.2f4fccp-2f, -0x1.7b3686p-5f, -0x1.fd624p-3f,
	0x1.121bd8p-3f, 0x1.31fadep-3f, -0x1.11d162p-3f,
};
/* fit error 9.64e-9 */
#define GELU_P_F_CENTRE 0x1.52043ep-2f
static const float gelu_p_f[9] = {
	-0x1.cfec7p-2f, 0x1.601d2ep+1f, -0x1.9f20c6p-7f, -0x1.9afd4cp+1f,
	0x1.2043aep+0f, 0x1.f39ad6p+2f, -0x1.36cf6ap+3f, -0x1.0166d2p+4f,
	0x1.48989p+5f,
};

#endif
