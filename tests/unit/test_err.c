/* test_err.c - every error code has its own message; diagnostics accumulate. */
#include "rlx_test.h"

#include <string.h>

#include "core/err.h"

static void every_code_has_a_message(void **state)
{
    (void)state;
    for (int e = 0; e < RLX_ERR_COUNT; e++) {
        const char *m = rlx_strerror((rlx_err)e);
        assert_non_null(m);
        assert_string_not_equal(m, "unknown error");
        for (int f = 0; f < e; f++)
            assert_string_not_equal(m, rlx_strerror((rlx_err)f));
    }
    assert_string_equal(rlx_strerror(RLX_ERR_COUNT), "unknown error");
    assert_string_equal(rlx_strerror((rlx_err)-1), "unknown error");
}

static void diags_count_and_cap(void **state)
{
    (void)state;
    rlx_diags d = {0};
    rlx_diags_add(&d, RLX_DIAG_ERROR, "a.session", 3, 7, "src", "bad %s", "thing");
    rlx_diags_add(&d, RLX_DIAG_WARNING, NULL, 0, 0, NULL, "hmm");
    assert_int_equal(d.count, 2);
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.warnings, 1);
    assert_string_equal(d.items[0].message, "bad thing");
    assert_string_equal(d.items[0].file, "a.session");
    assert_int_equal(d.items[0].col, 7);
    assert_null(d.items[1].file);
    for (int i = 0; i < 1000; i++)
        rlx_diags_add(&d, RLX_DIAG_ERROR, "x", i, 1, NULL, "e%d", i);
    assert_int_equal(d.count, RLX_DIAGS_MAX);
    assert_int_equal(d.errors, 1001);
    rlx_diags_free(&d);
    assert_int_equal(d.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_has_a_message),
        cmocka_unit_test(diags_count_and_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
