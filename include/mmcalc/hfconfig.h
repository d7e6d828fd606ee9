/* hfconfig.h — Hugging Face config.json files of the architectures whose
 * presets mmcalc ships (model_type llama, mistral, mixtral, gpt2), read
 * with jansson into one struct in the same terms for every architecture,
 * with the defaults of transformers' configuration classes for what the
 * file leaves out, checked, counted (parameters, by each architecture's
 * formula) and rendered as mmcalc assignments for the :model command.
 *
 * Defaults (transformers, src/transformers/models/NAME/configuration_
 * NAME.py): LlamaConfig vocab 32000, hidden 4096, intermediate 11008,
 * 32 layers, 32 heads, num_key_value_heads None (= the heads), head_dim
 * None (= hidden / heads), 2048 positions, rms_norm_eps 1e-6, untied,
 * no attention or MLP biases. MistralConfig: intermediate 14336,
 * num_key_value_heads 8 (None, an explicit null, = the heads), 4096·32
 * positions, rms_norm_eps 1e-6. MixtralConfig: as Mistral with
 * rms_norm_eps 1e-5, num_local_experts 8, num_experts_per_tok 2.
 * GPT2Config: vocab 50257, n_positions 1024, n_embd 768, n_layer 12,
 * n_head 12, n_inner None (= 4·n_embd, modeling_gpt2.py), layer_norm_
 * epsilon 1e-5, tied embeddings (PretrainedConfig's tie_word_embeddings
 * default); hidden_size, num_hidden_layers, num_attention_heads and
 * max_position_embeddings are accepted for n_embd, n_layer, n_head and
 * n_positions as its attribute_map allows.
 *
 * Checked: the JSON (jansson's message; no key twice), model_type present
 * and supported (else the error names it and the supported ones), every
 * count a whole number from 1 to 2^31 - 1, booleans true/false, the
 * epsilon a positive finite number; heads dividing hidden_size when
 * head_dim is derived (LlamaConfig's validate_architecture, GPT2Attention),
 * num_key_value_heads dividing the heads (repeat_kv), experts per token
 * at most the experts. Other keys are ignored.
 *
 * Ownership: everything is returned by value or into the caller's
 * structs and buffers; strings passed in are borrowed; model_type points
 * to static storage. Nothing here prints or exits; messages start with
 * the file's name. */
#ifndef MMCALC_HFCONFIG_H
#define MMCALC_HFCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmcalc/buf.h"
#include "mmcalc/diag.h"

typedef enum mm_hf_arch {
	MM_HF_LLAMA,
	MM_HF_MISTRAL,
	MM_HF_MIXTRAL,
	MM_HF_GPT2,
	MM_HF_ARCH_COUNT
} mm_hf_arch;

/* The fields, for mm_hfconfig_given. */
typedef enum mm_hf_field {
	MM_HF_HIDDEN,       /* hidden_size; gpt2: n_embd */
	MM_HF_LAYERS,       /* num_hidden_layers; gpt2: n_layer */
	MM_HF_HEADS,        /* num_attention_heads; gpt2: n_head */
	MM_HF_KV_HEADS,     /* num_key_value_heads; gpt2: the heads */
	MM_HF_HEAD_DIM,     /* head_dim; else hidden / heads */
	MM_HF_FFN,          /* intermediate_size; gpt2: n_inner */
	MM_HF_VOCAB,        /* vocab_size */
	MM_HF_POSITIONS,    /* max_position_embeddings; gpt2: n_positions */
	MM_HF_EXPERTS,      /* num_local_experts (mixtral; 1 otherwise) */
	MM_HF_EXPERTS_TOK,  /* num_experts_per_tok (mixtral; 1 otherwise) */
	MM_HF_TIED,         /* tie_word_embeddings */
	MM_HF_ATTN_BIAS,    /* attention_bias (llama) */
	MM_HF_MLP_BIAS,     /* mlp_bias (llama) */
	MM_HF_NORM_EPS,     /* rms_norm_eps; gpt2: layer_norm_epsilon */
	MM_HF_FIELD_COUNT
} mm_hf_field;

