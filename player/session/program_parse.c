/* program_parse.c - program files (README, "Program files"): the weekly
 * sessions in order and how long after completing one the next opens. */
#include "session/program.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/lex.h"

#define MAX_ENTRIES 99
#define MAX_WAIT_S ((int64_t)365 * 24 * 3600)

typedef enum { PS_NONE, PS_PROGRAM, PS_SESSIONS, PS_UNKNOWN } psection;

static const char *const psection_list[] = {"program", "sessions", NULL};
static const char *const pkeys[] = {"id", "title", "wait", NULL};

void rlx_program_free(rlx_program *p)
{
    if (!p)
        return;
    free(p->path);
    free(p->id);
    free(p->title);
    for (size_t k = 0; k < p->nentries; k++) {
        free(p->entries[k].file);
        free(p->entries[k].path);
    }
    free(p->entries);
    free(p);
}

static bool wait_value(rlx_line *L, int64_t *secs)
{
    double v;
    size_t at, us;
    rlx_num_result r = rlx_line_number(L, &v, &at);
    if (r == RLX_NUM_BAD)
        return false;
    static const char *const expect = "expected a wait like '6 days', '12 h', '30 min' or '90 s'";
    if (r == RLX_NUM_NONE) {
        rlx_line_error(L, L->i, "%s", expect);
        return false;
    }
    size_t ul = rlx_line_unit(L, &us);
    double f;
    if (ul == 0 && v == 0)
        f = 1;   /* "wait = 0": no unit needed for none */
    else if (rlx_unit_is(L, us, ul, "days") || rlx_unit_is(L, us, ul, "day") || rlx_unit_is(L, us, ul, "d"))
        f = 86400;
    else if (rlx_unit_is(L, us, ul, "h"))
        f = 3600;
    else if (rlx_unit_is(L, us, ul, "min"))
        f = 60;
    else if (rlx_unit_is(L, us, ul, "s"))
        f = 1;
    else {
        rlx_line_error(L, ul ? us : at, "%s", expect);
        return false;
    }
    if (v < 0 || v * f > (double)MAX_WAIT_S) {
        rlx_line_error(L, at, "wait must be from 0 to 365 days");
        return false;
    }
    *secs = (int64_t)llround(v * f);
    return true;
}

static void program_setting(rlx_program *p, rlx_line *L, int set_line[3], bool *oom)
{
    size_t ks, kl = rlx_line_word(L, &ks);
    char kb[64];
    if (!kl) {
        rlx_line_error(L, L->i, "expected a setting like 'key = value', found '%s'",
                       rlx_line_peek_excerpt(L, kb, sizeof kb));
        return;
    }
    int key = -1;
    for (int k = 0; pkeys[k]; k++)
        if (rlx_word_is(L, ks, kl, pkeys[k]))
            key = k;
    const char *kname = rlx_line_excerpt(L, ks, kl, kb, sizeof kb);
    if (key < 0) {
        const char *sug = rlx_did_you_mean((const char *)L->s + ks, kl, pkeys);
        if (sug)
            rlx_line_error(L, ks, "unknown key '%s' in [program] (did you mean '%s'?)", kname, sug);
        else
            rlx_line_error(L, ks, "unknown key '%s' in [program] (expected id, title or wait)", kname);
        return;
    }
    size_t vat;
    if (!rlx_line_assign(L, kname, &vat))
        return;
    if (key == 0) {
        size_t st, n = rlx_line_word(L, &st);
        if (!n) {
            rlx_line_error(L, vat, "expected an id of a-z, 0-9 and '-', like 'ten-weeks'");
            return;
        }
        for (size_t k = st; k < st + n; k++) {
            unsigned char c = L->s[k];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                rlx_line_error(L, k, "an id may only use a-z, 0-9 and '-', like 'ten-weeks'");
                return;
            }
        }
        if (!rlx_line_expect_end(L, "the value"))
            return;
        char *id = rlx_line_dup(L, st, n);
        if (!id) {
            *oom = true;
            return;
        }
        free(p->id);
        p->id = id;
    } else if (key == 1) {
        if (L->s[L->i] != '"') {
            rlx_line_error(L, vat, "expected a title in double quotes, like \"...\"");
            return;
        }
        char *t;
        if (!rlx_line_string(L, &t))
            return;
        if (!*t) {
            free(t);
            rlx_line_error(L, vat, "the title cannot be empty");
            return;
        }
        if (!rlx_line_expect_end(L, "the value")) {
            free(t);
            return;
        }
        free(p->title);
        p->title = t;
    } else {
        int64_t w;
        if (!wait_value(L, &w) || !rlx_line_expect_end(L, "the value"))
            return;
        p->wait_s = w;
    }
    if (set_line[key])
        rlx_line_warning(L, ks, "'%s' set again in [program]; this overrides line %d", kname, set_line[key]);
    set_line[key] = L->lineno;
}

