/* test_program.c - program files: the README example, every error with its position. */
#include "rlx_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "session/program.h"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = rlx_test_tmpdir();
    free(rlx_test_write(dir, "week-01.session", "x", 1));
    free(rlx_test_write(dir, "week-02.session", "x", 1));
    free(rlx_test_write(dir, "sub dir/w 3.session", "x", 1));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rlx_test_rmtree(dir);
    free(dir);
    return 0;
}

static rlx_err parse(const char *text, rlx_program **p, rlx_diags *d)
{
    char name[4096];
    snprintf(name, sizeof name, "%s/t.program", dir);
    memset(d, 0, sizeof *d);
    return rlx_program_parse_buffer(name, text, strlen(text), p, d);
}

static void expect_error(const char *text, int line, int col, const char *msg)
{
    rlx_program *p = NULL;
    rlx_diags d;
    rlx_err e = parse(text, &p, &d);
    if (e != RLX_ERR_SESSION || d.errors != 1 || d.items[0].line != line || d.items[0].col != col ||
        strcmp(d.items[0].message, msg)) {
        fprintf(stderr, "for:\n%s\n-- expected %d:%d: %s\n-- got (err %d):\n", text, line, col, msg, (int)e);
        for (size_t k = 0; k < d.count; k++)
            fprintf(stderr, "   %d:%d: %s\n", d.items[k].line, d.items[k].col, d.items[k].message);
        fail();
    }
    assert_null(p);
    rlx_diags_free(&d);
}

static void readme_example(void **state)
{
    (void)state;
    const char *text = "[program]\n"
                       "id    = ten-weeks\n"
                       "title = \"Ten weeks of relaxation and emotional resilience\"\n"
                       "wait  = 6 days            # after completing week N, week N+1 opens this much later\n"
                       "\n"
                       "[sessions]\n"
                       "week-01.session           # week 1, relative to this file's folder\n"
                       "week-02.session\n"
                       "\"sub dir/w 3.session\"\n";
    char *path = rlx_test_write(dir, "ten-weeks.program", text, strlen(text));
    rlx_program *p = NULL;
    rlx_diags d = {0};
    assert_int_equal(rlx_program_parse(path, &p, &d), RLX_OK);
    assert_int_equal(d.count, 0);
    assert_string_equal(p->path, path);
    assert_string_equal(p->id, "ten-weeks");
    assert_string_equal(p->title, "Ten weeks of relaxation and emotional resilience");
    assert_int_equal(p->wait_s, 6 * 86400);
    assert_int_equal(p->nentries, 3);
    assert_string_equal(p->entries[0].file, "week-01.session");
    char want[4096];
    snprintf(want, sizeof want, "%s/week-01.session", dir);
    assert_string_equal(p->entries[0].path, want);
    assert_int_equal(p->entries[0].line, 7);
    assert_int_equal(p->entries[0].col, 1);
    assert_string_equal(p->entries[2].file, "sub dir/w 3.session");
    rlx_program_free(p);
    rlx_program_free(NULL);
    free(path);
}

static void waits_and_defaults(void **state)
{
    (void)state;
    struct {
        const char *w;
        int64_t s;
    } cases[] = {{"", 6 * 86400}, {"wait = 1 d\n", 86400}, {"wait = 12 h\n", 43200}, {"wait = 30 min\n", 1800},
                 {"wait = 90 s\n", 90}, {"wait = 0 days\n", 0}, {"wait = 1.5 day\n", 129600},
                 {"wait = 0\n", 0}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char text[512];
        snprintf(text, sizeof text, "[program]\nid = p\ntitle = \"P\"\n%s[sessions]\nweek-01.session\n", cases[k].w);
        rlx_program *p = NULL;
        rlx_diags d;
        assert_int_equal(parse(text, &p, &d), RLX_OK);
        assert_int_equal(p->wait_s, cases[k].s);
        rlx_program_free(p);
        rlx_diags_free(&d);
    }
}

#define P "[program]\nid = p\ntitle = \"P\"\n"

static void error_list(void **state)
{
    (void)state;
    char want[4096];
    snprintf(want, sizeof want, "session file 'week-09.session' not found (looked in %s)", dir);
    expect_error(P "[sessions]\nweek-01.session\n  week-09.session\n", 6, 3, want);
    expect_error(P "wait = 6 weeks\n[sessions]\nweek-01.session\n", 4, 10,
                 "expected a wait like '6 days', '12 h', '30 min' or '90 s'");
    expect_error(P "wait = 6\n[sessions]\nweek-01.session\n", 4, 8,
                 "expected a wait like '6 days', '12 h', '30 min' or '90 s'");
    expect_error(P "wait = 400 days\n[sessions]\nweek-01.session\n", 4, 8, "wait must be from 0 to 365 days");
    expect_error(P "wiat = 1 d\n[sessions]\nweek-01.session\n", 4, 1, "unknown key 'wiat' in [program] (did you mean 'wait'?)");
    expect_error(P "[sesions]\n[sessions]\nweek-01.session\n", 4, 2, "unknown section [sesions] (did you mean [sessions]?)");
    expect_error(P "[sessions]\nweek-01.session\nweek-01.session\n", 6, 1, "'week-01.session' is listed twice (first at line 5)");
    expect_error("[program]\ntitle = \"P\"\n[sessions]\nweek-01.session\n", 1, 1, "missing [program] id");
    expect_error(P, 0, 0, "missing [sessions]");
    expect_error("week-01.session\n" P "[sessions]\nweek-01.session\n", 1, 1,
                 "expected a section header like [program], found 'week-01.session'");
    expect_error(P "[sessions]\nweek-01.session extra\n", 5, 17, "unexpected 'extra' after the session file name");
    expect_error(P "[program]\n[sessions]\nweek-01.session\n", 4, 1, "section [program] repeated (first at line 1)");
    expect_error(P "id = P Q\n[sessions]\nweek-01.session\n", 4, 6, "an id may only use a-z, 0-9 and '-', like 'ten-weeks'");
    expect_error(P "title = T\n[sessions]\nweek-01.session\n", 4, 9, "expected a title in double quotes, like \"...\"");
}
#undef P

static void empty_sessions_and_files(void **state)
{
    (void)state;
    rlx_program *p = NULL;
    rlx_diags d;
    assert_int_equal(parse("[program]\nid = p\ntitle = \"P\"\n[sessions]\n", &p, &d), RLX_ERR_SESSION);
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].message, "no sessions listed under [sessions]");
    assert_int_equal(d.items[0].line, 4);
    rlx_diags_free(&d);

    memset(&d, 0, sizeof d);
    assert_int_equal(rlx_program_parse(dir, &p, &d), RLX_ERR_IO);
    assert_string_equal(d.items[0].message, "is a directory");
    rlx_diags_free(&d);

    /* binary garbage does not crash and is an error */
    char bin[4096];
    unsigned x = 1;
    for (size_t k = 0; k < sizeof bin; k++) {
        x = x * 1103515245u + 12345u;
        bin[k] = (char)(x >> 16);
    }
    memset(&d, 0, sizeof d);
    assert_int_equal(rlx_program_parse_buffer("bin", bin, sizeof bin, &p, &d), RLX_ERR_SESSION);
    assert_null(p);
    rlx_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readme_example),
        cmocka_unit_test(waits_and_defaults),
        cmocka_unit_test(error_list),
        cmocka_unit_test(empty_sessions_and_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
