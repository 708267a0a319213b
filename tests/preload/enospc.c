/* enospc.c - LD_PRELOAD shim for the disk-full tests: writes to files under
 * $RLX_ENOSPC_DIR succeed until $RLX_ENOSPC_AFTER bytes (default 0) have been
 * written there in this process, then fail with ENOSPC, as a full disk does.
 * Lets the tests fill a "disk" without root or a tmpfs mount. Everything
 * else passes straight through to libc. Test tool only; never linked into relax. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* The tests look this up to make sure the shim is in place. */
int rlx_enospc_loaded = 1;

static long long written;   /* bytes written under the folder so far */

/* How many of `want` bytes to fd may still be written: want if fd is not
 * under the folder (*counted false), else what is left of the budget. */
static size_t budget(int fd, size_t want, bool *counted)
{
    *counted = false;
    const char *dir = getenv("RLX_ENOSPC_DIR");
    if (!dir || !*dir)
        return want;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return want;
    path[n] = 0;
    size_t dl = strlen(dir);
    if (strncmp(path, dir, dl) != 0 || (path[dl] != '/' && path[dl] != 0))
        return want;
    *counted = true;
    const char *after = getenv("RLX_ENOSPC_AFTER");
    long long limit = after ? atoll(after) : 0;
    long long left = limit - written;
    return left <= 0 ? 0 : (size_t)left < want ? (size_t)left : want;
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef int (*pfalloc_fn)(int, off_t, off_t);
typedef int (*falloc_fn)(int, int, off_t, off_t);

/* the libc function this one stands in front of */
#define REAL(name, type)      \
    static type real_##name;  \
    if (!real_##name)         \
        real_##name = (type)dlsym(RTLD_NEXT, #name)

static ssize_t full(void)
{
    errno = ENOSPC;
    return -1;
}

ssize_t write(int fd, const void *buf, size_t count)
{
    REAL(write, write_fn);
    bool counted;
    size_t ok = budget(fd, count, &counted);
    if (count > 0 && ok == 0)
        return full();
    ssize_t r = real_write(fd, buf, ok);   /* a short write, like a disk filling up */
    if (r > 0 && counted)
        written += r;
    return r;
}

static ssize_t counted_pwrite(pwrite_fn real, int fd, const void *buf,
                              size_t count, off_t off)
{
    bool counted;
    size_t ok = budget(fd, count, &counted);
    if (count > 0 && ok == 0)
        return full();
    ssize_t r = real(fd, buf, ok, off);
    if (r > 0 && counted)
        written += r;
    return r;
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t off)
{
    REAL(pwrite, pwrite_fn);
    return counted_pwrite(real_pwrite, fd, buf, count, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t off)
{
    REAL(pwrite64, pwrite_fn);
    return counted_pwrite(real_pwrite64, fd, buf, count, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
    REAL(writev, writev_fn);
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += iov[i].iov_len;
    bool counted;
    if (total > 0 && budget(fd, total, &counted) < total)
        return full();   /* all or nothing: simpler, and still a full disk */
    ssize_t r = real_writev(fd, iov, n);
    if (r > 0 && counted)
        written += r;
    return r;
}

int posix_fallocate(int fd, off_t off, off_t len)
{
    REAL(posix_fallocate, pfalloc_fn);
    bool counted;
    if (len > 0 && budget(fd, (size_t)len, &counted) < (size_t)len)
        return ENOSPC;
    return real_posix_fallocate(fd, off, len);
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
    REAL(fallocate, falloc_fn);
    bool counted;
    if (len > 0 && budget(fd, (size_t)len, &counted) < (size_t)len) {
        errno = ENOSPC;
        return -1;
    }
    return real_fallocate(fd, mode, off, len);
}
