/* model.h — where the model presets live (share/mmcalc/models/NAME.mm,
 * mmcalc programs that :model runs) and what :memory and :split read from
 * the program a preset made.
 *
 * The search path is the process's, set once by the program (the CLI
 * reads $MMCALC_MODELS and looks beside its executable; the library reads
 * no environment). Ownership: mm_model_set_path copies its argument;
 * mm_model_path's result is borrowed until the next set. */
#ifndef MMCALC_MODEL_H
#define MMCALC_MODEL_H

#include <stdbool.h>

/* dirs: directories separated by ':' searched in order for NAME.mm (and
 * arch/ARCH.mm); NULL restores the compiled-in default (MM_MODELDIR, the
 * installed share/mmcalc/models). False when out of memory. */
bool mm_model_set_path(const char *dirs);
const char *mm_model_path(void);

#endif
