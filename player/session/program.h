/* program.h - a program file: the ordered weekly sessions and the unlock rule. */
#ifndef RLX_PROGRAM_H
#define RLX_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct {
    char *file;       /* as written in the program file */
    char *path;       /* resolved relative to the program file's folder */
    int line, col;
} rlx_program_entry;

typedef struct {
    char *path;
    char *id, *title;
    int64_t wait_s;           /* time after completing week N before N+1 opens; default 6 days */
    rlx_program_entry *entries;  /* in order: entries[0] is week 1 */
    size_t nentries;
} rlx_program;

/* Parses a program file; every problem goes to diags. Missing session files are errors. */
rlx_err rlx_program_parse(const char *path, rlx_program **out, rlx_diags *diags);
rlx_err rlx_program_parse_buffer(const char *name, const char *data, size_t len,
                                 rlx_program **out, rlx_diags *diags);
void rlx_program_free(rlx_program *p);  /* accepts NULL */

#endif
