/* rlx_test.h - shared helpers for the cmocka tests. */
#ifndef RLX_TEST_H
#define RLX_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* A fresh empty folder under $TMPDIR, removed by rlx_test_rmtree. Returns malloc'ed path. */
char *rlx_test_tmpdir(void);
void rlx_test_rmtree(const char *path);
/* Writes len bytes to dir/name (creating sub folders); returns malloc'ed full path. */
char *rlx_test_write(const char *dir, const char *name, const void *data, size_t len);
/* $RLX_SOURCE_DIR/rel, malloc'ed. */
char *rlx_test_source_path(const char *rel);

/* A cmocka fixture: a fresh temporary folder with a cache in it (tmp/cache). */
typedef struct rlx_cache rlx_cache;
typedef struct {
    char *tmp;
    rlx_cache *cache;
} rlx_test_cache_fixture;
int rlx_test_cache_setup(void **state);     /* *state = rlx_test_cache_fixture * */
int rlx_test_cache_teardown(void **state);

#endif
