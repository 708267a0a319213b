/* session_parse.c - the session language (README, "The session language").
 * One pass over the lines of the file; every line is parsed on its own, so an
 * error only ends its line and the rest of the file is still checked. Checks
 * that need the whole file (required keys, default chime, `end`) run after. */
#include "session/session.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "session/lex.h"
#include "session/recording.h"

#define MAX_INCLUDE_DEPTH 8
/* A file may include the same file many times (or 2^8 times through nesting):
 * bound the total work. */
#define MAX_INCLUDES RLX_SESSION_MAX_INCLUDES
#define MAX_INCLUDE_BYTES RLX_SESSION_MAX_INCLUDE_BYTES

typedef enum {
    SEC_NONE,
    SEC_SESSION,
    SEC_VOICE,
    SEC_BREATH,
    SEC_AMBIENT,
    SEC_CHIME,
    SEC_TIMELINE,
    SEC_UNKNOWN,
    SEC_COUNT
} section;

static const char *const section_names[] = {
    [SEC_SESSION] = "session", [SEC_VOICE] = "voice",       [SEC_BREATH] = "breath",
    [SEC_AMBIENT] = "ambient", [SEC_CHIME] = "chime",       [SEC_TIMELINE] = "timeline",
};
static const char *const section_list[] = {"session", "voice", "breath", "ambient", "chime", "timeline", NULL};

typedef enum {
    K_ID, K_TITLE, K_WEEK, K_SUMMARY,
    K_VOICE_LEVEL, K_TTS_VOICE, K_PACE,
    K_PATTERN, K_PITCH, K_GLIDE, K_BREATH_LEVEL, K_BREATH_DUCK, K_BREATH_REST,
    K_AMBIENT_FILE, K_AMBIENT_LEVEL, K_AMBIENT_DUCK,
    K_CHIME_FILE, K_CHIME_LEVEL,
    K_COUNT
} key_id;

static const struct {
    section sec;
    const char *name;
} keys[K_COUNT] = {
    [K_ID] = {SEC_SESSION, "id"},
    [K_TITLE] = {SEC_SESSION, "title"},
    [K_WEEK] = {SEC_SESSION, "week"},
    [K_SUMMARY] = {SEC_SESSION, "summary"},
    [K_VOICE_LEVEL] = {SEC_VOICE, "level"},
    [K_TTS_VOICE] = {SEC_VOICE, "tts-voice"},
    [K_PACE] = {SEC_VOICE, "pace"},
    [K_PATTERN] = {SEC_BREATH, "pattern"},
    [K_PITCH] = {SEC_BREATH, "pitch"},
    [K_GLIDE] = {SEC_BREATH, "glide"},
    [K_BREATH_LEVEL] = {SEC_BREATH, "level"},
    [K_BREATH_DUCK] = {SEC_BREATH, "duck"},
    [K_BREATH_REST] = {SEC_BREATH, "rest"},
    [K_AMBIENT_FILE] = {SEC_AMBIENT, "file"},
    [K_AMBIENT_LEVEL] = {SEC_AMBIENT, "level"},
    [K_AMBIENT_DUCK] = {SEC_AMBIENT, "duck"},
    [K_CHIME_FILE] = {SEC_CHIME, "file"},
    [K_CHIME_LEVEL] = {SEC_CHIME, "level"},
};

static const char *const cue_names[RLX_CUE_KIND_COUNT] = {
    [RLX_CUE_SAY] = "say",         [RLX_CUE_PLAY] = "play",
    [RLX_CUE_SILENCE] = "silence", [RLX_CUE_BREATH] = "breath",
    [RLX_CUE_BREATH_SYNC] = "breath sync",
    [RLX_CUE_CHIME] = "chime",     [RLX_CUE_FADE_IN] = "fade-in",
    [RLX_CUE_FADE_OUT] = "fade-out", [RLX_CUE_LEVEL] = "level",
    [RLX_CUE_END] = "end",
};
static const char *const cue_words[] = {"say", "play", "silence", "breath", "chime", "fade-in",
                                        "fade-out", "level", "end", NULL};
static const char *const bus_names[] = {"voice", "breath", "ambient", NULL};

/* A place in a source line kept for a diagnostic issued after the line was parsed. */
typedef struct {
    const char *file;
    const unsigned char *s;
    size_t n, off;
    int lineno;
} src_pos;

typedef struct {
    rlx_session *s;
    const rlx_parse_config *cfg;
    rlx_diags *diags;
    size_t cues_cap, files_cap;
    bool oom;

    struct {
        uint64_t dev, ino;
    } stack[MAX_INCLUDE_DEPTH + 2];
    int depth;
    size_t includes, include_bytes;
    size_t speech_chars;  /* `say` text so far, in characters */
    bool cues_full;       /* the cue limit was reported */

    struct {
        int file, line;
    } set_at[K_COUNT];
    bool tried[K_COUNT]; /* written, even if invalid: no "missing" error then */

    /* [timeline] state (main file only) */
    bool have_timeline, have_end;
    bool last_cue_failed; /* it may have been meant as the end: no "no end" error then */
    src_pos timeline_pos;
    bool have_abs;
    int64_t last_abs_ms;
    /* an open `optional {` / `from D {` block: its cues take its flags */
    bool in_block;
    int block_line, block_optional;
    int64_t block_from_ms;
    bool default_chime_used;
    src_pos default_chime_pos;
    src_pos session_pos;
    bool have_session_pos;
} parser;

const char *rlx_cue_kind_name(rlx_cue_kind k)
{
    if ((int)k < 0 || k >= RLX_CUE_KIND_COUNT)
        return "?";
    return cue_names[k];
}

bool rlx_cue_is_voice(const rlx_cue *c)
{
    return c && (c->kind == RLX_CUE_SAY || c->kind == RLX_CUE_PLAY);
}

/* ---- small helpers ------------------------------------------------------ */

static src_pos pos_of(const rlx_line *L, size_t off)
{
    return (src_pos){.file = L->file, .s = L->s, .n = L->n, .off = off, .lineno = L->lineno};
}

