/* fuzz_program.c - libFuzzer target: any bytes as a program file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/program.h"

static char name[300]; /* the input is parsed as if it were <folder>/fuzz.program */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char folder[256], path[300];
    snprintf(folder, sizeof folder, "%s/relax-fuzz-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(folder))
        abort();
    snprintf(name, sizeof name, "%s/fuzz.program", folder);
    snprintf(path, sizeof path, "%s/week-01.session", folder);
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rlx_program *p = NULL;
    rlx_diags d = {0};
    rlx_err e = rlx_program_parse_buffer(name, (const char *)data, size, &p, &d);
    if ((e == RLX_OK) != (p != NULL) || (e == RLX_OK && d.errors))
        abort();
    if (p && (!p->id || !p->title || !p->nentries || p->wait_s < 0))
        abort();
    for (size_t k = 0; k < d.count; k++)
        if (d.items[k].source && (d.items[k].col < 1 || (size_t)d.items[k].col > strlen(d.items[k].source) + 1))
            abort();
    rlx_program_free(p);
    rlx_diags_free(&d);
    return 0;
}
