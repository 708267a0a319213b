/* take_file.c - atomic FLAC saves for kept takes. See take_file.h. */
#include "store/take_file.h"

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

/* Temp name beside the target, hidden and without the .flac ending so
 * nothing that looks for recordings ever picks it up. */
static int temp_path(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    int dl = slash ? (int)(slash - path + 1) : 0;
    return snprintf(buf, len, "%.*s.%s.tmp-%ld", dl, path, slash ? slash + 1 : path, (long)getpid());
}

static void sync_dir_of(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    int fd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static rlx_err fail(const char *path, int err, char *why, size_t whylen)
{
    snprintf(why, whylen, "cannot write '%s': %s", path,
             err == ENOSPC ? "the disk is full" : strerror(err ? err : EIO));
    return err == ENOSPC || err == EDQUOT ? RLX_ERR_DISK_FULL : RLX_ERR_OUTPUT;
}

static rlx_err finish_temp(const char *tmp, const char *path, char *why, size_t whylen)
{
    int fd = open(tmp, O_RDONLY);
    if (fd < 0 || fsync(fd)) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        return fail(path, e, why, whylen);
    }
    close(fd);
    if (rename(tmp, path)) {
        int e = errno;
        unlink(tmp);
        return fail(path, e, why, whylen);
    }
    sync_dir_of(path);
    return RLX_OK;
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

rlx_err rlx_take_save(const char *path, const float *x, size_t frames, int rate,
                      const char *text, char *why, size_t whylen)
{
    int e = make_parent(path);
    if (e)
        return fail(path, e, why, whylen);
    char tmp[4200];
    if (temp_path(path, tmp, sizeof tmp) >= (int)sizeof tmp)
        return fail(path, ENAMETOOLONG, why, whylen);
    SF_INFO info = {.samplerate = rate, .channels = 1, .format = SF_FORMAT_FLAC | SF_FORMAT_PCM_24};
    SNDFILE *f = sf_open(tmp, SFM_WRITE, &info);
    if (!f) {
        e = errno;
        unlink(tmp);
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
    if (w != (sf_count_t)frames || serr) {
        unlink(tmp);
        return fail(path, e ? e : EIO, why, whylen);
    }
    /* libsndfile may swallow the write error until close: check the size landed */
    struct stat st;
    if (stat(tmp, &st) || st.st_size == 0) {
        unlink(tmp);
        return fail(path, e ? e : ENOSPC, why, whylen);
    }
    return finish_temp(tmp, path, why, whylen);
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
    char tmp[4200];
    if (temp_path(path, tmp, sizeof tmp) >= (int)sizeof tmp)
        return fail(path, ENAMETOOLONG, why, whylen);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail(path, errno, why, whylen);
    int e = 0;
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            e = w < 0 ? errno : ENOSPC;
            break;
        }
        off += (size_t)w;
    }
    if (close(fd) && !e)
        e = errno;
    if (e) {
        unlink(tmp);
        return fail(path, e, why, whylen);
    }
    return finish_temp(tmp, path, why, whylen);
}