static void diag_at(parser *P, const src_pos *p, rlx_diag_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void diag_at(parser *P, const src_pos *p, rlx_diag_severity sev, const char *fmt, ...)
{
    rlx_line L = {.file = p->file, .diags = P->diags, .s = p->s, .n = p->n, .lineno = p->lineno};
    va_list ap;
    va_start(ap, fmt);
    rlx_line_diag(&L, sev, p->off, fmt, ap);
    va_end(ap);
}

static char *xstrdup(parser *P, const char *s)
{
    char *p = strdup(s);
    if (!p)
        P->oom = true;
    return p;
}

static void set_str(char **dst, char *val)
{
    free(*dst);
    *dst = val;
}

/* ---- values ------------------------------------------------------------- */

/* A number with one of the given units (case-insensitive), in [lo, hi]. */
static bool value_unit(rlx_line *L, const char *unit, double lo, double hi, const char *what,
                       const char *example, const char *name, double *out)
{
    double v;
    size_t at, us;
    rlx_num_result r = rlx_line_number(L, &v, &at);
    if (r == RLX_NUM_BAD)
        return false;
    if (r == RLX_NUM_NONE) {
        rlx_line_error(L, L->i, "expected %s like '%s'", what, example);
        return false;
    }
    size_t ul = rlx_line_unit(L, &us);
    if (!rlx_unit_is(L, us, ul, unit)) {
        rlx_line_error(L, ul ? us : at, "expected %s like '%s'", what, example);
        return false;
    }
    if (!(v >= lo && v <= hi)) {
        rlx_line_error(L, at, "%s must be from %g to %g %s", name, lo, hi, unit);
        return false;
    }
    *out = v;
    return true;
}

static bool is_word_here(rlx_line *L, const char *w)
{
    rlx_line_ws(L);
    size_t n = strlen(w);
    return L->i + n <= L->n && !memcmp(L->s + L->i, w, n) &&
           (L->i + n == L->n || !rlx_is_word_byte(L->s[L->i + n]));
}

/* `off` or a number with unit. */
static bool value_unit_or_off(rlx_line *L, const char *unit, double lo, double hi, const char *what,
                              const char *example, const char *name, double *out, bool *off)
{
    if (is_word_here(L, "off")) {
        L->i += 3;
        *off = true;
        return true;
    }
    *off = false;
    return value_unit(L, unit, lo, hi, what, example, name, out);
}

/* ms, s or min after a number already read. */
static bool duration_unit(rlx_line *L, double v, size_t at, int64_t *ms)
{
    size_t us;
    size_t ul = rlx_line_unit(L, &us);
    double f;
    if (rlx_unit_is(L, us, ul, "ms"))
        f = 1;
    else if (rlx_unit_is(L, us, ul, "s"))
        f = 1000;
    else if (rlx_unit_is(L, us, ul, "min"))
        f = 60000;
    else {
        rlx_line_error(L, ul ? us : at, "expected a duration like '10 s' or '1500 ms'");
        return false;
    }
    if (v < 0) {
        rlx_line_error(L, at, "a duration cannot be negative");
        return false;
    }
    double m = v * f;
    if (m > (double)RLX_LEX_MAX_MS) {
        rlx_line_error(L, at, "duration too long (at most 24 hours)");
        return false;
    }
    *ms = (int64_t)llround(m);
    return true;
}

static bool duration(rlx_line *L, int64_t *ms)
{
    double v;
    size_t at;
    rlx_num_result r = rlx_line_number(L, &v, &at);
    if (r == RLX_NUM_BAD)
        return false;
    if (r == RLX_NUM_NONE) {
        rlx_line_error(L, L->i, "expected a duration like '10 s' or '1500 ms'");
        return false;
    }
    return duration_unit(L, v, at, ms);
}

static bool string_value(rlx_line *L, char **out, const char *what)
{
    rlx_line_ws(L);
    if (L->i >= L->n || L->s[L->i] != '"') {
        rlx_line_error(L, L->i, "expected %s in double quotes, like \"...\"", what);
        return false;
    }
    return rlx_line_string(L, out);
}

#define FILE_EXPECTED "a file name (a word like ambient/shore.ogg or a \"string\")"

/* Four durations in seconds: inhale, hold, exhale, hold. */
static bool pattern_value(rlx_line *L, rlx_breath_pattern *p)
{
    int32_t ms[4];
    size_t first = L->i;
    for (int k = 0; k < 4; k++) {
        double v;
        size_t at;
        rlx_num_result r = rlx_line_number(L, &v, &at);
        if (r == RLX_NUM_BAD)
            return false;
        if (k == 0)
            first = at;
        if (r == RLX_NUM_NONE) {
            rlx_line_error(L, L->i,
                           "expected four durations in seconds: inhale, hold, exhale, hold (like '4 0 6 0')");
            return false;
        }
        if (v < 0 || v > 60) {
            rlx_line_error(L, at, "each breath phase must be from 0 to 60 seconds");
            return false;
        }
        ms[k] = (int32_t)lround(v * 1000);
    }
    if (ms[0] + ms[2] == 0) {
        rlx_line_error(L, first, "inhale and exhale cannot both be 0");
        return false;
    }
    if (ms[0] + ms[1] + ms[2] + ms[3] < 1000) {
        rlx_line_error(L, first, "a breath cycle must last at least 1 second");
        return false;
    }
    p->inhale_ms = ms[0];
    p->hold_in_ms = ms[1];
    p->exhale_ms = ms[2];
    p->hold_out_ms = ms[3];
    return true;
}

/* ---- files -------------------------------------------------------------- */

/* Looks for `file` next to the file it was written in, next to the session,
 * then in each asset folder. Returns the found path or NULL; fills `looked`
 * with the folders tried. */
/* Why a path that exists is not an audio file to read (into why), or false
 * when it does not exist at all. */
static bool not_audio_file(const char *path, char *why, size_t cap)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return false;
        snprintf(why, cap, "%s: %s", path,
                 errno == ELOOP ? "a loop of symbolic links" : strerror(errno));
        return true;
    }
    const char *what = S_ISDIR(st.st_mode)                         ? "a folder"
                       : S_ISFIFO(st.st_mode)                      ? "a FIFO (named pipe)"
                       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                       : S_ISSOCK(st.st_mode)                      ? "a socket"
                                                                   : "not a regular file";
    snprintf(why, cap, "%s is %s, not an audio file", path, what);
    return true;
}

static char *resolve(parser *P, const char *file, const char *from_dir, char *looked, size_t cap,
                     char *problem, size_t pcap)
{
    const char *dirs[64];
    size_t nd = 0;
    problem[0] = 0;
    if (file[0] == '/') {
        snprintf(looked, cap, "/");
        if (rlx_lex_is_regular(file))
            return xstrdup(P, file);
        (void)not_audio_file(file, problem, pcap);
        return NULL;
    }
    dirs[nd++] = from_dir;
    if (P->s->dir && strcmp(P->s->dir, from_dir))
        dirs[nd++] = P->s->dir;
    if (P->cfg && P->cfg->asset_dirs)
        for (size_t k = 0; P->cfg->asset_dirs[k] && nd < 64; k++)
            dirs[nd++] = P->cfg->asset_dirs[k];
    size_t used = 0;
    looked[0] = 0;
    for (size_t k = 0; k < nd; k++) {
        char *full = rlx_lex_join(dirs[k], file);
        if (!full) {
            P->oom = true;
            return NULL;
        }
        if (rlx_lex_is_regular(full))
            return full;
        if (!problem[0])
            (void)not_audio_file(full, problem, pcap);
        free(full);
        if (used < cap) {
            int w = snprintf(looked + used, cap - used, "%s%s", k ? ", " : "", dirs[k]);
            if (w > 0)
                used += (size_t)w;
        }
    }
    return NULL;
}

static bool check_files(const parser *P)
{
    return P->cfg && P->cfg->check_files;
}

/* Resolves and, when checking files, reports a missing one at `at`. */
static char *resolve_checked(parser *P, rlx_line *L, const char *file, const char *from_dir, size_t at,
                             bool must_exist)
{
    char looked[1024], problem[1024];
    char *path = resolve(P, file, from_dir, looked, sizeof looked, problem, sizeof problem);
    if (!path && must_exist && check_files(P)) {
        if (problem[0])
            rlx_line_error(L, at, "audio file '%s' cannot be used: %s", file, problem);
        else
            rlx_line_error(L, at, "audio file '%s' not found (looked in %s)", file, looked);
    }
    return path;
}

/* ---- settings ----------------------------------------------------------- */

