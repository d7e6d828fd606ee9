/* fuzz-common.h — what fuzz-parse and fuzz-eval share: a session in the
 * sandbox (fuzz-sandbox.h: its files confined to a temporary directory, a
 * 1 MiB memory limit, capped threads and benchmarks, a fixed host), and
 * checks on every result (spans inside the line, text ending in a
 * newline, JSON valid). */
#ifndef MMCALC_FUZZ_COMMON_H
#define MMCALC_FUZZ_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-sandbox.h"
#include "mmcalc/session.h"

/* Every input runs as a script: there used to be a list of words
 * (load, save, source, inspect, bench, threads, memlimit, device) whose
 * inputs were only parsed, since they would have read or written files,
 * calibrated the host, started threads or lifted the memory limit. The
 * sandbox (fuzz-sandbox.h) confines all of these, so none is left. */

/* ---- a JSON checker (RFC 8259, no extensions) ---- */

typedef struct fz_json {
	const char *p, *end;
	int depth;
} fz_json;

static inline bool fz_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t k = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2
		         : (c & 0xF8) == 0xF0 ? 3 : 4;
		if (k == 4 || (k == 1 && c < 0xC2) || (k > 0 && i + k >= n))
			return false;
		uint32_t cp = k == 0 ? c : c & (0x3F >> k);
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3F);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += k + 1;
	}
	return true;
}

static inline void fz_ws(fz_json *j)
{
	while (j->p < j->end &&
	       (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static inline bool fz_lit(fz_json *j, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return false;
	j->p += n;
	return true;
}

static inline bool fz_digits(fz_json *j)
{
	const char *s = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static inline bool fz_number(fz_json *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!(j->p < j->end && *j->p >= '1' && *j->p <= '9') || !fz_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!fz_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!fz_digits(j))
			return false;
	}
	return true;
}

static inline bool fz_string(fz_json *j)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	for (j->p++; j->p < j->end; j->p++) {
		unsigned char c = (unsigned char)*j->p;
		if (c == '"') {
			j->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c != '\\')
			continue;
		if (++j->p >= j->end || !strchr("\"\\/bfnrtu", *j->p))
			return false;
		if (*j->p == 'u')
			for (int k = 0; k < 4; k++)
				if (++j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p))
					return false;
	}
	return false;
}

static inline bool fz_value(fz_json *j)
{
	fz_ws(j);
	if (j->p >= j->end)
		return false;
	char c = *j->p;
	if (c == '"')
		return fz_string(j);
	if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		if (++j->depth > 64)
			return false;
		j->p++;
		fz_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			j->depth--;
			return true;
		}
		for (;;) {
			if (c == '{') {
				fz_ws(j);
				if (!fz_string(j))
					return false;
				fz_ws(j);
				if (j->p >= j->end || *j->p++ != ':')
					return false;
			}
			if (!fz_value(j))
				return false;
			fz_ws(j);
			if (j->p >= j->end)
				return false;
			if (*j->p == close) {
				j->p++;
				j->depth--;
				return true;
			}
			if (*j->p++ != ',')
				return false;
		}
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return fz_number(j);
	return fz_lit(j, "true") || fz_lit(j, "false") || fz_lit(j, "null");
}

/* True when s is exactly one JSON object. */
static inline bool fz_json_object(const char *s)
{
	size_t n = strlen(s);
	if (!fz_utf8((const unsigned char *)s, n))
		return false;
	fz_json j = {s, s + n, 0};
	fz_ws(&j);
	if (j.p >= j.end || *j.p != '{' || !fz_value(&j))
		return false;
	fz_ws(&j);
	return j.p == j.end;
}

/* ---- running a script ---- */

typedef struct fz_out {
	bool json;
	bool verbose; /* $MMCALC_FUZZ_VERBOSE: every result on stderr */
	int results;
} fz_out;

static inline void fz_emit(void *ctx, const mm_result *r)
{
	fz_out *o = ctx;
	o->results++;
	if (r->kind > MM_R_WARNING || !r->file)
		abort();
	if (r->kind == MM_R_ERROR || r->kind == MM_R_WARNING) {
		const mm_diag *d = r->diag;
		if (!d || d->code <= MM_OK || d->code >= MM_ERR_COUNT || !d->message[0])
			abort();
		if (r->src && (d->span.start > d->span.end || d->span.end > r->src_len))
			abort();
		char buf[4096];
		mm_diag_render(d, r->file, r->line, r->src, r->src_len, buf, sizeof buf);
		if (o->verbose)
			fputs(buf, stderr);
	} else if (!o->json) {
		size_t n = r->text ? strlen(r->text) : 0;
		if (!r->text || (n > 0 && r->text[n - 1] != '\n'))
			abort();
	}
	if (o->json && r->json && !fz_json_object(r->json))
		abort();
	if (o->verbose && r->kind != MM_R_ERROR && r->kind != MM_R_WARNING)
		fputs(o->json && r->json ? r->json : r->text ? r->text : "", stderr);
}

/* Runs text as a script in a fresh session in the sandbox (a fixed host
 * device, a 1 MiB memory limit, files in the box): the preamble (which
 * must succeed), then the text; then checks that nothing outside the box
 * changed and makes the box again when the input changed it. */
static inline void fz_run(const char *preamble, const char *text, size_t size,
                          bool json)
{
	fz_box *b = fz_box_get();
	mm_session *s = fz_session(b);
	if (!s)
		return;
	mm_session_set_json(s, json);
	fz_out o = {json, getenv("MMCALC_FUZZ_VERBOSE") != NULL, 0};
	if (preamble &&
	    mm_session_run_text(s, "<preamble>", preamble, strlen(preamble), fz_emit, &o))
		abort();
	mm_session_run_text(s, "<fuzz>", text, size, fz_emit, &o);
	mm_session_free(s);
	fz_box_check(b);
	if (o.verbose)
		fprintf(stderr, "%d results\n", o.results);
}

#endif
