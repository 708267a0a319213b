/* cache.c - the clip cache folder: location, hashing, sidecars, stat index.
 *
 * Layout of the cache folder:
 *   clips/<key>.wav    float WAV at the output rate (1 or 2 channels)
 *   clips/<key>.meta   sidecar: frames, rate, channels, loudness, peak, checksum
 *   index/<hash>       one line per source file: stat stamp -> content hash
 * Every file is written to a temporary name, fsync'ed and renamed, so a crash
 * or a concurrent writer never leaves a half-written entry under its name. */
#define _GNU_SOURCE   /* syncfs */
#include "audio/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct rlx_cache {
    char *dir;
    char *clips;
    char *index;
    const volatile sig_atomic_t *cancel;  /* may be NULL */
    const char *loose;                    /* a folder group/other may write, or NULL */
    bool deferred_sync;  /* in a batch: one syncfs at its end, not fsyncs per entry */
};

const char *rlx_cache_loose_folder(const rlx_cache *c)
{
    return c ? c->loose : NULL;
}

void rlx_cache_set_cancel(rlx_cache *c, const volatile sig_atomic_t *cancel)
{
    if (c)
        c->cancel = cancel;
}

bool rlx_cache_cancelled(const rlx_cache *c)
{
    return c && c->cancel && *c->cancel;
}

/* ---- hash ------------------------------------------------------------- */

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL

static uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;  /* host order: hashes are compared on the same machine only */
}

static uint64_t lane(uint64_t acc, uint64_t w)
{
    acc += w * P2;
    acc = rotl64(acc, 31);
    return acc * P1;
}

static uint64_t avalanche(uint64_t h)
{
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

void rlx_hash_init(rlx_hash *h, uint64_t seed)
{
    memset(h, 0, sizeof *h);
    h->seed = seed;
    h->v[0] = seed + P1 + P2;
    h->v[1] = seed + P2;
    h->v[2] = seed;
    h->v[3] = seed - P1;
}

static void stripe(rlx_hash *h, const uint8_t *p)
{
    h->v[0] = lane(h->v[0], load64(p));
    h->v[1] = lane(h->v[1], load64(p + 8));
    h->v[2] = lane(h->v[2], load64(p + 16));
    h->v[3] = lane(h->v[3], load64(p + 24));
}

void rlx_hash_update(rlx_hash *h, const void *data, size_t len)
{
    const uint8_t *p = data;
    h->total += len;
    if (h->buflen) {
        size_t take = 32 - h->buflen;
        if (take > len)
            take = len;
        memcpy(h->buf + h->buflen, p, take);
        h->buflen += take;
        p += take;
        len -= take;
        if (h->buflen < 32)
            return;
        stripe(h, h->buf);
        h->buflen = 0;
    }
    while (len >= 32) {
        stripe(h, p);
        p += 32;
        len -= 32;
    }
    if (len) {
        memcpy(h->buf, p, len);
        h->buflen = len;
    }
}

uint64_t rlx_hash_final(const rlx_hash *h)
{
    uint64_t acc = rotl64(h->v[0], 1) + rotl64(h->v[1], 7) + rotl64(h->v[2], 12) +
                   rotl64(h->v[3], 18);
    for (int i = 0; i < 4; i++)
        acc = (acc ^ lane(0, h->v[i])) * P1 + P4;
    acc += h->total;
    /* The tail (< 32 bytes) byte by byte, FNV-1a style, then a final mix. */
    for (size_t i = 0; i < h->buflen; i++) {
        acc ^= h->buf[i];
        acc *= 0x100000001B3ULL;
        acc = rotl64(acc, 11);
    }
    return avalanche(acc ^ h->seed);
}

uint64_t rlx_hash_bytes(const void *data, size_t len, uint64_t seed)
{
    rlx_hash h;
    rlx_hash_init(&h, seed);
    rlx_hash_update(&h, data, len);
    return rlx_hash_final(&h);
}

/* ---- files ------------------------------------------------------------ */

static char *join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *p = malloc(na + nb + 2);
    if (!p)
        return NULL;
    memcpy(p, a, na);
    p[na] = '/';
    memcpy(p + na + 1, b, nb + 1);
    return p;
}