static void setting(parser *P, rlx_line *L, section sec, int file_idx, const char *from_dir)
{
    rlx_session *s = P->s;
    size_t ks, kl = rlx_line_word(L, &ks);
    if (!kl) {
        char buf[64];
        rlx_line_error(L, L->i, "expected a setting like 'key = value', found '%s'",
                       rlx_line_peek_excerpt(L, buf, sizeof buf));
        return;
    }
    int key = -1;
    for (int k = 0; k < K_COUNT; k++)
        if (keys[k].sec == sec && rlx_word_is(L, ks, kl, keys[k].name))
            key = k;
    if (key < 0 && sec == SEC_VOICE && rlx_word_is(L, ks, kl, "voice"))
        key = K_TTS_VOICE;   /* `voice = engine:voice` reads naturally too */
    char kb[64];
    const char *kname = rlx_line_excerpt(L, ks, kl, kb, sizeof kb);
    if (key < 0) {
        const char *cands[8];
        size_t nc = 0;
        for (int k = 0; k < K_COUNT; k++)
            if (keys[k].sec == sec)
                cands[nc++] = keys[k].name;
        cands[nc] = NULL;
        const char *sug = rlx_did_you_mean((const char *)L->s + ks, kl, cands);
        char list[160] = "";
        size_t used = 0;
        for (size_t k = 0; k < nc; k++) {
            int w = snprintf(list + used, sizeof list - used, "%s%s", k ? (k + 1 == nc ? " or " : ", ") : "",
                             cands[k]);
            if (w > 0 && (size_t)w < sizeof list - used)
                used += (size_t)w;
        }
        if (sug)
            rlx_line_error(L, ks, "unknown key '%s' in [%s] (did you mean '%s'?)", kname, section_names[sec],
                           sug);
        else
            rlx_line_error(L, ks, "unknown key '%s' in [%s] (expected %s)", kname, section_names[sec], list);
        return;
    }
    P->tried[key] = true;
    size_t vat;
    if (!rlx_line_assign(L, kname, &vat))
        return;

    bool ok = false, off = false;
    double v = 0;
    char *str = NULL;
    switch ((key_id)key) {
    case K_ID: {
        size_t st, n = rlx_line_word(L, &st);
        if (!n) {
            rlx_line_error(L, vat, "expected an id of a-z, 0-9 and '-', like 'week-03'");
            break;
        }
        for (size_t k = st; k < st + n; k++) {
            unsigned char c = L->s[k];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                rlx_line_error(L, k, "an id may only use a-z, 0-9 and '-', like 'week-03'");
                break;
            }
        }
        if (L->failed)
            break;
        if ((ok = (str = rlx_line_dup(L, st, n)) != NULL))
            set_str(&s->id, str);
        break;
    }
    case K_TITLE:
    case K_SUMMARY:
        if ((ok = string_value(L, &str, key == K_TITLE ? "a title" : "a summary"))) {
            if (key == K_TITLE && !*str) {
                rlx_line_error(L, vat, "the title cannot be empty");
                free(str);
                ok = false;
                break;
            }
            set_str(key == K_TITLE ? &s->title : &s->summary, str);
        }
        break;
    case K_WEEK: {
        size_t at;
        rlx_num_result r = rlx_line_number(L, &v, &at);
        if (r == RLX_NUM_BAD)
            break;
        if (r == RLX_NUM_NONE || v != floor(v) || v < 1 || v > 99 ||
            (L->i < L->n && rlx_is_word_byte(L->s[L->i]))) {
            rlx_line_error(L, vat, "week must be a whole number from 1 to 99");
            break;
        }
        s->week = (int)v;
        ok = true;
        break;
    }
    case K_VOICE_LEVEL:
        if ((ok = value_unit_or_off(L, "LUFS", -70, 0, "a loudness", "-18 LUFS", "level", &v, &off))) {
            s->voice_normalize = !off;
            if (!off)
                s->voice_lufs = v;
        }
        break;
    case K_TTS_VOICE: {
        /* "voice" or "engine:voice"; which ones exist is the voice layer's
         * business: it hands its list over in cfg->voices */
        size_t st, n = rlx_line_word(L, &st);
        if (n && L->i < L->n && L->s[L->i] == ':') {
            L->i++;
            size_t st2, n2 = rlx_line_word(L, &st2);
            n = n2 ? L->i - st : 0;
        }
        const char *const *known = P->cfg ? P->cfg->voices : NULL;
        bool found = n > 0 && !known;
        for (int k = 0; known && known[k] && !found; k++)
            found = rlx_word_is(L, st, n, known[k]);
        if (!found) {
            char wb[64];
            const char *sug = n && known ? rlx_did_you_mean((const char *)L->s + st, n, known) : NULL;
            if (sug) {
                rlx_line_error(L, vat, "unknown voice '%s' (did you mean '%s'?)",
                               rlx_line_excerpt(L, st, n, wb, sizeof wb), sug);
            } else {
                char names[256] = "";
                size_t nb = 0, at = 0;
                while (known && known[nb] && !strchr(known[nb], ':'))
                    nb++;
                for (size_t k = 0; k < nb && at < sizeof names; k++) {
                    int w = snprintf(names + at, sizeof names - at, "%s%s",
                                     k == 0 ? "" : k + 1 == nb ? " or " : ", ", known[k]);
                    at += w > 0 ? (size_t)w : 0;
                }
                rlx_line_error(L, vat, "unknown voice '%s' (expected %s)",
                               n ? rlx_line_excerpt(L, st, n, wb, sizeof wb) : rlx_line_peek_excerpt(L, wb, sizeof wb),
                               nb ? names : "a voice name like slt");
            }
            break;
        }
        if ((ok = (str = rlx_line_dup(L, st, n)) != NULL))
            set_str(&s->tts_voice, str);
        else
            P->oom = true;
        break;
    }
    case K_PACE: {
        size_t at;
        rlx_num_result r = rlx_line_number(L, &v, &at);
        if (r == RLX_NUM_BAD)
            break;
        if (r == RLX_NUM_NONE || (L->i < L->n && rlx_is_word_byte(L->s[L->i]))) {
            rlx_line_error(L, vat, "expected a pace like '1.15' (0.5 fast to 2 slow)");
            break;
        }
        if (v < 0.5 || v > 2) {
            rlx_line_error(L, at, "pace must be from 0.5 (fast) to 2 (slow)");
            break;
        }
        s->tts_pace = v;
        ok = true;
        break;
    }
    case K_PATTERN:
        ok = pattern_value(L, &s->breath);
        break;
    case K_PITCH:
        if ((ok = value_unit(L, "Hz", 40, 2000, "a pitch", "174 Hz", "pitch", &v)))
            s->breath_pitch_hz = v;
        break;
    case K_GLIDE:
        if ((ok = value_unit(L, "st", 0, 12, "an interval", "3 st", "glide", &v)))
            s->breath_glide_st = v;
        break;
    case K_BREATH_LEVEL:
        if ((ok = value_unit_or_off(L, "dB", -90, 0, "a level", "-28 dB", "level", &v, &off))) {
            s->breath_enabled = !off;
            if (!off)
                s->breath_level_db = v;
        }
        break;
    case K_BREATH_DUCK:
    case K_AMBIENT_DUCK:
        if ((ok = value_unit(L, "dB", 0, 60, "a dip", "10 dB", "duck", &v)))
            *(key == K_BREATH_DUCK ? &s->breath_duck_db : &s->ambient_duck_db) = v;
        break;
    case K_BREATH_REST:
        if ((ok = value_unit(L, "dB", 0, 40, "a dip", "12 dB", "rest", &v)))
            s->breath_rest_db = v;
        break;
    case K_AMBIENT_LEVEL:
    case K_CHIME_LEVEL:
        if ((ok = value_unit(L, "dB", -90, 0, "a level", "-32 dB", "level", &v)))
            *(key == K_AMBIENT_LEVEL ? &s->ambient_level_db : &s->chime_level_db) = v;
        break;
    case K_AMBIENT_FILE:
    case K_CHIME_FILE: {
        size_t at;
        if (!rlx_line_file_name(L, FILE_EXPECTED, &str, &at))
            break;
        if (!rlx_line_expect_end(L, "the file name")) {
            free(str);
            break;
        }
        char *path = resolve_checked(P, L, str, from_dir, at, true);
        if (key == K_AMBIENT_FILE) {
            set_str(&s->ambient_file, str);
            set_str(&s->ambient_path, path);
        } else {
            set_str(&s->chime_file, str);
            set_str(&s->chime_path, path);
        }
        ok = !L->failed;
        break;
    }
    case K_COUNT:
        break;
    }
    if (!ok) {
        if (!L->failed)
            rlx_line_error(L, vat, "invalid value for '%s'", kname); /* only after out of memory */
        return;
    }
    if (!rlx_line_expect_end(L, "the value"))
        return;
    if (P->set_at[key].line && P->set_at[key].file == file_idx)
        rlx_line_warning(L, ks, "'%s' set again in [%s]; this overrides line %d", kname, section_names[sec],
                         P->set_at[key].line);
    P->set_at[key].file = file_idx;
    P->set_at[key].line = L->lineno;
}

/* ---- timeline ----------------------------------------------------------- */

static bool digits(const rlx_line *L, size_t *i, size_t *count, int64_t *val)
{
    *count = 0;
    *val = 0;
    while (*i < L->n && L->s[*i] >= '0' && L->s[*i] <= '9') {
        if (*count < 12)
            *val = *val * 10 + (L->s[*i] - '0');
        (*count)++;
        (*i)++;
    }
    return *count > 0;
}

