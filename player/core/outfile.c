/* outfile.c - temporary-and-rename output files (see outfile.h). */
#include "core/outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A temporary whose process cannot be checked (another machine sharing the
 * folder, or the old ".NAME.XXXXXX" naming) is stale after a day: no render
 * takes that long without writing. */
#define STALE_SECONDS (24 * 3600)

struct rlx_outfile {
    int fd;
    char *tmp_path;
    char *out_path;
};

rlx_err rlx_outfile_classify(int e)
{
    return e == ENOSPC || e == EDQUOT ? RLX_ERR_DISK_FULL : e == EFBIG ? RLX_ERR_TOO_LARGE : RLX_ERR_OUTPUT;
}

static void free_outfile(rlx_outfile *o)
{
    free(o->tmp_path);
    free(o->out_path);
    free(o);
}

/* "PID.XXXXXX" or "XXXXXX" after ".NAME.": our naming. Returns the PID (0 for
 * the old naming), -1 when the name is not ours. */
static long our_suffix(const char *rest)
{
    const char *dot = strchr(rest, '.');
    long pid = 0;
    if (dot) {
        char *end;
        pid = strtol(rest, &end, 10);
        if (end != dot || pid <= 0 || dot == rest)
            return -1;
        rest = dot + 1;
    }
    if (strlen(rest) != 6)
        return -1;
    for (const char *p = rest; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return -1;
    return pid;
}

int rlx_outfile_sweep(const char *out_path)
{
    const char *slash = strrchr(out_path, '/');
    const char *base = slash ? slash + 1 : out_path;
    char dir[PATH_MAX];
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", slash == out_path ? 1 : (int)(slash - out_path), out_path);
    else
        snprintf(dir, sizeof dir, ".");
    size_t blen = strlen(base);
    if (!blen)
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    time_t now = time(NULL);
    for (struct dirent *e; (e = readdir(d));) {
        const char *n = e->d_name;
        if (n[0] != '.' || strncmp(n + 1, base, blen) != 0 || n[1 + blen] != '.')
            continue;
        long pid = our_suffix(n + blen + 2);
        if (pid < 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            st.st_uid != geteuid())
            continue;
        bool dead = pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
        bool old = now - st.st_mtime > STALE_SECONDS;
        if ((dead || old) && unlinkat(dirfd(d), n, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

rlx_err rlx_outfile_open(const char *out_path, rlx_outfile **out, int *fd, char *why, size_t whylen)
{
    *out = NULL;
    *fd = -1;
    struct stat st;
    if (stat(out_path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(why, whylen, "%s is a folder", out_path);
        return RLX_ERR_OUTPUT;
    }
    (void)rlx_outfile_sweep(out_path);
    rlx_outfile *o = calloc(1, sizeof *o);
    if (!o)
        return RLX_ERR_NOMEM;
    o->fd = -1;
    o->out_path = strdup(out_path);
    const char *slash = strrchr(out_path, '/');
    size_t dirlen = slash ? (size_t)(slash - out_path) + 1 : 0;
    const char *base = out_path + dirlen;
    o->tmp_path = malloc(dirlen + strlen(base) + 40);
    if (!o->out_path || !o->tmp_path) {
        free_outfile(o);
        return RLX_ERR_NOMEM;
    }
    memcpy(o->tmp_path, out_path, dirlen);
    sprintf(o->tmp_path + dirlen, ".%s.%ld.XXXXXX", base, (long)getpid());
    o->fd = mkstemp(o->tmp_path);
    if (o->fd < 0) {
        int e = errno;
        char dir[PATH_MAX];
        /* the folder without its trailing slash ("/" stays "/") */
        snprintf(dir, sizeof dir, "%.*s", dirlen > 1 ? (int)dirlen - 1 : 1, dirlen ? out_path : ".");
        snprintf(why, whylen, "cannot write %s: folder %s: %s", out_path, dir, strerror(e));
        free_outfile(o);
        return rlx_outfile_classify(e);
    }
    /* mkstemp makes 0600; give the result the usual permissions */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(o->fd, 0666 & ~mask);
    *fd = o->fd;
    *out = o;
    return RLX_OK;
}

rlx_err rlx_outfile_commit(rlx_outfile *o, int *err_no)
{
    int e = 0;
    if (fsync(o->fd) != 0)
        e = errno;
    if (close(o->fd) != 0 && !e)
        e = errno;
    o->fd = -1;
    if (!e && rename(o->tmp_path, o->out_path) != 0)
        e = errno;
    if (e)
        unlink(o->tmp_path);
    if (err_no)
        *err_no = e;
    free_outfile(o);
    return e ? rlx_outfile_classify(e) : RLX_OK;
}

void rlx_outfile_abandon(rlx_outfile *o)
{
    if (!o)
        return;
    if (o->fd >= 0)
        close(o->fd);
    unlink(o->tmp_path);
    free_outfile(o);
}