typedef struct mm_hfconfig {
	mm_hf_arch arch;
	const char *model_type;         /* "llama", ... (static) */
	int64_t hidden_size;
	int64_t num_hidden_layers;
	int64_t num_attention_heads;
	int64_t num_key_value_heads;
	int64_t head_dim;
	int64_t intermediate_size;      /* of one expert for mixtral */
	int64_t vocab_size;
	int64_t max_position_embeddings;
	int64_t num_local_experts;      /* 1 for dense models */
	int64_t num_experts_per_tok;    /* 1 for dense models */
	bool tie_word_embeddings;
	bool attention_bias, mlp_bias;
	double norm_eps;
	uint32_t given;   /* bit 1 << mm_hf_field: the file gave it */
	uint32_t derived; /* bit 1 << mm_hf_field: left out, and so made from
	                     other fields (num_key_value_heads, head_dim,
	                     gpt2's n_inner) */
} mm_hfconfig;

/* Parses len bytes of config.json text; name is for messages. On success
 * *out holds every field (the file's or the default). MM_ERR_FORMAT (not
 * JSON, not an object, a key twice, no model_type, a value of the wrong
 * kind or out of range, sizes that do not divide), MM_ERR_UNSUPPORTED (a
 * model_type mmcalc does not read), MM_ERR_NOMEM. */
mm_code mm_hfconfig_parse(const char *text, size_t len, const char *name,
                          mm_hfconfig *out, mm_diag *d);
/* Reads the file at path (at most MM_HF_CONFIG_MAX bytes; a device or a
 * directory is refused) and parses it. Also MM_ERR_IO, MM_ERR_LIMIT. */
#define MM_HF_CONFIG_MAX ((size_t)16 << 20)
mm_code mm_hfconfig_read(const char *path, mm_hfconfig *out, mm_diag *d);

/* Whether the file gave field f (else it is the default). */
bool mm_hfconfig_given(const mm_hfconfig *c, mm_hf_field f);
/* The model types read, as a list for messages: "llama, mistral, ...". */
const char *mm_hfconfig_supported(void);

/* Parameters of the model a config describes, by component (all layers
 * together), as transformers builds it (LlamaForCausalLM, MistralFor-
 * CausalLM, MixtralForCausalLM, GPT2LMHeadModel):
 *   embedding  vocab·hidden (gpt2: + positions·hidden)
 *   attention  q, k, v, o: hidden·(heads·head_dim) for q and o,
 *              hidden·(kv_heads·head_dim) for k and v, per layer, with
 *              biases when attention_bias (gpt2: c_attn and c_proj with
 *              biases, 4·hidden² + 4·hidden)
 *   mlp        gate, up, down: 3·hidden·intermediate per expert (biases
 *              when mlp_bias); gpt2: c_fc and c_proj with biases
 *   router     hidden·experts per layer (mixtral)
 *   norms      two per layer and a final one: hidden each (RMSNorm);
 *              gpt2: weight and bias, 2·hidden each
 *   head       vocab·hidden unless tied
 * total sums them; active counts num_experts_per_tok experts of each
 * layer (total for a dense model). */
typedef struct mm_hf_params {
	uint64_t embedding, attention, mlp, router, norms, head;
	uint64_t total, active;
} mm_hf_params;

/* Fills *p; MM_ERR_LIMIT when a count overflows 64 bits. */
mm_code mm_hfconfig_params(const mm_hfconfig *c, mm_hf_params *p,
                           mm_diag *d);

/* How mm_hfconfig_render writes the fields. */
typedef enum mm_hf_style {
	MM_HF_ASSIGN, /* statements, one a line: `hidden_size = 4096`, those
	                 the file left out followed by `  # default` */
	MM_HF_ARGS    /* one line of key=value words: `hidden_size=4096 ...` */
} mm_hf_style;

/* Appends the config as mmcalc text: model_type as a string, then the
 * architecture's fields under Llama's transformers names for every
 * architecture (gpt2's n_embd is hidden_size, ...) so that every preset
 * takes the same keys: hidden_size, num_hidden_layers,
 * num_attention_heads, num_key_value_heads and head_dim (not for gpt2),
 * intermediate_size, vocab_size, max_position_embeddings,
 * tie_word_embeddings, rms_norm_eps (gpt2: layer_norm_epsilon), for
 * llama attention_bias and mlp_bias, for mixtral num_local_experts and
 * num_experts_per_tok. Booleans are 1 or 0, the epsilon the shortest
 * decimal that reads back. Both styles end with a newline. */
void mm_hfconfig_render(const mm_hfconfig *c, mm_hf_style style,
                        mm_buf *b);

#endif