/* m:ss, mm:ss or h:mm:ss with optional .f, .ff or .fff */
static bool absolute_time(rlx_line *L, int64_t *ms, int64_t max_ms)
{
    static const char *const expect = "expected a time like '13:20', '1:02:03.5' or '+2 s'";
    size_t at = L->i, i = L->i, c[3];
    int64_t v[3];
    int parts = 0;
    for (;;) {
        if (!digits(L, &i, &c[parts], &v[parts])) {
            rlx_line_error(L, at, "%s", expect);
            return false;
        }
        parts++;
        if (parts < 3 && i < L->n && L->s[i] == ':' && i + 1 < L->n && L->s[i + 1] >= '0' && L->s[i + 1] <= '9') {
            i++;
            continue;
        }
        break;
    }
    int64_t frac = 0;
    if (i < L->n && L->s[i] == '.') {
        size_t fc;
        i++;
        if (!digits(L, &i, &fc, &frac) || fc > 3) {
            rlx_line_error(L, at, "%s (at most three decimals)", expect);
            return false;
        }
        for (size_t k = fc; k < 3; k++)
            frac *= 10;
    }
    if (parts < 2 || (i < L->n && L->s[i] != ' ' && L->s[i] != '\t' && L->s[i] != '#')) {
        rlx_line_error(L, at, "%s", expect);
        return false;
    }
    L->i = i;
    int64_t h = 0, m, s;
    if (parts == 3) {
        if (c[0] > 2 || c[1] != 2) {
            rlx_line_error(L, at, "%s", expect);
            return false;
        }
        h = v[0];
        m = v[1];
        s = v[2];
        if (m > 59) {
            rlx_line_error(L, at, "minutes must be from 00 to 59 in h:mm:ss");
            return false;
        }
    } else {
        if (c[0] > 2) {
            rlx_line_error(L, at, "%s (minutes have at most two digits; write longer times as h:mm:ss)", expect);
            return false;
        }
        m = v[0];
        s = v[1];
    }
    if (c[parts - 1] != 2) {
        rlx_line_error(L, at, "%s (seconds have two digits)", expect);
        return false;
    }
    if (s > 59) {
        rlx_line_error(L, at, "seconds must be from 00 to 59");
        return false;
    }
    *ms = ((h * 60 + m) * 60 + s) * 1000 + frac;
    if (*ms > max_ms) {
        rlx_line_error(L, at, "time beyond 24 hours");
        return false;
    }
    return true;
}

static size_t utf8_chars(const char *t)
{
    size_t n = 0;
    for (; *t; t++)
        n += ((unsigned char)*t & 0xC0) != 0x80;
    return n;
}

static rlx_cue *new_cue(parser *P)
{
    rlx_session *s = P->s;
    if (s->ncues == P->cues_cap) {
        size_t cap = P->cues_cap ? P->cues_cap * 2 : 32;
        rlx_cue *c = realloc(s->cues, cap * sizeof *c);
        if (!c) {
            P->oom = true;
            return NULL;
        }
        s->cues = c;
        P->cues_cap = cap;
    }
    rlx_cue *c = &s->cues[s->ncues];
    memset(c, 0, sizeof *c);
    return c;
}

/* Optional trailing `gain N dB`. */
static bool gain_opt(rlx_line *L, double *gain)
{
    if (!is_word_here(L, "gain"))
        return true;
    L->i += 4;
    return value_unit(L, "dB", -40, 12, "a gain", "-3 dB", "gain", gain);
}

/* Optional `breath-duck N dB`: the tone's dip under this line. */
static bool breath_duck_opt(rlx_line *L, rlx_cue *c)
{
    if (!is_word_here(L, "breath-duck"))
        return true;
    if (c->breath_duck_set) {
        rlx_line_error(L, L->i, "'breath-duck' given twice");
        return false;
    }
    L->i += 11;
    c->breath_duck_set = true;
    return value_unit(L, "dB", 0, 60, "a dip", "3 dB", "breath-duck", &c->breath_duck_db);
}

static void free_cue(rlx_cue *c)
{
    free(c->text);
    free(c->file);
    free(c->path);
}

/* `optional [N]` or `from D` after a cue (or opening a block). */
static bool version_opts(rlx_line *L, int *optional, int64_t *from_ms)
{
    for (;;) {
        if (is_word_here(L, "optional")) {
            if (*optional) {
                rlx_line_error(L, L->i, "'optional' given twice");
                return false;
            }
            L->i += 8;
            *optional = 1;
            rlx_line_ws(L);
            if (L->i < L->n && L->s[L->i] >= '0' && L->s[L->i] <= '9') {
                size_t at = L->i;
                int v = 0;
                while (L->i < L->n && L->s[L->i] >= '0' && L->s[L->i] <= '9' && v < 100)
                    v = v * 10 + (L->s[L->i++] - '0');
                if (v < 1 || v > RLX_OPTIONAL_LEVELS ||
                    (L->i < L->n && rlx_is_word_byte(L->s[L->i]))) {
                    rlx_line_error(L, at, "'optional' takes a level from 1 to %d (1 is left out first)",
                                   RLX_OPTIONAL_LEVELS);
                    return false;
                }
                *optional = v;
            }
        } else if (is_word_here(L, "from")) {
            if (*from_ms) {
                rlx_line_error(L, L->i, "'from' given twice");
                return false;
            }
            L->i += 4;
            size_t at = L->i;
            if (!duration(L, from_ms))
                return false;
            if (*from_ms <= 0) {
                rlx_line_error(L, at, "'from' needs a session length like '45 min'");
                return false;
            }
        } else {
            return true;
        }
    }
}

/* `optional [N] {`, `from D {` and `}` lines in [timeline]. Returns false
 * when the line is none of them. */
static bool block_line(parser *P, rlx_line *L)
{
    size_t at = L->i;
    if (L->s[at] == '}') {
        L->i++;
        if (!P->in_block) {
            rlx_line_error(L, at, "'}' without an open 'optional {' or 'from ... {' block");
            return true;
        }
        P->in_block = false;
        rlx_line_expect_end(L, "'}'");
        return true;
    }
    if (!is_word_here(L, "optional") && !is_word_here(L, "from"))
        return false;
    int opt = 0;
    int64_t from = 0;
    if (P->have_end) {
        rlx_line_error(L, at, "block after 'end' (nothing may follow 'end')");
        return true;
    }
    if (P->in_block) {
        rlx_line_error(L, at, "blocks do not nest (the one opened on line %d is still open)", P->block_line);
        return true;
    }
    if (!version_opts(L, &opt, &from))
        return true;
    rlx_line_ws(L);
    if (L->i >= L->n || L->s[L->i] != '{') {
        rlx_line_error(L, L->i, "expected '{' to open the block (or a time in front, for one cue)");
        return true;
    }
    L->i++;
    if (!rlx_line_expect_end(L, "'{'"))
        return true;
    P->in_block = true;
    P->block_line = L->lineno;
    P->block_optional = opt;
    P->block_from_ms = from;
    return true;
}

