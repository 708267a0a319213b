/* fuzz_store.c - libFuzzer target: any bytes as a progress store file (a
 * mutated SQLite database, any schema version), used through the store's
 * public interface the way relax does: open (check, migrate), read the
 * profiles and the listens, make a profile, write a listen and its mix,
 * close. Every step succeeds or fails with one line naming the file; a
 * failed open leaves the file byte for byte as it was; a failed write leaves
 * the listens as they were; what was written reads back. The seeds (stores of
 * every schema version) come from make_store_seeds.py. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s\n", #c); abort(); } } while (0)

static char folder[256], path[300], wal[310], shm[310];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    /* every execution writes a database and SQLite syncs it: tmpfs unless
     * TMPDIR says otherwise (on a disk this target waits for fdatasync and
     * runs at a tenth of the speed) */
    const char *tmp = getenv("TMPDIR");
    if (!tmp)
        tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(folder, sizeof folder, "%s/relax-fuzz-XXXXXX", tmp);
    if (!mkdtemp(folder))
        abort();
    snprintf(path, sizeof path, "%s/progress.db", folder);
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    return 0;
}

/* A message for the user: one line, naming the store. */
static void check_why(const char *why)
{
    CHECK(why[0] && !strchr(why, '\n') && strstr(why, path));
}

static uint8_t *slurp(size_t *n)
{
    FILE *f = fopen(path, "rb");
    CHECK(f);
    size_t cap = 8192, len = 0;
    uint8_t *b = malloc(cap);
    for (size_t got; (got = fread(b + len, 1, cap - len, f)) > 0;) {
        len += got;
        if (len == cap)
            b = realloc(b, cap *= 2);
    }
    fclose(f);
    *n = len;
    return b;
}

static size_t count_listens(rlx_store *st, const char *profile)
{
    rlx_listen_rec *l = NULL;
    size_t n = 0;
    char why[512] = "";
    if (rlx_store_listens(st, profile, NULL, &l, &n, why, sizeof why) != RLX_OK) {
        check_why(why);
        return (size_t)-1;
    }
    rlx_store_listens_free(l, n);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unlink(wal);
    unlink(shm);
    FILE *f = fopen(path, "wb");
    CHECK(f);
    CHECK(fwrite(data, 1, size, f) == size);
    fclose(f);

    rlx_store *st = NULL;
    char why[512] = "";
    rlx_err e = rlx_store_open(path, &st, why, sizeof why);
    if (e != RLX_OK) {
        CHECK(!st);
        if (e != RLX_ERR_STORE_CORRUPT && e != RLX_ERR_STORE && e != RLX_ERR_STORE_LOCKED) {
            fprintf(stderr, "open failed with %s: %s\n", rlx_strerror(e), why);
            abort();
        }
        check_why(why);
        size_t n;
        uint8_t *after = slurp(&n);
        if (n != size || memcmp(after, data, size)) {
            size_t k = 0;
            while (k < n && k < size && after[k] == data[k])
                k++;
            fprintf(stderr, "failed open (%s) changed the file: %zu -> %zu bytes, first change at %zu\n",
                    why, size, n, k);
            abort();   /* left untouched */
        }
        free(after);
        return 0;
    }
    CHECK(rlx_store_schema_version(st) == RLX_STORE_SCHEMA_VERSION);

    /* what `relax profiles`, `progress` and `history` read */
    rlx_profile *ps = NULL;
    size_t np = 0;
    if (rlx_store_profiles(st, &ps, &np, why, sizeof why) == RLX_OK) {
        for (size_t i = 0; i < np; i++)
            CHECK(ps[i].name);
        rlx_store_profiles_free(ps, np);
    } else {
        check_why(why);
    }
    rlx_listen_rec *ls = NULL;
    size_t nl = 0;
    if (rlx_store_listens(st, NULL, NULL, &ls, &nl, why, sizeof why) == RLX_OK) {
        for (size_t i = 0; i < nl; i++)
            CHECK(ls[i].profile && ls[i].session_id && ls[i].session_hash);
        rlx_store_listens_free(ls, nl);
    } else {
        check_why(why);
    }

    /* what `relax next` writes: its profile, a listen, the mix */
    rlx_profile p;
    if (rlx_store_profile_get(st, "default", true, &p, why, sizeof why) == RLX_OK) {
        CHECK(p.name && !strcmp(p.name, "default"));
        rlx_profile_clear(&p);
    } else {
        check_why(why);
    }
    size_t before = count_listens(st, "default");
    rlx_listen_rec rec = {
        .profile = "default", .session_id = "week-01", .session_hash = "0123456789abcdef", .week = 1,
        .length_ms = 1200000, .started_ms = 1700000000000, .ended_ms = 1700000600000,
        .position_ms = 600000, .furthest_ms = 600000, .played_ms = 600000, .credit_ms = 600000,
        .finished = true,
    };
    e = rlx_store_listen_add(st, &rec, why, sizeof why);
    size_t after = count_listens(st, "default");
    if (e == RLX_OK) {
        CHECK(rec.uuid[0]);
        rlx_listen_rec *mine = NULL;
        size_t nm = 0;
        if (rlx_store_listens(st, "default", "week-01", &mine, &nm, why, sizeof why) == RLX_OK) {
            bool found = false;
            for (size_t i = 0; i < nm; i++)
                found |= !strcmp(mine[i].uuid, rec.uuid) && mine[i].position_ms == 600000;
            CHECK(found);
            rlx_store_listens_free(mine, nm);
        }
    } else {
        check_why(why);
        CHECK(after == before);   /* a failed write changed nothing */
    }
    if (rlx_store_profile_set_mix(st, "default", -3.0, -6.0, NULL, why, sizeof why) != RLX_OK)
        check_why(why);
    rlx_store_close(st);
    return 0;
}
