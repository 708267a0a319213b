/* cache.h - internals of the clip cache shared by clip.c and the tests:
 * a fast 64-bit hash, the entry paths, the sidecar and the stat index.
 * The public face (rlx_cache_open, ...) is in clip.h. */
#ifndef RLX_CACHE_H
#define RLX_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "audio/clip.h"

/* Bumped whenever the conversion (decode, mapping, resampler, loudness)
 * changes what a cache entry holds: old entries are then simply not found. */
#define RLX_CLIP_CONVERTER_VERSION 1

/* Streaming 64-bit hash: four independent multiply-rotate lanes over 8-byte
 * words (several GB/s), so hashing a source file or verifying a cached entry
 * costs little next to the 150 ms start-up budget. Not cryptographic. */
typedef struct {
    uint64_t v[4];
    uint8_t buf[32];
    size_t buflen;
    uint64_t total;
    uint64_t seed;
} rlx_hash;

void rlx_hash_init(rlx_hash *h, uint64_t seed);
void rlx_hash_update(rlx_hash *h, const void *data, size_t len);
uint64_t rlx_hash_final(const rlx_hash *h);
uint64_t rlx_hash_bytes(const void *data, size_t len, uint64_t seed);

/* The cached WAV as it was when last checked in full: while its size,
 * mtime, ctime and inode are unchanged, nothing has written to it (any write,
 * truncate, utime or replacement moves ctime, which no user tool can set
 * back), so the full checksum need not be recomputed on every start. */
typedef struct {
    int64_t size, mtime_ns, ctime_ns;
    uint64_t ino;
} rlx_wav_stamp;

/* What a cache entry's sidecar holds. */
typedef struct {
    int64_t frames;
    int rate, channels;
    double loudness_lufs, peak;
    uint64_t checksum;  /* rlx_hash of the float samples as stored (host byte order) */
    rlx_wav_stamp wav;
} rlx_cache_meta;

/* malloc'ed "<dir>/clips/<key>.wav" / ".meta"; NULL when out of memory. */
char *rlx_cache_entry_path(const rlx_cache *c, uint64_t key, const char *ext);

rlx_err rlx_cache_meta_read(const char *path, rlx_cache_meta *m);
/* durable: fsync before the rename (new entries). A stamp update is only a
 * shortcut for the next start, not worth a disk flush. */
rlx_err rlx_cache_meta_write(const char *path, const rlx_cache_meta *m, bool durable);

/* The stat index: (realpath, size, mtime_ns, ctime_ns, inode, device) ->
 * content hash. A miss or a stale entry returns false; the caller then hashes
 * the file. ctime is in the key because mtime can be set back (touch -d) after
 * an in-place rewrite of the same size; ctime cannot. */
typedef struct {
    int64_t size;
    int64_t mtime_ns;
    int64_t ctime_ns;
    uint64_t ino;
    uint64_t dev;
} rlx_file_stamp;

bool rlx_cache_index_get(const rlx_cache *c, const char *realpath,
                         const rlx_file_stamp *st, uint64_t *content);
void rlx_cache_index_put(const rlx_cache *c, const char *realpath,
                         const rlx_file_stamp *st, uint64_t content);

/* The cancel flag given to rlx_cache_set_cancel is set. */
bool rlx_cache_cancelled(const rlx_cache *c);

/* Number of full checksum checks of cached WAVs in this process (tests). */
unsigned long rlx_cache_full_checks(void);

/* Writes data to path through a unique temporary file and a rename (with
 * fsync of the file and its folder when durable). */
rlx_err rlx_write_atomic(const char *path, const void *data, size_t len, bool durable);
/* Batches (rlx_clip_prepare_batch): while on, new entries are not fsync'ed
 * one by one; rlx_cache_sync then flushes the file system once. An entry
 * torn by a crash in between is still caught: a new entry's first lookup
 * checks its samples against the sidecar's checksum. */
void rlx_cache_defer_sync(rlx_cache *c, bool on);
bool rlx_cache_sync_deferred(const rlx_cache *c);
void rlx_cache_sync(const rlx_cache *c);

/* A unique temporary file name next to path (malloc'ed) and its open fd. */
rlx_err rlx_tmp_create(const char *path, char **tmp, int *fd);
/* fsync the folder holding path, so a rename survives a crash. */
void rlx_fsync_dir_of(const char *path);

#endif