static void cue_line(parser *P, rlx_line *L, const char *from_dir)
{
    rlx_session *s = P->s;
    rlx_line_ws(L);
    size_t at = L->i;
    if (block_line(P, L))
        return;
    if (P->have_end) {
        rlx_line_error(L, at, "cue after 'end' (nothing may follow 'end')");
        return;
    }
    bool relative = false;
    int64_t t = 0;
    unsigned char c0 = L->s[at];
    if (c0 == '+') {
        L->i++;
        double v;
        size_t nat;
        rlx_num_result r = rlx_line_number(L, &v, &nat);
        if (r == RLX_NUM_BAD)
            return;
        if (r == RLX_NUM_NONE || L->s[nat] == '-' || L->s[nat] == '+') {
            rlx_line_error(L, at, "expected a relative time like '+2 s' or '+500 ms'");
            return;
        }
        if (!duration_unit(L, v, nat, &t))
            return;
        relative = true;
    } else if (c0 >= '0' && c0 <= '9') {
        if (!absolute_time(L, &t, RLX_LEX_MAX_MS))
            return;
    } else if (c0 == '-') {
        rlx_line_error(L, at, "times cannot be negative (a relative time is written '+2 s')");
        return;
    } else {
        size_t ws, wl = rlx_line_word(L, &ws);
        char wb[64];
        bool is_cue = false;
        for (int k = 0; cue_words[k]; k++)
            if (rlx_word_is(L, ws, wl, cue_words[k]))
                is_cue = true;
        if (is_cue)
            rlx_line_error(L, at, "'%s' needs a time in front, like '0:30 %s' or '+2 s %s'",
                           rlx_line_excerpt(L, ws, wl, wb, sizeof wb), wb, wb);
        else if (wl && rlx_word_is(L, ws, wl, "include"))
            rlx_line_error(L, at, "'include' is only allowed outside [timeline]");
        else {
            L->i = at;
            rlx_line_error(L, at, "expected a time like '0:30' or '+2 s' at the start of a cue, found '%s'",
                           rlx_line_peek_excerpt(L, wb, sizeof wb));
        }
        return;
    }
    /* times and cue words are separated by blanks */
    if (L->i < L->n && L->s[L->i] != ' ' && L->s[L->i] != '\t' && L->s[L->i] != '#') {
        rlx_line_error(L, L->i, "expected a blank between the time and the cue");
        return;
    }
    if (!relative) {
        char a[32], b[32];
        if (P->have_abs && t < P->last_abs_ms) {
            rlx_line_error(L, at, "absolute time %s is before the previous cue at %s",
                           rlx_fmt_ms(t, a, sizeof a), rlx_fmt_ms(P->last_abs_ms, b, sizeof b));
            return;
        }
    }

    size_t cs, cl = rlx_line_word(L, &cs);
    int kind = -1;
    static const rlx_cue_kind kinds[] = {RLX_CUE_SAY, RLX_CUE_PLAY, RLX_CUE_SILENCE, RLX_CUE_BREATH,
                                         RLX_CUE_CHIME, RLX_CUE_FADE_IN, RLX_CUE_FADE_OUT, RLX_CUE_LEVEL,
                                         RLX_CUE_END};
    for (int k = 0; cue_words[k]; k++)
        if (rlx_word_is(L, cs, cl, cue_words[k]))
            kind = (int)kinds[k];
    if (kind < 0) {
        char wb[64];
        if (!cl) {
            if (rlx_line_at_end(L))
                rlx_line_error(L, L->i, "missing cue after the time (say, play, silence, breath, chime, "
                                        "fade-in, fade-out, level or end)");
            else
                rlx_line_error(L, L->i, "expected a cue (say, play, silence, ...), found '%s'",
                               rlx_line_peek_excerpt(L, wb, sizeof wb));
            return;
        }
        const char *sug = rlx_did_you_mean((const char *)L->s + cs, cl, cue_words);
        if (sug)
            rlx_line_error(L, cs, "unknown cue '%s' (did you mean '%s'?)", rlx_line_excerpt(L, cs, cl, wb, sizeof wb),
                           sug);
        else
            rlx_line_error(L, cs,
                           "unknown cue '%s' (expected say, play, silence, breath, chime, fade-in, fade-out, "
                           "level or end)",
                           rlx_line_excerpt(L, cs, cl, wb, sizeof wb));
        return;
    }

    rlx_cue cue;
    memset(&cue, 0, sizeof cue);
    cue.kind = (rlx_cue_kind)kind;
    cue.line = L->lineno;
    cue.col = rlx_line_col(L, at);
    cue.src_file = s->files[0];
    cue.relative = relative;
    cue.time_ms = t;
    bool ok = true;

    switch (cue.kind) {
    case RLX_CUE_SAY: {
        size_t tat;
        rlx_line_ws(L);
        tat = L->i;
        if (!(ok = string_value(L, &cue.text, "the text to say")))
            break;
        if (!*cue.text) {
            rlx_line_error(L, tat, "nothing to say: the text is empty");
            ok = false;
            break;
        }
        /* Bound the speech work before any of it is done: text-to-speech
         * memory and time grow with the text. */
        size_t chars = utf8_chars(cue.text);
        if (chars > RLX_SESSION_MAX_SAY_CHARS) {
            rlx_line_error(L, tat,
                           "this line is too long to say (%zu characters; at most %d: split it into several "
                           "'say' cues)",
                           chars, RLX_SESSION_MAX_SAY_CHARS);
            ok = false;
            break;
        }
        if (P->speech_chars + chars > RLX_SESSION_MAX_SPEECH_CHARS) {
            rlx_line_error(L, tat, "too much speech: the 'say' lines so far hold more than %d characters",
                           RLX_SESSION_MAX_SPEECH_CHARS);
            P->speech_chars = RLX_SESSION_MAX_SPEECH_CHARS + 1; /* report it once */
            ok = false;
            break;
        }
        P->speech_chars += chars;
        for (;;) {
            if (is_word_here(L, "recording")) {
                if (cue.file) {
                    rlx_line_error(L, L->i, "'recording' given twice");
                    ok = false;
                    break;
                }
                L->i += 9;
                size_t fat;
                if (!(ok = rlx_line_file_name(L, FILE_EXPECTED, &cue.file, &fat)))
                    break;
                cue.file_col = rlx_line_col(L, fat);
                cue.path = resolve_checked(P, L, cue.file, from_dir, fat, false);
            } else if (is_word_here(L, "gain")) {
                if (!(ok = gain_opt(L, &cue.gain_db)))
                    break;
            } else if (is_word_here(L, "breath-duck")) {
                if (!(ok = breath_duck_opt(L, &cue)))
                    break;
            } else {
                break;
            }
        }
        break;
    }
    case RLX_CUE_PLAY: {
        size_t fat;
        if (rlx_line_at_end(L)) {
            rlx_line_error(L, L->i, "expected the file to play, like 'play narration/intro.flac'");
            ok = false;
            break;
        }
        if (!(ok = rlx_line_file_name(L, FILE_EXPECTED, &cue.file, &fat)))
            break;
        cue.file_col = rlx_line_col(L, fat);
        cue.path = resolve_checked(P, L, cue.file, from_dir, fat, true);
        if (L->failed) {
            ok = false;
            break;
        }
        rlx_line_ws(L);
        if (L->i < L->n && L->s[L->i] == '"' && !(ok = rlx_line_string(L, &cue.text)))
            break;
        if (!(ok = gain_opt(L, &cue.gain_db)))
            break;
        ok = breath_duck_opt(L, &cue);
        break;
    }
    case RLX_CUE_SILENCE:
        if (!(ok = duration(L, &cue.dur_ms)))
            break;
        cue.dur_max_ms = cue.dur_ms;
        rlx_line_ws(L);
        if (L->i + 1 < L->n && L->s[L->i] == '.' && L->s[L->i + 1] == '.') {
            L->i += 2;
            rlx_line_ws(L);
            size_t mat = L->i;
            if (!(ok = duration(L, &cue.dur_max_ms)))
                break;
            if (cue.dur_max_ms < cue.dur_ms) {
                char a[32], b[32];
                rlx_line_error(L, mat, "the longest silence (%s) is shorter than the shortest (%s)",
                               rlx_fmt_ms(cue.dur_max_ms, a, sizeof a), rlx_fmt_ms(cue.dur_ms, b, sizeof b));
                ok = false;
            }
        }
        break;
    case RLX_CUE_BREATH:
        if (is_word_here(L, "sync")) {
            L->i += 4;
            cue.kind = RLX_CUE_BREATH_SYNC;
            break;
        }
        ok = pattern_value(L, &cue.pattern);
        break;
    case RLX_CUE_CHIME: {
        rlx_line_ws(L);
        bool has_file = false;
        if (L->i < L->n && L->s[L->i] == '"')
            has_file = true;
        else if (L->i < L->n && rlx_is_word_byte(L->s[L->i]) && L->s[L->i] != '-' && L->s[L->i] != '+') {
            /* `chime gain -3 dB` has no file */
            has_file = !is_word_here(L, "gain") && !is_word_here(L, "optional") && !is_word_here(L, "from");
        }
        if (has_file) {
            size_t fat;
            if (!(ok = rlx_line_file_name(L, FILE_EXPECTED, &cue.file, &fat)))
                break;
            cue.file_col = rlx_line_col(L, fat);
            cue.path = resolve_checked(P, L, cue.file, from_dir, fat, true);
            if (L->failed) {
                ok = false;
                break;
            }
        } else if (!P->default_chime_used) {
            P->default_chime_used = true;
            P->default_chime_pos = pos_of(L, cs);
        }
        ok = gain_opt(L, &cue.gain_db);
        break;
    }
    case RLX_CUE_FADE_IN:
    case RLX_CUE_FADE_OUT:
        ok = duration(L, &cue.dur_ms);
        cue.dur_max_ms = cue.dur_ms;
        break;
    case RLX_CUE_LEVEL: {
        size_t bs, bl = rlx_line_word(L, &bs);
        int bus = -1;
        for (int k = 0; bus_names[k]; k++)
            if (rlx_word_is(L, bs, bl, bus_names[k]))
                bus = k;
        if (bus < 0) {
            char wb[64];
            const char *sug = bl ? rlx_did_you_mean((const char *)L->s + bs, bl, bus_names) : NULL;
            if (sug)
                rlx_line_error(L, bs, "unknown level '%s' (did you mean '%s'?)",
                               rlx_line_excerpt(L, bs, bl, wb, sizeof wb), sug);
            else
                rlx_line_error(L, bs, "expected voice, breath or ambient after 'level'");
            ok = false;
            break;
        }
        cue.bus = (rlx_bus)bus;
        if (bus == RLX_BUS_VOICE)
            ok = value_unit(L, "LUFS", -70, 0, "a loudness", "-18 LUFS", "voice level", &cue.value);
        else
            ok = value_unit(L, "dB", -90, 0, "a level", "-28 dB", "level", &cue.value);
        if (!ok)
            break;
        cue.dur_ms = 50;
        if (is_word_here(L, "over")) {
            L->i += 4;
            ok = duration(L, &cue.dur_ms);
        }
        cue.dur_max_ms = cue.dur_ms;
        break;
    }
    case RLX_CUE_END:
        P->have_end = true;
        break;
    default:
        break;
    }
    bool versioned = cue.kind == RLX_CUE_SAY || cue.kind == RLX_CUE_PLAY || cue.kind == RLX_CUE_SILENCE ||
                     cue.kind == RLX_CUE_CHIME;
    if (ok && !L->failed && versioned)
        ok = version_opts(L, &cue.optional, &cue.from_ms);
    if (ok && !L->failed && !versioned && (is_word_here(L, "optional") || is_word_here(L, "from"))) {
        rlx_line_error(L, L->i, "'%s' can never be left out: only say, play, silence and chime lines "
                                "can be optional",
                       rlx_cue_kind_name(cue.kind));
        ok = false;
    }
    if (ok && !L->failed && P->in_block) {
        if (!versioned) {
            rlx_line_error(L, at, "'%s' inside the block opened on line %d: only say, play, silence and "
                                  "chime lines can be left out (close the block before it with '}')",
                           rlx_cue_kind_name(cue.kind), P->block_line);
            ok = false;
        } else {
            if (!cue.optional)
                cue.optional = P->block_optional;
            if (!cue.from_ms)
                cue.from_ms = P->block_from_ms;
        }
    }
    if (ok && !L->failed && !rlx_line_at_end(L)) {
        /* a misspelt option gets a suggestion */
        static const char *const say_opts[] = {"recording", "gain", "breath-duck", "optional", "from", NULL},
                                 *const play_opts[] = {"gain", "breath-duck", "optional", "from", NULL},
                                 *const gain_opts[] = {"gain", "optional", "from", NULL},
                                 *const level_opts[] = {"over", NULL};
        const char *const *opts = cue.kind == RLX_CUE_SAY    ? say_opts
                                  : cue.kind == RLX_CUE_PLAY  ? play_opts
                                  : cue.kind == RLX_CUE_CHIME ? gain_opts
                                  : cue.kind == RLX_CUE_LEVEL                              ? level_opts
                                                                                           : NULL;
        size_t ws = L->i, wl = 0;
        while (ws + wl < L->n && rlx_is_word_byte(L->s[ws + wl]))
            wl++;
        const char *sug = opts && wl ? rlx_did_you_mean((const char *)L->s + ws, wl, opts) : NULL;
        char wb[64];
        if (sug)
            rlx_line_error(L, ws, "unexpected '%s' after the cue (did you mean '%s'?)",
                           rlx_line_excerpt(L, ws, wl, wb, sizeof wb), sug);
        else
            rlx_line_expect_end(L, cue.kind == RLX_CUE_END ? "'end'" : "the cue");
    }
    if (!ok || L->failed) {
        free_cue(&cue);
        if (cue.kind == RLX_CUE_END)
            P->have_end = true; /* still: nothing may follow */
        return;
    }
    if (s->ncues >= RLX_SESSION_MAX_CUES) {
        if (!P->cues_full)
            rlx_line_error(L, at, "too many cues (a session has at most %d)", RLX_SESSION_MAX_CUES);
        P->cues_full = true;
        free_cue(&cue);
        return;
    }
    rlx_cue *slot = new_cue(P);
    if (!slot) {
        free_cue(&cue);
        return;
    }
    *slot = cue;
    s->ncues++;
    if (!relative) {
        P->have_abs = true;
        P->last_abs_ms = t;
    }
}

