/* test_calendar.c - planned openings and the iCalendar text: CRLF, folding
 * at 75 octets without splitting a character, TEXT escaping, stable UIDs. */
#include "rlx_test.h"

#include <stdlib.h>
#include <string.h>

#include "store/calendar.h"

#define MIN 60000LL
#define DAY (24LL * 3600 * 1000)
#define T0 (1796025600000LL)   /* Monday 30 November 2026, 08:00 UTC */

static void plan_fresh_profile(void **state)
{
    (void)state;
    rlx_week_input in[4] = {0};
    rlx_week_status st[4];
    rlx_schedule sum;
    int64_t now = T0 + 30000, opens[4];
    bool planned[4];
    rlx_schedule_compute(in, 4, 6 * DAY, now, false, st, &sum);
    rlx_calendar_plan(st, 4, 6 * DAY, now, opens, planned);
    assert_int_equal(opens[0], T0);   /* open now, on the minute */
    assert_false(planned[0]);
    /* each completed as soon as it opens (not before now), next on the minute after the wait */
    assert_int_equal(opens[1], T0 + MIN + 6 * DAY);
    assert_int_equal(opens[2], T0 + MIN + 12 * DAY);
    assert_int_equal(opens[3], T0 + MIN + 18 * DAY);
    for (int i = 1; i < 4; i++)
        assert_true(planned[i]);
}

static void plan_after_a_completed_week(void **state)
{
    (void)state;
    rlx_week_input in[3] = {0};
    in[0].completed_ms = T0 + 10 * MIN + 5000;
    rlx_week_status st[3];
    rlx_schedule sum;
    int64_t now = T0 + 2 * DAY, opens[3];
    bool planned[3];
    rlx_schedule_compute(in, 3, 6 * DAY, now, false, st, &sum);
    rlx_calendar_plan(st, 3, 6 * DAY, now, opens, planned);
    assert_int_equal(opens[0], 0);   /* done: no event */
    assert_int_equal(opens[1], T0 + 11 * MIN + 6 * DAY);   /* known: as the schedule says */
    assert_int_equal(opens[1], st[1].opens_ms);
    assert_false(planned[1]);
    assert_int_equal(opens[2], T0 + 11 * MIN + 12 * DAY);
    assert_true(planned[2]);
    /* wait 0: everything at once */
    rlx_schedule_compute(in, 3, 0, now, false, st, &sum);
    rlx_calendar_plan(st, 3, 0, now, opens, planned);
    assert_int_equal(opens[1], now / MIN * MIN);
    assert_int_equal(opens[2], now);
}

static char *write_cal(const rlx_calendar_event *ev, size_t n, const char *profile)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    rlx_calendar_info info = {.profile = profile, .program_id = "ten-weeks", .version = "9.9",
                              .weeks_total = 10, .now_ms = T0};
    assert_int_equal(rlx_calendar_write(f, &info, ev, n), RLX_OK);
    fclose(f);
    return buf;
}

/* The logical value of `name` (unfolded), or NULL. malloc'd. */
static char *unfolded(const char *text, const char *name)
{
    const char *p = strstr(text, name);
    if (!p)
        return NULL;
    p += strlen(name);
    char *out = malloc(strlen(p) + 1), *o = out;
    while (*p) {
        if (p[0] == '\r' && p[1] == '\n') {
            if (p[2] != ' ')
                break;
            p += 3;
            continue;
        }
        *o++ = *p++;
    }
    *o = 0;
    return out;
}

