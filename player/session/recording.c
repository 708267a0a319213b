/* recording.c - stable names for recorded lines. See recording.h. */
#include "session/recording.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t rlx_recording_hash(const char *text)
{
    uint64_t h = 14695981039346656037ull;
    bool space = false, started = false;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (isspace(*p)) {
            space = started;
            continue;
        }
        if (space) {
            h = (h ^ ' ') * 1099511628211ull;
            space = false;
        }
        h = (h ^ *p) * 1099511628211ull;
        started = true;
    }
    return h;
}

const char *rlx_recording_name(const char *text, char *buf, size_t len)
{
    snprintf(buf, len, "say-%012llx.flac",
             (unsigned long long)(rlx_recording_hash(text) & 0xffffffffffffull));
    return buf;
}

const char *rlx_recording_dir(const rlx_session *s, char *buf, size_t len)
{
    if (!s->id || !s->dir)
        return NULL;
    int n = snprintf(buf, len, "%s/%s/%s", s->dir, RLX_RECORDINGS_DIR, s->id);
    return n > 0 && (size_t)n < len ? buf : NULL;
}

const char *rlx_recording_path(const rlx_session *s, const char *text, char *buf, size_t len)
{
    char dir[4096], name[32];
    if (!rlx_recording_dir(s, dir, sizeof dir))
        return NULL;
    int n = snprintf(buf, len, "%s/%s", dir, rlx_recording_name(text, name, sizeof name));
    return n > 0 && (size_t)n < len ? buf : NULL;
}

/* Lower-cased words of s, letters and digits only; returns the count. */
static size_t words(const char *s, char w[][32], size_t max)
{
    size_t n = 0, k = 0;
    for (;; s++) {
        unsigned char c = (unsigned char)*s;
        if (c && (isalnum(c) || c >= 0x80)) {
            if (k < 31)
                w[n][k++] = (char)tolower(c);
            continue;
        }
        if (k) {
            w[n][k] = 0;
            k = 0;
            if (++n == max)
                break;
        }
        if (!c)
            break;
    }
    return n;
}

double rlx_recording_similarity(const char *a, const char *b)
{
    static _Thread_local char wa[256][32], wb[256][32];
    size_t na = words(a, wa, 256), nb = words(b, wb, 256);
    if (!na || !nb)
        return 0.0;
    bool used[256] = {false};
    size_t common = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (!used[j] && !strcmp(wa[i], wb[j])) {
                used[j] = true;
                common++;
                break;
            }
    return (double)common / (double)(na > nb ? na : nb);
}