/* ---- sections and files ------------------------------------------------- */

static bool add_file(parser *P, const char *path)
{
    rlx_session *s = P->s;
    if (s->nfiles == P->files_cap) {
        size_t cap = P->files_cap ? P->files_cap * 2 : 4;
        char **f = realloc(s->files, cap * sizeof *f);
        if (!f) {
            P->oom = true;
            return false;
        }
        s->files = f;
        P->files_cap = cap;
    }
    char *d = xstrdup(P, path);
    if (!d)
        return false;
    s->files[s->nfiles++] = d;
    return true;
}

static bool parse_text(parser *P, int file_idx, const char *data, size_t len, bool is_include);
static void parse_line(parser *P, rlx_line *L0, section *secp, int first_line[SEC_COUNT], int file_idx,
                       const char *dir, bool is_include);

static void include_line(parser *P, rlx_line *L, const char *from_dir)
{
    size_t at;
    char *name = NULL;
    if (!rlx_line_file_name(L, FILE_EXPECTED, &name, &at))
        return;
    if (!rlx_line_expect_end(L, "the included file name")) {
        free(name);
        return;
    }
    if (P->depth >= MAX_INCLUDE_DEPTH) {
        rlx_line_error(L, at, "includes nest more than %d deep", MAX_INCLUDE_DEPTH);
        free(name);
        return;
    }
    if (P->includes >= MAX_INCLUDES || P->include_bytes >= MAX_INCLUDE_BYTES) {
        rlx_line_error(L, at, "too many includes (at most %d files, %zu MB in all)", MAX_INCLUDES,
                       MAX_INCLUDE_BYTES / (1024 * 1024));
        free(name);
        return;
    }
    P->includes++;
    char *path = rlx_lex_join(from_dir, name);
    if (!path) {
        P->oom = true;
        free(name);
        return;
    }
    rlx_diags tmp = {0};
    char *data = NULL;
    size_t len = 0;
    uint64_t dev = 0, ino = 0;
    rlx_err e = rlx_lex_read_file(path, path, &data, &len, &dev, &ino, &tmp);
    if (e != RLX_OK) {
        if (e == RLX_ERR_NOMEM)
            P->oom = true;
        rlx_line_error(L, at, "cannot include '%s': %s", name,
                       tmp.count ? tmp.items[0].message : rlx_strerror(e));
        rlx_diags_free(&tmp);
        free(name);
        free(path);
        return;
    }
    rlx_diags_free(&tmp);
    P->include_bytes += len;
    for (int k = 0; k <= P->depth; k++) {
        if (P->stack[k].dev == dev && P->stack[k].ino == ino && (dev || ino)) {
            if (k == P->depth)
                rlx_line_error(L, at, "'%s' includes itself", name);
            else
                rlx_line_error(L, at, "include cycle: '%s' is already being read", name);
            free(data);
            free(name);
            free(path);
            return;
        }
    }
    free(name);
    if (!add_file(P, path)) {
        free(data);
        free(path);
        return;
    }
    free(path);
    P->s->hash = rlx_lex_fnv1a(P->s->hash, data, len);
    P->depth++;
    P->stack[P->depth].dev = dev;
    P->stack[P->depth].ino = ino;
    if (!parse_text(P, (int)P->s->nfiles - 1, data, len, true))
        rlx_line_error(L, at, "'%s' does not look like a session file: stopped reading it after %d errors",
                       P->s->files[P->s->nfiles - 1], RLX_SESSION_MAX_FOREIGN_ERRORS);
    P->depth--;
    free(data);
}

