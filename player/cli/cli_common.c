/* cli_common.c - printing, paths and session lookup shared by the commands. */
#include "cli.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


int rlx_cli_exit_code(rlx_err err)
{
    switch (err) {
    case RLX_OK: return RLX_EXIT_OK;
    case RLX_ERR_USAGE:
    case RLX_ERR_LENGTH: return RLX_EXIT_USAGE;
    case RLX_ERR_IO:
    case RLX_ERR_SESSION:
    case RLX_ERR_NOT_FOUND: return RLX_EXIT_SESSION;
    case RLX_ERR_AUDIO_FILE:
    case RLX_ERR_AUDIO_FORMAT:
    case RLX_ERR_TTS: return RLX_EXIT_AUDIO;
    case RLX_ERR_OUTPUT:
    case RLX_ERR_DISK_FULL:
    case RLX_ERR_TOO_LARGE: return RLX_EXIT_OUTPUT;
    case RLX_ERR_NO_DEVICE: return RLX_EXIT_NO_DEVICE;
    case RLX_ERR_DEVICE_LOST: return RLX_EXIT_DEVICE_LOST;
    case RLX_ERR_STORE:
    case RLX_ERR_STORE_CORRUPT:
    case RLX_ERR_STORE_LOCKED: return RLX_EXIT_STORE;
    case RLX_ERR_INTERRUPTED: return RLX_EXIT_INTERRUPTED;
    default: return RLX_EXIT_INTERNAL;
    }
}

void rlx_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("relax: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

bool rlx_cli_is_tty(int fd)
{
    const char *term = getenv("TERM");
    return isatty(fd) && !(term && !strcmp(term, "dumb"));
}

void rlx_cli_print_diags(FILE *f, const rlx_diags *d)
{
    static const char *const sev[] = {"error", "warning", "note"};
    /* colour only on a terminal; the plain format is what tools and tests read */
    bool colour = f == stderr && rlx_cli_is_tty(STDERR_FILENO) && !getenv("NO_COLOR");
    static const char *const sev_colour[] = {"\033[1;31m", "\033[1;35m", "\033[1;36m"};
    const char *bold = colour ? "\033[1m" : "", *reset = colour ? "\033[0m" : "";
    for (size_t i = 0; i < d->count; i++) {
        const rlx_diag *g = &d->items[i];
        unsigned sv = (unsigned)g->severity < 3 ? (unsigned)g->severity : 0;
        if (g->file && g->line > 0)
            fprintf(f, "%s%s:%d:%d:%s ", bold, g->file, g->line, g->col > 0 ? g->col : 1, reset);
        else if (g->file)
            fprintf(f, "%s%s:%s ", bold, g->file, reset);
        else
            fputs("relax: ", f);   /* like every other message of ours */
        fprintf(f, "%s%s:%s %s\n", colour ? sev_colour[sv] : "", sev[sv], reset, g->message);
        if (g->source) {
            fprintf(f, "  %s\n  ", g->source);
            /* the caret lines up under column col (sources are printable ASCII-sanitised) */
            size_t srclen = strlen(g->source);
            for (int c = 1; c < g->col && (size_t)c <= srclen; c++)
                fputc(g->source[c - 1] == '\t' ? '\t' : ' ', f);
            fprintf(f, "%s^%s\n", colour ? "\033[1;32m" : "", reset);
        }
    }
    size_t shown_e = 0, shown_w = 0;
    for (size_t i = 0; i < d->count; i++) {
        shown_e += d->items[i].severity == RLX_DIAG_ERROR;
        shown_w += d->items[i].severity == RLX_DIAG_WARNING;
    }
    if (d->errors > shown_e || d->warnings > shown_w)
        fprintf(f, "(%zu more errors and %zu more warnings not shown)\n",
                d->errors - shown_e, d->warnings - shown_w);
}

const char *rlx_cli_fmt_time(long long ms, char *buf, size_t len)
{
    if (ms < 0)
        ms = 0;
    long long s = ms / 1000;
    if (s >= 3600)
        snprintf(buf, len, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, len, "%lld:%02lld", s / 60, s % 60);
    return buf;
}

void rlx_cli_fmt_lengths(int64_t shortest, int64_t natural, int64_t longest, char *lo, char *nat, char *hi)
{
    int64_t l = (shortest + 999) / 1000 * 1000, h = longest / 1000 * 1000;
    if (l > h) {   /* less than a second of range: as it is */
        l = shortest;
        h = longest;
    }
    int64_t n = natural / 1000 * 1000;   /* as the player and render show it */
    n = n < l ? l : n > h ? h : n;
    rlx_cli_fmt_time(l, lo, 32);
    rlx_cli_fmt_time(n, nat, 32);
    rlx_cli_fmt_time(h, hi, 32);
}

static rlx_cli_parsed_hook parsed_hook;

void rlx_cli_set_parsed_hook(rlx_cli_parsed_hook hook)
{
    parsed_hook = hook;
}

int rlx_cli_parsed(const char *command)
{
    return parsed_hook ? parsed_hook(command) : 0;
}

const char *rlx_cli_shell_word(const char *w, char *buf, size_t len)
{
    if (w[0] && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-/+:@=,") == strlen(w))
        return w;
    size_t o = 0;
    if (len < 3)
        return "''";
    buf[o++] = '\'';
    for (; *w && o + 6 < len; w++) {
        if (*w == '\'') {
            memcpy(buf + o, "'\\''", 4);
            o += 4;
        } else {
            buf[o++] = *w;
        }
    }
    buf[o++] = '\'';
    buf[o] = 0;
    return buf;
}
