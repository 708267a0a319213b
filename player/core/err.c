#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const messages[RLX_ERR_COUNT] = {
    [RLX_OK] = "no error",
    [RLX_ERR_NOMEM] = "out of memory",
    [RLX_ERR_USAGE] = "invalid usage",
    [RLX_ERR_IO] = "cannot read file",
    [RLX_ERR_SESSION] = "invalid session file",
    [RLX_ERR_NOT_FOUND] = "not found",
    [RLX_ERR_AUDIO_FILE] = "audio file missing, truncated or corrupt",
    [RLX_ERR_AUDIO_FORMAT] = "unsupported audio format",
    [RLX_ERR_LENGTH] = "requested length out of range",
    [RLX_ERR_TTS] = "text-to-speech failed",
    [RLX_ERR_CACHE] = "cache entry damaged",
    [RLX_ERR_OUTPUT] = "cannot write output",
    [RLX_ERR_DISK_FULL] = "no space left on device",
    [RLX_ERR_TOO_LARGE] = "file too large for the file system or the file size limit",
    [RLX_ERR_NO_DEVICE] = "no audio output device",
    [RLX_ERR_DEVICE_LOST] = "audio device lost",
    [RLX_ERR_STORE] = "progress store unavailable",
    [RLX_ERR_STORE_CORRUPT] = "progress store is corrupt",
    [RLX_ERR_STORE_LOCKED] = "progress store is locked",
    [RLX_ERR_INTERRUPTED] = "interrupted",
    [RLX_ERR_INTERNAL] = "internal error",
};

const char *rlx_strerror(rlx_err err)
{
    if ((int)err < 0 || err >= RLX_ERR_COUNT || !messages[err])
        return "unknown error";
    return messages[err];
}

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (p)
        memcpy(p, s, n + 1);
    return p;
}

void rlx_diags_vadd(rlx_diags *d, rlx_diag_severity sev, const char *file,
                    int line, int col, const char *source, const char *fmt, va_list ap)
{
    if (sev == RLX_DIAG_ERROR)
        d->errors++;
    else if (sev == RLX_DIAG_WARNING)
        d->warnings++;
    if (d->count >= RLX_DIAGS_MAX)
        return;
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        rlx_diag *items = realloc(d->items, cap * sizeof *items);
        if (!items)
            return;
        d->items = items;
        d->cap = cap;
    }
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    rlx_diag *g = &d->items[d->count];
    g->severity = sev;
    g->file = dup_or_null(file);
    g->line = line;
    g->col = col;
    g->message = dup_or_null(buf);
    g->source = dup_or_null(source);
    if (!g->message) {
        free(g->file);
        free(g->source);
        return;
    }
    d->count++;
}

void rlx_diags_add(rlx_diags *d, rlx_diag_severity sev, const char *file,
                   int line, int col, const char *source, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rlx_diags_vadd(d, sev, file, line, col, source, fmt, ap);
    va_end(ap);
}

static void free_items(rlx_diags *d, size_t from)
{
    for (size_t i = from; i < d->count; i++) {
        free(d->items[i].file);
        free(d->items[i].message);
        free(d->items[i].source);
    }
}

void rlx_diags_free(rlx_diags *d)
{
    if (!d)
        return;
    free_items(d, 0);
    free(d->items);
    memset(d, 0, sizeof *d);
}

rlx_diags_mark rlx_diags_here(const rlx_diags *d)
{
    return (rlx_diags_mark){.count = d->count, .errors = d->errors, .warnings = d->warnings};
}

void rlx_diags_rewind(rlx_diags *d, rlx_diags_mark m)
{
    if (m.count > d->count)
        return;   /* not a mark of this list as it is */
    free_items(d, m.count);
    d->count = m.count;
    d->errors = m.errors;
    d->warnings = m.warnings;
}

void rlx_why(char *why, size_t whylen, const char *fmt, ...)
{
    if (!why || !whylen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
}