static section section_line(parser *P, rlx_line *L, int first_line[SEC_COUNT], bool is_include)
{
    size_t open = L->i;
    L->i++;
    size_t ns, nl = rlx_line_word(L, &ns);
    rlx_line_ws(L);
    if (!nl || L->i >= L->n || L->s[L->i] != ']') {
        rlx_line_error(L, open, "expected a section header like [session]");
        return SEC_UNKNOWN;
    }
    L->i++;
    section sec = SEC_UNKNOWN;
    for (int k = SEC_SESSION; k <= SEC_TIMELINE; k++)
        if (rlx_word_is(L, ns, nl, section_names[k]))
            sec = (section)k;
    char wb[64];
    if (sec == SEC_UNKNOWN) {
        const char *sug = rlx_did_you_mean((const char *)L->s + ns, nl, section_list);
        if (sug)
            rlx_line_error(L, ns, "unknown section [%s] (did you mean [%s]?)", rlx_line_excerpt(L, ns, nl, wb, sizeof wb),
                           sug);
        else
            rlx_line_error(L, ns,
                           "unknown section [%s] (expected [session], [voice], [breath], [ambient], [chime] or "
                           "[timeline])",
                           rlx_line_excerpt(L, ns, nl, wb, sizeof wb));
        return SEC_UNKNOWN;
    }
    rlx_line_expect_end(L, "the section header");
    if (first_line[sec]) {
        rlx_line_error(L, open, "section [%s] repeated (first at line %d)", section_names[sec], first_line[sec]);
    } else {
        first_line[sec] = L->lineno;
    }
    if (sec == SEC_TIMELINE && is_include) {
        rlx_line_error(L, open, "[timeline] is not allowed in an included file (includes hold settings only)");
        return SEC_UNKNOWN;
    }
    if (sec == SEC_TIMELINE && !P->have_timeline) {
        P->have_timeline = true;
        P->timeline_pos = pos_of(L, open);
    }
    if (sec == SEC_SESSION && !is_include && !P->have_session_pos) {
        P->have_session_pos = true;
        P->session_pos = pos_of(L, open);
    }
    return sec;
}

/* False when the file was abandoned as not a session file: its errors are
 * taken back (they would echo its lines), and the caller says it once. */
static bool parse_text(parser *P, int file_idx, const char *data, size_t len, bool is_include)
{
    const char *fname = P->s->files[file_idx];
    char *dir = rlx_lex_dirname(fname);
    if (!dir) {
        P->oom = true;
        return true;
    }
    rlx_diags_mark before = rlx_diags_here(P->diags);
    bool foreign = false;
    int first_line[SEC_COUNT] = {0};
    section sec = SEC_NONE;
    rlx_lines it;
    rlx_line L;
    /* Lines that failed, and whether any line looked like the language: a
     * file with only failures (say /etc/passwd named by an include) is
     * abandoned early, its errors replaced by one that echoes none of its
     * lines. */
    int failed_lines = 0;
    bool any_good = false;
    rlx_lines_init(&it, data, len);
    while (!P->oom && rlx_lines_next(&it, &L, fname, P->diags)) {
        if (!any_good && failed_lines >= RLX_SESSION_MAX_FOREIGN_ERRORS) {
            rlx_diags_rewind(P->diags, before);
            if (!is_include)
                rlx_diags_add(P->diags, RLX_DIAG_ERROR, fname, 0, 0, NULL,
                              "this does not look like a session file: stopped reading it after %d errors",
                              RLX_SESSION_MAX_FOREIGN_ERRORS);
            foreign = true;
            break;
        }
        if (rlx_line_at_end(&L))
            continue;
        parse_line(P, &L, &sec, first_line, file_idx, dir, is_include);
        if (L.failed)
            failed_lines++;
        else if (sec != SEC_UNKNOWN)
            any_good = true;
    }
    free(dir);
    return !foreign;
}

/* One non-blank line of a file; `sec` is the section it is in. */
static void parse_line(parser *P, rlx_line *L0, section *secp, int first_line[SEC_COUNT], int file_idx,
                       const char *dir, bool is_include)
{
    rlx_line L = *L0;
    section sec = *secp;
    do {
        if (L.s[L.i] == '[') {
            sec = section_line(P, &L, first_line, is_include);
            continue;
        }
        if (sec == SEC_UNKNOWN)
            continue; /* its header was reported; do not pile up errors for its lines */
        if (sec != SEC_TIMELINE && is_word_here(&L, "include")) {
            size_t save = L.i;
            L.i += 7;
            rlx_line_ws(&L);
            if (L.i < L.n && (L.s[L.i] == '"' || rlx_is_word_byte(L.s[L.i]))) {
                include_line(P, &L, dir);
                continue;
            }
            L.i = save;
        }
        if (sec == SEC_TIMELINE) {
            cue_line(P, &L, dir);
            P->last_cue_failed = L.failed;
            continue;
        }
        if (sec == SEC_NONE) {
            size_t ws, wl = rlx_line_word(&L, &ws);
            rlx_line_ws(&L);
            char wb[64];
            if (wl && L.i < L.n && L.s[L.i] == '=')
                rlx_line_error(&L, ws, "setting '%s' outside a section (put it under a header like [session])",
                               rlx_line_excerpt(&L, ws, wl, wb, sizeof wb));
            else {
                L.i = ws;
                rlx_line_error(&L, ws, "expected a section header like [session], found '%s'",
                               rlx_line_peek_excerpt(&L, wb, sizeof wb));
            }
            continue;
        }
        setting(P, &L, sec, file_idx, dir);
    } while (0);
    *secp = sec;
    L0->failed = L.failed;
}

/* ---- entry points ------------------------------------------------------- */

static void defaults(rlx_session *s)
{
    s->voice_lufs = -18;
    s->tts_pace = 1.15;
    s->voice_normalize = true;
    s->breath = (rlx_breath_pattern){4000, 0, 6000, 0};
    s->breath_pitch_hz = 174;
    s->breath_glide_st = 3;
    s->breath_level_db = -28;
    s->breath_duck_db = 10;
    s->breath_rest_db = 12;
    s->breath_enabled = true;
    s->ambient_level_db = -32;
    s->ambient_duck_db = 6;
    s->chime_level_db = -20;
}

/* A say line without its own `recording` picks up the take `relax record`
 * kept for its words: <session folder>/recordings/<id>/say-<hash>.flac. */
static void discover_recordings(parser *P)
{
    rlx_session *s = P->s;
    char dir[4096], name[32], rel[4200];
    if (!rlx_recording_dir(s, dir, sizeof dir))
        return;
    for (size_t k = 0; k < s->ncues; k++) {
        rlx_cue *c = &s->cues[k];
        if (c->kind != RLX_CUE_SAY || c->file || !c->text)
            continue;
        rlx_recording_name(c->text, name, sizeof name);
        char *full = rlx_lex_join(dir, name);
        if (!full) {
            P->oom = true;
            return;
        }
        if (!rlx_lex_is_regular(full)) {
            free(full);
            continue;
        }
        snprintf(rel, sizeof rel, "%s/%s/%s", RLX_RECORDINGS_DIR, s->id, name);
        c->file = xstrdup(P, rel);
        c->path = full;
    }
}