/* Creates path and its parents (0700). On failure *bad is the folder that
 * could not be made or used, and errno says why. */
static rlx_err mkdir_p(const char *path, char **bad)
{
    char *p = strdup(path);
    if (!p)
        return RLX_ERR_NOMEM;
    rlx_err err = RLX_OK;
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == 0) {
            char c = *s;
            *s = 0;
            if (mkdir(p, 0700) != 0 && errno != EEXIST) {
                err = RLX_ERR_OUTPUT;
                break;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    if (err == RLX_OK) {
        struct stat st;
        int e = 0;
        if (stat(path, &st) != 0)
            e = errno;
        else if (!S_ISDIR(st.st_mode))
            e = ENOTDIR;
        else if (access(path, W_OK | X_OK) != 0)
            e = errno;
        if (e) {
            errno = e;
            err = RLX_ERR_OUTPUT;
        }
    }
    if (err == RLX_OK)
        free(p);
    else
        *bad = p;   /* cut at the failing component by the loop, else the whole path */
    return err;
}

/* Temporary files left by a run that crashed or was killed mid-write: remove
 * those over an hour old (a live writer touches its file all the time). */
#define STALE_TMP_SECONDS 3600

static void sweep_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    time_t now = time(NULL);
    for (struct dirent *e; (e = readdir(d));) {
        if (!strstr(e->d_name, ".tmp."))
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            now - st.st_mtime > STALE_TMP_SECONDS)
            (void)unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

rlx_err rlx_cache_open(const char *dir, rlx_cache **out, char *why, size_t whylen)
{
    *out = NULL;
    if (why && whylen)
        why[0] = 0;
    char *base = NULL;
    if (dir && *dir) {
        base = strdup(dir);
    } else {
        const char *xdg = getenv("XDG_CACHE_HOME");
        if (xdg && xdg[0] == '/') {  /* the XDG spec ignores relative values */
            base = join(xdg, "relax");
        } else {
            const char *home = getenv("HOME");
            if (!home || !*home) {
                if (why)
                    snprintf(why, whylen, "no place for the cache folder: set HOME or XDG_CACHE_HOME");
                return RLX_ERR_OUTPUT;
            }
            char *c = join(home, ".cache");
            if (!c)
                return RLX_ERR_NOMEM;
            base = join(c, "relax");
            free(c);
        }
    }
    if (!base)
        return RLX_ERR_NOMEM;
    rlx_cache *c = calloc(1, sizeof *c);
    if (!c) {
        free(base);
        return RLX_ERR_NOMEM;
    }
    c->dir = base;
    c->clips = join(base, "clips");
    c->index = join(base, "index");
    if (!c->clips || !c->index) {
        rlx_cache_close(c);
        return RLX_ERR_NOMEM;
    }
    char *bad = NULL;
    rlx_err err = mkdir_p(c->clips, &bad);
    if (!err)
        err = mkdir_p(c->index, &bad);
    if (err) {
        int e = errno;
        struct stat st;
        /* ENOTDIR: name the file that stands where a folder should be */
        for (char *slash; e == ENOTDIR && bad && stat(bad, &st) != 0 && (slash = strrchr(bad, '/'));)
            *slash = 0;
        if (bad && why)
            snprintf(why, whylen, "cannot use the cache folder %s: %s %s; make it a writable folder "
                     "or set XDG_CACHE_HOME to one", c->dir, bad,
                     e == ENOTDIR ? "is a file, not a folder" : strerror(e));
        free(bad);
        rlx_cache_close(c);
        return err;
    }
    /* Whoever may write here decides what is played: say so. */
    const char *const folders[] = {c->dir, c->clips, c->index};
    for (size_t i = 0; i < 3 && !c->loose; i++) {
        struct stat st;
        if (lstat(folders[i], &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & (S_IWGRP | S_IWOTH)))
            c->loose = folders[i];
    }
    sweep_tmp(c->clips);
    sweep_tmp(c->index);
    *out = c;
    return RLX_OK;
}

void rlx_cache_close(rlx_cache *c)
{
    if (!c)
        return;
    free(c->dir);
    free(c->clips);
    free(c->index);
    free(c);
}

const char *rlx_cache_dir(const rlx_cache *c)
{
    return c->dir;
}

void rlx_cache_defer_sync(rlx_cache *c, bool on)
{
    c->deferred_sync = on;
}

bool rlx_cache_sync_deferred(const rlx_cache *c)
{
    return c->deferred_sync;
}

void rlx_cache_sync(const rlx_cache *c)
{
    int fd = open(c->clips, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
#ifdef __linux__
    (void)syncfs(fd);
#else
    sync();
#endif
    close(fd);
}

char *rlx_cache_entry_path(const rlx_cache *c, uint64_t key, const char *ext)
{
    char name[64];
    snprintf(name, sizeof name, "%016" PRIx64 ".%s", key, ext);
    return join(c->clips, name);
}

rlx_err rlx_tmp_create(const char *path, char **tmp, int *fd)
{
    size_t n = strlen(path) + 64;
    char *t = malloc(n);
    if (!t)
        return RLX_ERR_NOMEM;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t salt = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)(uintptr_t)t;
    for (int attempt = 0; attempt < 100; attempt++) {
        salt = avalanche(salt + (uint64_t)attempt + P4);
        snprintf(t, n, "%s.tmp.%ld.%08" PRIx64, path, (long)getpid(), salt & 0xffffffffu);
        int f = open(t, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (f >= 0) {
            *tmp = t;
            *fd = f;
            return RLX_OK;
        }
        if (errno != EEXIST)
            break;
    }
    rlx_err err = errno == ENOSPC ? RLX_ERR_DISK_FULL : RLX_ERR_IO;
    free(t);
    return err;
}

void rlx_fsync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return;
    char *d = strndup(path, (size_t)(slash - path));
    if (!d)
        return;
    int fd = open(d[0] ? d : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(d);
}

rlx_err rlx_write_atomic(const char *path, const void *data, size_t len, bool durable)
{
    char *tmp;
    int fd;
    rlx_err err = rlx_tmp_create(path, &tmp, &fd);
    if (err)
        return err;
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            err = errno == ENOSPC ? RLX_ERR_DISK_FULL : RLX_ERR_IO;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (!err && durable && fsync(fd) != 0)
        err = errno == ENOSPC ? RLX_ERR_DISK_FULL : RLX_ERR_IO;
    if (close(fd) != 0 && !err)
        err = RLX_ERR_IO;
    if (!err && rename(tmp, path) != 0)
        err = RLX_ERR_IO;
    if (err)
        unlink(tmp);
    else if (durable)
        rlx_fsync_dir_of(path);
    free(tmp);
    return err;
}

/* ---- sidecar ------------------------------------------------------------ */

#define META_MAGIC "relax-clip"

static uint64_t meta_sum(const rlx_cache_meta *m)
{
    char buf[384];
    int n = snprintf(buf, sizeof buf,
                     "%" PRId64 " %d %d %.17g %.17g %016" PRIx64 " %" PRId64 " %" PRId64 " %" PRId64
                     " %" PRIu64,
                     m->frames, m->rate, m->channels, m->loudness_lufs, m->peak, m->checksum,
                     m->wav.size, m->wav.mtime_ns, m->wav.ctime_ns, m->wav.ino);
    return rlx_hash_bytes(buf, (size_t)n, 0x6d657461);
}

/* The sidecar's exact text; reading re-formats and compares, so any changed
 * byte is caught, on top of the sum over the values. */
static int meta_format(char *buf, size_t cap, const rlx_cache_meta *m)
{
    return snprintf(buf, cap,
                    META_MAGIC " %d\nframes %" PRId64 "\nrate %d\nchannels %d\n"
                    "loudness %.17g\npeak %.17g\nchecksum %016" PRIx64 "\n"
                    "wav %" PRId64 " %" PRId64 " %" PRId64 " %" PRIu64 "\nsum %016" PRIx64 "\n",
                    RLX_CLIP_CONVERTER_VERSION, m->frames, m->rate, m->channels,
                    m->loudness_lufs, m->peak, m->checksum, m->wav.size, m->wav.mtime_ns,
                    m->wav.ctime_ns, m->wav.ino, meta_sum(m));
}

rlx_err rlx_cache_meta_write(const char *path, const rlx_cache_meta *m, bool durable)
{
    char buf[640];
    int n = meta_format(buf, sizeof buf, m);
    if (n < 0 || (size_t)n >= sizeof buf)
        return RLX_ERR_INTERNAL;
    return rlx_write_atomic(path, buf, (size_t)n, durable);
}

rlx_err rlx_cache_meta_read(const char *path, rlx_cache_meta *m)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return RLX_ERR_CACHE;
    char buf[700];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    int version = 0;
    uint64_t sum = 0;
    memset(m, 0, sizeof *m);
    int got = sscanf(buf,
                     META_MAGIC " %d\nframes %" SCNd64 "\nrate %d\nchannels %d\n"
                     "loudness %lf\npeak %lf\nchecksum %" SCNx64 "\n"
                     "wav %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNu64 "\nsum %" SCNx64,
                     &version, &m->frames, &m->rate, &m->channels, &m->loudness_lufs,
                     &m->peak, &m->checksum, &m->wav.size, &m->wav.mtime_ns, &m->wav.ctime_ns,
                     &m->wav.ino, &sum);
    if (got != 12 || version != RLX_CLIP_CONVERTER_VERSION || sum != meta_sum(m) ||
        m->frames <= 0 || m->rate <= 0 || (m->channels != 1 && m->channels != 2))
        return RLX_ERR_CACHE;
    char canon[640];
    int cn = meta_format(canon, sizeof canon, m);
    if (cn < 0 || (size_t)cn != n || memcmp(canon, buf, n) != 0)
        return RLX_ERR_CACHE;
    return RLX_OK;
}

/* ---- stat index ----------------------------------------------------------- */

static char *index_path(const rlx_cache *c, const char *realpath)
{
    char name[32];
    snprintf(name, sizeof name, "%016" PRIx64, rlx_hash_bytes(realpath, strlen(realpath), 0x696478));
    return join(c->index, name);
}

bool rlx_cache_index_get(const rlx_cache *c, const char *realpath,
                         const rlx_file_stamp *st, uint64_t *content)
{
    char *ip = index_path(c, realpath);
    if (!ip)
        return false;
    FILE *f = fopen(ip, "re");
    free(ip);
    if (!f)
        return false;
    /* "i2 <size> <mtime_ns> <ctime_ns> <ino> <dev> <content>\n<realpath>\n"
     * (older lines without "i2" are misses: the file is hashed again) */
    char line[PATH_MAX + 256];
    bool ok = false;
    rlx_file_stamp s;
    uint64_t h;
    if (fgets(line, sizeof line, f) &&
        sscanf(line, "i2 %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNu64 " %" SCNu64 " %" SCNx64, &s.size,
               &s.mtime_ns, &s.ctime_ns, &s.ino, &s.dev, &h) == 6 &&
        fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n')
            line[--n] = 0;
        ok = strcmp(line, realpath) == 0 && s.size == st->size && s.mtime_ns == st->mtime_ns &&
             s.ctime_ns == st->ctime_ns && s.ino == st->ino && s.dev == st->dev;
    }
    fclose(f);
    if (ok)
        *content = h;
    return ok;
}

void rlx_cache_index_put(const rlx_cache *c, const char *realpath,
                         const rlx_file_stamp *st, uint64_t content)
{
    if (strchr(realpath, '\n'))
        return;
    char *ip = index_path(c, realpath);
    if (!ip)
        return;
    size_t cap = strlen(realpath) + 256;
    char *buf = malloc(cap);
    if (buf) {
        int n = snprintf(buf, cap, "i2 %" PRId64 " %" PRId64 " %" PRId64 " %" PRIu64 " %" PRIu64 " %016" PRIx64 "\n%s\n",
                         st->size, st->mtime_ns, st->ctime_ns, st->ino, st->dev, content, realpath);
        if (n > 0 && (size_t)n < cap)
            (void)rlx_write_atomic(ip, buf, (size_t)n, false);  /* a miss only costs a hash */
        free(buf);
    }
    free(ip);
}
