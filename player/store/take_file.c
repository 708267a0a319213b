/* take_file.c - atomic FLAC saves for kept takes. See take_file.h. */
#include "store/take_file.h"

#include "core/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdirs(const char *dir)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
        return ENAMETOOLONG;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0755) && errno != EEXIST)
            return errno;
        *s = '/';
    }
    if (mkdir(p, 0755) && errno != EEXIST)
        return errno;
    return 0;
}

static rlx_err fail(const char *path, int err, char *why, size_t whylen)
{
    snprintf(why, whylen, "cannot write '%s': %s", path,
             err == ENOSPC ? "the disk is full" : strerror(err ? err : EIO));
    return rlx_outfile_classify(err ? err : EIO);
}

static int make_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    return mkdirs(dir);
}

/* The temporary is core/outfile's hidden ".NAME.PID.XXXXXX" beside the
 * take: it never ends in .flac, so nothing that looks for recordings picks
 * it up, and the rename makes the take appear whole or not at all. */
rlx_err rlx_take_save(const char *path, const float *x, size_t frames, int rate,
                      const char *text, char *why, size_t whylen)
{
    int e = make_parent(path);
    if (e)
        return fail(path, e, why, whylen);
    rlx_outfile *o;
    int fd;
    rlx_err err = rlx_outfile_open(path, &o, &fd, why, whylen);
    if (err)
        return err;
    SF_INFO info = {.samplerate = rate, .channels = 1, .format = SF_FORMAT_FLAC | SF_FORMAT_PCM_24};
    SNDFILE *f = sf_open_fd(fd, SFM_WRITE, &info, SF_FALSE);
    if (!f) {
        e = errno;
        rlx_outfile_abandon(o);
        return fail(path, e ? e : EIO, why, whylen);
    }
    if (text)
        sf_set_string(f, SF_STR_COMMENT, text);
    sf_set_string(f, SF_STR_SOFTWARE, "relax record");
    /* clean float input: clip rather than wrap (the take is levelled to -3 dBFS anyway) */
    sf_command(f, SFC_SET_CLIPPING, NULL, SF_TRUE);
    errno = 0;
    sf_count_t w = sf_writef_float(f, x, (sf_count_t)frames);
    e = errno;
    int serr = sf_error(f);
    if (sf_close(f) && !e)
        e = errno ? errno : EIO;
    /* libsndfile may swallow the write error until close: check the size landed */
    struct stat st;
    if (w != (sf_count_t)frames || serr || fstat(fd, &st) || st.st_size == 0) {
        rlx_outfile_abandon(o);
        return fail(path, e ? e : ENOSPC, why, whylen);
    }
    err = rlx_outfile_commit(o, &e);
    return err ? fail(path, e, why, whylen) : RLX_OK;
}

rlx_err rlx_take_text(const char *path, char *buf, size_t len)
{
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f)
        return RLX_ERR_IO;
    const char *c = sf_get_string(f, SF_STR_COMMENT);
    rlx_err r = c ? RLX_OK : RLX_ERR_NOT_FOUND;
    if (len)
        snprintf(buf, len, "%s", c ? c : "");
    sf_close(f);
    return r;
}

rlx_err rlx_file_write_atomic(const char *path, const char *data, size_t len, char *why,
                              size_t whylen)
{
    rlx_outfile *o;
    int fd;
    rlx_err err = rlx_outfile_open(path, &o, &fd, why, whylen);
    if (err)
        return err;
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            rlx_outfile_abandon(o);
            return fail(path, e, why, whylen);
        }
        off += (size_t)w;
    }
    int e = 0;
    err = rlx_outfile_commit(o, &e);
    return err ? fail(path, e, why, whylen) : RLX_OK;
}