static void finish(parser *P)
{
    rlx_session *s = P->s;
    const char *main = s->files[0];
    discover_recordings(P);
    if (!s->tts_voice)
        s->tts_voice = xstrdup(P, "slt");
    if (!s->chime_file) {
        s->chime_file = xstrdup(P, "chime.flac");
        if (s->chime_file) {
            char looked[1024], problem[1024];
            s->chime_path = resolve(P, s->chime_file, s->dir, looked, sizeof looked, problem, sizeof problem);
            if (!s->chime_path && P->default_chime_used && check_files(P)) {
                if (problem[0])
                    diag_at(P, &P->default_chime_pos, RLX_DIAG_ERROR,
                            "audio file 'chime.flac' (the default chime) cannot be used: %s", problem);
                else
                    diag_at(P, &P->default_chime_pos, RLX_DIAG_ERROR,
                            "audio file 'chime.flac' (the default chime) not found (looked in %s)", looked);
            }
        }
    }
    const char *missing[2] = {s->id || P->tried[K_ID] ? NULL : "id",
                              s->title || P->tried[K_TITLE] ? NULL : "title"};
    for (int k = 0; k < 2; k++) {
        if (!missing[k])
            continue;
        if (P->have_session_pos)
            diag_at(P, &P->session_pos, RLX_DIAG_ERROR, "missing [session] %s", missing[k]);
        else
            rlx_diags_add(P->diags, RLX_DIAG_ERROR, main, 0, 0, NULL, "missing [session] %s", missing[k]);
    }
    if (!P->have_timeline)
        rlx_diags_add(P->diags, RLX_DIAG_ERROR, main, 0, 0, NULL, "missing [timeline]");
    else if (!P->have_end && !P->last_cue_failed && P->in_block)
        diag_at(P, &P->timeline_pos, RLX_DIAG_ERROR,
                "the timeline has no 'end': the block opened on line %d is never closed, "
                "and 'end' belongs after its '}'", P->block_line);
    else if (!P->have_end && !P->last_cue_failed)
        diag_at(P, &P->timeline_pos, RLX_DIAG_ERROR,
                "the timeline has no 'end' (finish it with a line like '14:00 end')");
    else if (P->in_block)
        diag_at(P, &P->timeline_pos, RLX_DIAG_ERROR,
                "the block opened on line %d is not closed (add '}' before 'end')", P->block_line);

    /* a fade-out that runs past the end (both at absolute times) */
    const rlx_cue *end = NULL;
    for (size_t k = 0; k < s->ncues; k++)
        if (s->cues[k].kind == RLX_CUE_END)
            end = &s->cues[k];
    if (end && !end->relative) {
        for (size_t k = 0; k < s->ncues; k++) {
            const rlx_cue *c = &s->cues[k];
            if (c->kind == RLX_CUE_FADE_OUT && !c->relative && c->time_ms + c->dur_ms > end->time_ms) {
                char a[32], b[32];
                rlx_diags_add(P->diags, RLX_DIAG_WARNING, c->src_file, c->line, c->col, NULL,
                              "fade-out runs until %s, past 'end' at %s",
                              rlx_fmt_ms(c->time_ms + c->dur_ms, a, sizeof a), rlx_fmt_ms(end->time_ms, b, sizeof b));
            }
        }
    }
}

void rlx_session_free(rlx_session *s)
{
    if (!s)
        return;
    free(s->path);
    free(s->dir);
    for (size_t k = 0; k < s->nfiles; k++)
        free(s->files[k]);
    free(s->files);
    free(s->id);
    free(s->title);
    free(s->summary);
    free(s->tts_voice);
    free(s->ambient_file);
    free(s->ambient_path);
    free(s->chime_file);
    free(s->chime_path);
    for (size_t k = 0; k < s->ncues; k++)
        free_cue(&s->cues[k]);
    free(s->cues);
    free(s);
}

static rlx_err parse_main(const char *name, const char *data, size_t len, uint64_t dev, uint64_t ino,
                          const rlx_parse_config *cfg, rlx_session **out, rlx_diags *diags)
{
    *out = NULL;
    rlx_session *s = calloc(1, sizeof *s);
    if (!s)
        return RLX_ERR_NOMEM;
    parser P;
    memset(&P, 0, sizeof P);
    P.s = s;
    P.cfg = cfg;
    P.diags = diags;
    P.stack[0].dev = dev;
    P.stack[0].ino = ino;
    defaults(s);
    s->path = xstrdup(&P, name);
    s->dir = rlx_lex_dirname(name);
    if (!s->dir || !add_file(&P, name) || P.oom) {
        rlx_session_free(s);
        return RLX_ERR_NOMEM;
    }
    size_t errors_before = diags->errors;
    if (len > RLX_LEX_MAX_BYTES) {
        rlx_diags_add(diags, RLX_DIAG_ERROR, name, 0, 0, NULL,
                      "file too large (more than 4 MB; session files are at most 4 MB)");
        rlx_session_free(s);
        return RLX_ERR_IO;
    }
    s->hash = rlx_lex_fnv1a(RLX_FNV_OFFSET, data, len);
    bool foreign = !parse_text(&P, 0, data, len, false);
    if (!P.oom && !foreign)
        finish(&P);   /* (what a foreign file lacks would be noise) */
    if (P.oom) {
        rlx_session_free(s);
        return RLX_ERR_NOMEM;
    }
    if (diags->errors > errors_before) {
        rlx_session_free(s);
        return RLX_ERR_SESSION;
    }
    *out = s;
    return RLX_OK;
}

rlx_err rlx_session_parse_buffer(const char *name, const char *data, size_t len, const rlx_parse_config *cfg,
                                 rlx_session **out, rlx_diags *diags)
{
    return parse_main(name ? name : "<buffer>", data ? data : "", data ? len : 0, 0, 0, cfg, out, diags);
}

rlx_err rlx_session_parse(const char *path, const rlx_parse_config *cfg, rlx_session **out, rlx_diags *diags)
{
    *out = NULL;
    char *data;
    size_t len;
    uint64_t dev, ino;
    rlx_err e = rlx_lex_read_file(path, path, &data, &len, &dev, &ino, diags);
    if (e != RLX_OK)
        return e;
    e = parse_main(path, data, len, dev, ino, cfg, out, diags);
    free(data);
    return e;
}

/* ---- command-line durations --------------------------------------------- */

/* A duration typed on the command line, at most max_ms. */
static bool parse_duration(const char *text, int64_t max_ms, int64_t *ms)
{
    if (!text)
        return false;
    size_t n = strlen(text);
    if (n > 64)
        return false;
    rlx_line L = {.s = (const unsigned char *)text, .n = n};
    rlx_diags scratch = {0};
    L.diags = &scratch;
    rlx_line_ws(&L);
    if (L.i >= L.n)
        return false;
    int64_t v = 0;
    bool ok = false;
    if (memchr(text, ':', n)) {
        ok = absolute_time(&L, &v, max_ms);
    } else {
        double num;
        size_t at, us;
        if (rlx_line_number(&L, &num, &at) == RLX_NUM_OK && num >= 0 && text[at] != '+') {
            size_t ul = rlx_line_unit(&L, &us);
            /* the command line's units: the language's, and the words */
            static const struct {
                const char *name;
                double ms;
            } units[] = {{"ms", 1},         {"s", 1000},         {"sec", 1000},      {"secs", 1000},
                         {"second", 1000},  {"seconds", 1000},   {"m", 60000},       {"min", 60000},
                         {"mins", 60000},   {"minute", 60000},   {"minutes", 60000}, {"h", 3600000},
                         {"hour", 3600000}, {"hours", 3600000}};
            double f = ul == 0 ? 1000 : 0;
            for (size_t k = 0; ul && k < sizeof units / sizeof units[0] && f == 0; k++)
                if (rlx_unit_is(&L, us, ul, units[k].name))
                    f = units[k].ms;
            if (f > 0 && num * f <= (double)max_ms) {
                v = (int64_t)llround(num * f);
                ok = true;
            }
        }
    }
    ok = ok && rlx_line_at_end(&L) && !(L.i < L.n) && v <= max_ms;
    rlx_diags_free(&scratch);
    if (ok)
        *ms = v;
    return ok;
}

bool rlx_parse_duration_ms(const char *text, int64_t *ms)
{
    return parse_duration(text, RLX_LEX_MAX_MS, ms);
}

bool rlx_duration_too_long(const char *text)
{
    int64_t v;
    /* a day of hours is far below the bound: 12 digits of hours still fit */
    return !parse_duration(text, RLX_LEX_MAX_MS, &v) && parse_duration(text, INT64_MAX / 4, &v);
}