static rlx_err parse(const char *name, const char *data, size_t len, rlx_program **out, rlx_diags *diags)
{
    *out = NULL;
    if (len > RLX_LEX_MAX_BYTES) {
        rlx_diags_add(diags, RLX_DIAG_ERROR, name, 0, 0, NULL,
                      "file too large (more than 4 MB; program files are at most 4 MB)");
        return RLX_ERR_IO;
    }
    rlx_program *p = calloc(1, sizeof *p);
    char *dir = rlx_lex_dirname(name);
    if (!p || !dir || !(p->path = strdup(name))) {
        free(dir);
        rlx_program_free(p);
        return RLX_ERR_NOMEM;
    }
    p->wait_s = 6 * 86400;
    size_t errors_before = diags->errors, cap = 0;
    bool oom = false, have_program = false;
    int first[PS_UNKNOWN] = {0};
    int set_line[3] = {0};
    int program_line = 0;
    psection sec = PS_NONE;
    rlx_lines it;
    rlx_line L;
    rlx_lines_init(&it, data, len);
    while (!oom && rlx_lines_next(&it, &L, name, diags)) {
        if (rlx_line_at_end(&L))
            continue;
        char wb[64];
        if (L.s[L.i] == '[') {
            size_t open = L.i++;
            size_t ns, nl = rlx_line_word(&L, &ns);
            rlx_line_ws(&L);
            if (!nl || L.i >= L.n || L.s[L.i] != ']') {
                rlx_line_error(&L, open, "expected a section header like [program]");
                sec = PS_UNKNOWN;
                continue;
            }
            L.i++;
            sec = PS_UNKNOWN;
            if (rlx_word_is(&L, ns, nl, "program"))
                sec = PS_PROGRAM;
            else if (rlx_word_is(&L, ns, nl, "sessions"))
                sec = PS_SESSIONS;
            if (sec == PS_UNKNOWN) {
                const char *sug = rlx_did_you_mean((const char *)L.s + ns, nl, psection_list);
                if (sug)
                    rlx_line_error(&L, ns, "unknown section [%s] (did you mean [%s]?)",
                                   rlx_line_excerpt(&L, ns, nl, wb, sizeof wb), sug);
                else
                    rlx_line_error(&L, ns, "unknown section [%s] (expected [program] or [sessions])",
                                   rlx_line_excerpt(&L, ns, nl, wb, sizeof wb));
                continue;
            }
            rlx_line_expect_end(&L, "the section header");
            if (first[sec])
                rlx_line_error(&L, open, "section [%s] repeated (first at line %d)", psection_list[sec - 1],
                               first[sec]);
            else
                first[sec] = L.lineno;
            if (sec == PS_PROGRAM && !have_program) {
                have_program = true;
                program_line = L.lineno;
            }
            continue;
        }
        if (sec == PS_UNKNOWN)
            continue;
        if (sec == PS_NONE) {
            L.i = 0;
            rlx_line_ws(&L);
            rlx_line_error(&L, L.i, "expected a section header like [program], found '%s'",
                           rlx_line_peek_excerpt(&L, wb, sizeof wb));
            continue;
        }
        if (sec == PS_PROGRAM) {
            program_setting(p, &L, set_line, &oom);
            continue;
        }
        /* [sessions]: one file per line */
        size_t at;
        char *file;
        if (!rlx_line_file_name(&L, "a session file name like 'week-01.session'", &file, &at))
            continue;
        if (!rlx_line_expect_end(&L, "the session file name")) {
            free(file);
            continue;
        }
        for (size_t k = 0; k < p->nentries; k++) {
            if (!strcmp(p->entries[k].file, file)) {
                rlx_line_error(&L, at, "'%s' is listed twice (first at line %d)", file, p->entries[k].line);
                break;
            }
        }
        if (!L.failed && p->nentries >= MAX_ENTRIES)
            rlx_line_error(&L, at, "a program has at most %d sessions", MAX_ENTRIES);
        char *path = L.failed ? NULL : rlx_lex_join(dir, file);
        if (!L.failed && !path)
            oom = true;
        if (path && !rlx_lex_is_regular(path)) {
            rlx_line_error(&L, at, "session file '%s' not found (looked in %s)", file, dir);
        }
        if (L.failed) {
            free(file);
            free(path);
            continue;
        }
        if (p->nentries == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            rlx_program_entry *e = realloc(p->entries, ncap * sizeof *e);
            if (!e) {
                free(file);
                free(path);
                oom = true;
                break;
            }
            p->entries = e;
            cap = ncap;
        }
        p->entries[p->nentries++] = (rlx_program_entry){
            .file = file, .path = path, .line = L.lineno, .col = rlx_line_col(&L, at)};
    }
    if (!oom) {
        const char *missing[2] = {p->id || set_line[0] ? NULL : "id", p->title || set_line[1] ? NULL : "title"};
        for (int k = 0; k < 2; k++)
            if (missing[k])
                rlx_diags_add(diags, RLX_DIAG_ERROR, name, program_line, program_line ? 1 : 0, NULL,
                              "missing [program] %s", missing[k]);
        if (!first[PS_SESSIONS])
            rlx_diags_add(diags, RLX_DIAG_ERROR, name, 0, 0, NULL, "missing [sessions]");
        else if (!p->nentries && diags->errors == errors_before)
            rlx_diags_add(diags, RLX_DIAG_ERROR, name, first[PS_SESSIONS], 1, NULL,
                          "no sessions listed under [sessions]");
    }
    free(dir);
    if (oom) {
        rlx_program_free(p);
        return RLX_ERR_NOMEM;
    }
    if (diags->errors > errors_before) {
        rlx_program_free(p);
        return RLX_ERR_SESSION;
    }
    *out = p;
    return RLX_OK;
}

rlx_err rlx_program_parse_buffer(const char *name, const char *data, size_t len, rlx_program **out,
                                 rlx_diags *diags)
{
    return parse(name ? name : "<buffer>", data ? data : "", data ? len : 0, out, diags);
}

rlx_err rlx_program_parse(const char *path, rlx_program **out, rlx_diags *diags)
{
    *out = NULL;
    char *data;
    size_t len;
    rlx_err e = rlx_lex_read_file(path, path, &data, &len, NULL, NULL, diags);
    if (e != RLX_OK)
        return e;
    e = parse(path, data, len, out, diags);
    free(data);
    return e;
}
