/* rlx_test.h - shared helpers for the cmocka tests. */
#ifndef RLX_TEST_H
#define RLX_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "session/session.h"

/* A fresh empty folder under $TMPDIR, removed by rlx_test_rmtree. Returns malloc'ed path. */
char *rlx_test_tmpdir(void);
void rlx_test_rmtree(const char *path);
/* Writes len bytes to dir/name (creating sub folders); returns malloc'ed full path. */
char *rlx_test_write(const char *dir, const char *name, const void *data, size_t len);
/* $RLX_SOURCE_DIR/rel, malloc'ed. */
char *rlx_test_source_path(const char *rel);

/* The engine tests' session: three half-second sine lines (dir/a.wav,
 * b.wav, c.wav at 330, 440 and 550 Hz, 48 kHz mono, written here) played at
 * 0:01, 0:05 and 0:09, then a silence of 1 s .. 30 s and the end, parsed
 * from dir/t.session with this id and title. */
rlx_session *rlx_test_three_lines(const char *dir, const char *id, const char *title);

/* A cmocka fixture: a fresh temporary folder with a cache in it (tmp/cache). */
typedef struct rlx_cache rlx_cache;
typedef struct {
    char *tmp;
    rlx_cache *cache;
} rlx_test_cache_fixture;
int rlx_test_cache_setup(void **state);     /* *state = rlx_test_cache_fixture * */
int rlx_test_cache_teardown(void **state);

#endif