static void text_is_folded_and_escaped(void **state)
{
    (void)state;
    /* 30 two-byte characters and 20 three-byte ones push folds into every position */
    char summary[400] = "Rest; then, a \\ backslash\nnew line. ";
    for (int i = 0; i < 30; i++)
        strcat(summary, "\xC3\xA9");
    for (int i = 0; i < 20; i++)
        strcat(summary, "\xE2\x80\xA6");
    rlx_calendar_event ev = {.week = 3, .session_id = "week-03", .title = "The armour, we carry",
                             .summary = summary, .opens_ms = T0 + DAY, .length_ms = 13 * MIN + 1,
                             .planned = true};
    char *cal = write_cal(&ev, 1, "ana");
    /* CRLF only, no line over 75 octets, folds never split a UTF-8 character */
    for (const char *line = cal; *line;) {
        const char *end = strstr(line, "\r\n");
        assert_non_null(end);
        assert_true(end - line <= 75);
        if (end[2] == ' ')
            assert_true(((unsigned char)end[3] & 0xC0) != 0x80);
        line = end + 2;
    }
    for (const char *nl = strchr(cal, '\n'); nl; nl = strchr(nl + 1, '\n'))
        assert_true(nl > cal && nl[-1] == '\r');   /* no bare line feeds */
    char *desc = unfolded(cal, "\r\nDESCRIPTION:");
    assert_non_null(desc);
    assert_non_null(strstr(desc, "The armour\\, we carry"));
    assert_non_null(strstr(desc, "Rest\\; then\\, a \\\\ backslash\\nnew line. \xC3\xA9\xC3\xA9"));
    assert_non_null(strstr(desc, "\xE2\x80\xA6\xE2\x80\xA6"));
    assert_non_null(strstr(desc, "About 14 minutes."));
    assert_non_null(strstr(desc, "Planned:"));
    free(desc);
    assert_non_null(strstr(cal, "\r\nDTSTART:20261201T080000Z\r\n"));
    assert_non_null(strstr(cal, "\r\nDTSTAMP:20261130T080000Z\r\n"));
    assert_non_null(strstr(cal, "\r\nDURATION:PT14M\r\n"));
    assert_non_null(strstr(cal, "\r\nSTATUS:TENTATIVE\r\n"));
    assert_non_null(strstr(cal, "\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER;RELATED=START:PT0S\r\n"));
    assert_true(!strncmp(cal, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Relax//relax 9.9//EN\r\n", 58));
    assert_non_null(strstr(cal, "END:VEVENT\r\nEND:VCALENDAR\r\n"));
    assert_null(strstr(cal, "http"));
    free(cal);
}

static void uids_stable_per_profile(void **state)
{
    (void)state;
    rlx_calendar_event ev = {.week = 1, .session_id = "week-01", .opens_ms = T0};
    char *a = write_cal(&ev, 1, "ana"), *b = write_cal(&ev, 1, "ana"), *c = write_cal(&ev, 1, "bob");
    char *ua = unfolded(a, "\r\nUID:"), *ub = unfolded(b, "\r\nUID:"), *uc = unfolded(c, "\r\nUID:");
    assert_string_equal(ua, ub);
    assert_string_not_equal(ua, uc);
    assert_true(!strncmp(ua, "week-01-", 8));
    assert_null(strstr(ua, "ana"));   /* the name itself stays out of the UID */
    assert_non_null(strstr(a, "\r\nSTATUS:CONFIRMED\r\n"));
    assert_non_null(strstr(a, "\r\nDURATION:PT15M\r\n"));   /* length unknown */
    free(ua), free(ub), free(uc), free(a), free(b), free(c);
}

static void write_failure_is_reported(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        fail_msg("no /dev/full");
    setvbuf(f, NULL, _IONBF, 0);
    rlx_calendar_event ev = {.week = 1, .session_id = "week-01", .opens_ms = T0};
    rlx_calendar_info info = {.profile = "p", .program_id = "x", .version = "1", .weeks_total = 1, .now_ms = T0};
    assert_int_equal(rlx_calendar_write(f, &info, &ev, 1), RLX_ERR_OUTPUT);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plan_fresh_profile),
        cmocka_unit_test(plan_after_a_completed_week),
        cmocka_unit_test(text_is_folded_and_escaped),
        cmocka_unit_test(uids_stable_per_profile),
        cmocka_unit_test(write_failure_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
