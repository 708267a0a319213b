/* err.h - error codes and compiler-style diagnostics.
 * Library code never prints or exits: it returns an rlx_err and, where a
 * position in a file is known, appends an rlx_diag. Only the CLI prints. */
#ifndef RLX_ERR_H
#define RLX_ERR_H

#include <stdarg.h>
#include <stddef.h>

typedef enum {
    RLX_OK = 0,
    RLX_ERR_NOMEM,        /* out of memory */
    RLX_ERR_USAGE,        /* bad argument from the caller / command line */
    RLX_ERR_IO,           /* cannot read a file or folder */
    RLX_ERR_SESSION,      /* session or program file invalid (see diagnostics) */
    RLX_ERR_NOT_FOUND,    /* session id / profile / file not found */
    RLX_ERR_AUDIO_FILE,   /* audio file missing, truncated or corrupt */
    RLX_ERR_AUDIO_FORMAT, /* audio file in a format libsndfile cannot decode */
    RLX_ERR_LENGTH,       /* requested length outside natural..longest */
    RLX_ERR_TTS,          /* text-to-speech failed */
    RLX_ERR_CACHE,        /* cache entry damaged (callers rebuild it) */
    RLX_ERR_OUTPUT,       /* cannot write the output file or folder */
    RLX_ERR_DISK_FULL,    /* no space left while writing */
    RLX_ERR_TOO_LARGE,    /* a file grew past the file system's or the process's size limit (EFBIG) */
    RLX_ERR_NO_DEVICE,    /* no usable audio output device */
    RLX_ERR_DEVICE_LOST,  /* the device stopped working during playback */
    RLX_ERR_STORE,        /* progress store cannot be opened or written */
    RLX_ERR_STORE_CORRUPT,/* progress store file is not a valid database */
    RLX_ERR_STORE_LOCKED, /* progress store is locked by another process */
    RLX_ERR_INTERRUPTED,  /* stopped by a signal */
    RLX_ERR_INTERNAL,     /* a bug: should never happen */
    RLX_ERR_COUNT
} rlx_err;

/* Static, never NULL, also for out-of-range values. */
const char *rlx_strerror(rlx_err err);

typedef enum { RLX_DIAG_ERROR, RLX_DIAG_WARNING, RLX_DIAG_NOTE } rlx_diag_severity;

typedef struct {
    rlx_diag_severity severity;
    char *file;     /* path as given, may be NULL */
    int line, col;  /* 1-based; 0 when unknown */
    char *message;  /* one line, no trailing newline */
    char *source;   /* the offending source line (sanitised), may be NULL */
} rlx_diag;

/* A growable list of diagnostics. Zero-initialise, free with rlx_diags_free. */
typedef struct {
    rlx_diag *items;
    size_t count, cap;
    size_t errors, warnings;
} rlx_diags;

/* Appends a diagnostic; source may be NULL. Silently drops it when out of
 * memory or when more than RLX_DIAGS_MAX are stored (counts still grow). */
#define RLX_DIAGS_MAX 200
void rlx_diags_add(rlx_diags *d, rlx_diag_severity sev, const char *file,
                   int line, int col, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
void rlx_diags_vadd(rlx_diags *d, rlx_diag_severity sev, const char *file,
                    int line, int col, const char *source, const char *fmt, va_list ap)
    __attribute__((format(printf, 7, 0)));
void rlx_diags_free(rlx_diags *d);

/* A place in a list, to take back what was added after it (a parser that
 * replaces a file's errors with one that sums them up). */
typedef struct {
    size_t count, errors, warnings;
} rlx_diags_mark;
rlx_diags_mark rlx_diags_here(const rlx_diags *d);
void rlx_diags_rewind(rlx_diags *d, rlx_diags_mark m);

/* The other half of the convention: a one-line reason formatted into a
 * caller's why buffer (why may be NULL or whylen 0: nothing is written). */
void rlx_why(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
