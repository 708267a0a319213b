/* test_remote_api.c - the remote's pure parts: key form and comparison,
 * request bodies (every refusal leaves no command), the status document. */
#include "rlx_test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remote/remote_api.h"

static rlx_remote_status playing(void)
{
    rlx_remote_status st = {
        .state = RLX_REMOTE_PLAYING,
        .position_ms = 60000,
        .length_ms = 600000,
        .volume_db = -6,
        .volume_min_db = -40,
        .volume_max_db = 0,
        .background_min_db = -20,
        .background_max_db = 10,
        .length_min_ms = 300000,
        .length_max_ms = 1800000,
        .length_live = true,
        .lines = true,
    };
    snprintf(st.session, sizeof st.session, "week-01");
    snprintf(st.title, sizeof st.title, "Week 1");
    return st;
}

static int parse(const char *ep, const char *body, const rlx_remote_status *st, rlx_remote_cmd *cmd,
                 char *why)
{
    return rlx_remote_parse_command(ep, body, body ? strlen(body) : 0, st, cmd, why, 256);
}

static void test_key_form(void **state)
{
    (void)state;
    assert_true(rlx_remote_key_valid("0123456789abcdef0123456789abcdef"));
    assert_true(rlx_remote_key_valid("Abc-def_ghi-jkl_mno-pqr"));
    assert_false(rlx_remote_key_valid("short"));
    assert_false(rlx_remote_key_valid(NULL));
    assert_false(rlx_remote_key_valid("0123456789abcdef0123456789abcde+"));
    assert_false(rlx_remote_key_valid("0123456789abcdef 0123456789abcdef"));
    char longkey[RLX_REMOTE_KEY_MAX + 2];
    memset(longkey, 'a', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    assert_false(rlx_remote_key_valid(longkey));
}

static void test_key_equal(void **state)
{
    (void)state;
    const char *k = "0123456789abcdef0123456789abcdef";
    size_t n = strlen(k);
    assert_true(rlx_remote_key_equal(k, n, k, n));
    assert_false(rlx_remote_key_equal("0123456789abcdef0123456789abcdee", n, k, n));
    assert_false(rlx_remote_key_equal("1123456789abcdef0123456789abcdef", n, k, n));
    assert_false(rlx_remote_key_equal(k, n - 1, k, n));             /* a prefix */
    assert_false(rlx_remote_key_equal("0123456789abcdef0123456789abcdef0", n + 1, k, n));
    assert_false(rlx_remote_key_equal("", 0, k, n));
}

static void test_commands_accepted(void **state)
{
    (void)state;
    rlx_remote_status st = playing();
    rlx_remote_cmd c;
    char why[256];
    assert_int_equal(parse("pause", NULL, &st, &c, why), 0);
    assert_int_equal(c.op, RLX_REMOTE_CMD_PAUSE);
    assert_int_equal(parse("resume", "{}", &st, &c, why), 0);
    assert_int_equal(c.op, RLX_REMOTE_CMD_RESUME);
    assert_int_equal(parse("stop", " { } ", &st, &c, why), 0);
    assert_int_equal(c.op, RLX_REMOTE_CMD_STOP);
    assert_int_equal(parse("seek", "{\"position_ms\": 90000}", &st, &c, why), 0);
    assert_int_equal(c.op, RLX_REMOTE_CMD_SEEK);
    assert_false(c.relative);
    assert_int_equal(c.ms, 90000);
    assert_int_equal(parse("seek", "{\"delta_ms\": -15000}", &st, &c, why), 0);
    assert_true(c.relative);
    assert_int_equal(c.ms, -15000);
    assert_int_equal(parse("volume", "{\"db\": -12.5}", &st, &c, why), 0);
    assert_int_equal(c.op, RLX_REMOTE_CMD_VOLUME);
    assert_true(c.db == -12.5);
    assert_int_equal(parse("volume", "{\"db\": 0}", &st, &c, why), 0);
    assert_int_equal(parse("background", "{\"delta_db\": 2}", &st, &c, why), 0);
    assert_int_equal(c.op, RLX_REMOTE_CMD_BACKGROUND);
    assert_true(c.relative && c.db == 2);
    assert_int_equal(parse("length", "{\"length_ms\": 1200000}", &st, &c, why), 0);
    assert_int_equal(c.op, RLX_REMOTE_CMD_LENGTH);
    assert_int_equal(c.ms, 1200000);
    assert_int_equal(parse("line", "{\"dir\": \"prev\"}", &st, &c, why), 0);
    assert_int_equal(c.op, RLX_REMOTE_CMD_LINE);
    assert_int_equal(c.dir, -1);
    assert_int_equal(parse("line", "{\"dir\":\"next\"}", &st, &c, why), 0);
    assert_int_equal(c.dir, 1);
}

static void test_commands_refused(void **state)
{
    (void)state;
    rlx_remote_status st = playing();
    rlx_remote_cmd c;
    char why[256];
    static const struct {
        const char *ep, *body, *says;
        int status;
    } bad[] = {
        {"seek", "{\"position_ms\": 600001}", "from 0 to 600000", 400},
        {"seek", "{\"position_ms\": -1}", "from 0 to", 400},
        {"seek", "{\"position_ms\": 1.5}", "whole number", 400},
        {"seek", "{\"position_ms\": \"90\"}", "whole number", 400},
        {"seek", "{}", "wants a JSON object", 400},
        {"seek", "", "wants a JSON object", 400},
        {"seek", "{\"position_ms\": 1, \"delta_ms\": 1}", "one value", 400},
        {"seek", "{\"position_ms\": 1, \"position_ms\": 2}", "not valid JSON", 400},
        {"seek", "{\"position_ms\": 1} x", "not valid JSON", 400},
        {"seek", "{\"position_ms\": 1", "not valid JSON", 400},
        {"seek", "[1]", "must be a JSON object", 400},
        {"seek", "{\"delta_ms\": 99999999999}", "delta_ms must be from", 400},
        {"seek", "{\"evil<script>\": 1}", "unknown field", 400},
        {"volume", "{\"db\": 1}", "from -40 to 0", 400},
        {"volume", "{\"db\": -41}", "from -40 to 0", 400},
        {"volume", "{\"db\": null}", "number of decibels", 400},
        {"volume", "{\"delta_db\": 61}", "from -60 to 60", 400},
        {"background", "{\"db\": 11}", "from -20 to 10", 400},
        {"length", "{\"length_ms\": 299999}", "from 300000 to 1800000", 400},
        {"line", "{\"dir\": \"up\"}", "\"next\" or \"prev\"", 400},
        {"line", "{}", "wants a JSON object", 400},
        {"pause", "{\"now\": true}", "takes no fields", 400},
        {"pause", "null", "not valid JSON", 400},
        {"seek", "{\"a<b>\": 1, <script>", "not valid JSON (at character", 400},
        {"pause", "{\"a\":1", "not valid JSON", 400},
        {"reboot", "{}", "no such endpoint", 404},
        {"../../etc/passwd", "", "no such endpoint", 404},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(why, 0, sizeof why);
        int got = rlx_remote_parse_command(bad[i].ep, bad[i].body, strlen(bad[i].body), &st, &c, why, sizeof why);
        if (got != bad[i].status || !strstr(why, bad[i].says) || strchr(why, '\n')) {
            print_error("%s %s -> %d '%s', want %d '%s'\n", bad[i].ep, bad[i].body, got, why, bad[i].status,
                        bad[i].says);
            fail();
        }
        assert_null(strstr(why, "<script>"));   /* what the client sent is never echoed */
    }
    /* a body with a NUL inside is not JSON */
    assert_int_equal(rlx_remote_parse_command("seek", "{\"position_ms\":1}\0", 18, &st, &c, why, sizeof why), 400);
}

static void test_state_and_length_live(void **state)
{
    (void)state;
    rlx_remote_status st = playing();
    rlx_remote_cmd c;
    char why[256];
    st.length_live = false;
    assert_int_equal(parse("length", "{\"delta_ms\": 300000}", &st, &c, why), 409);
    assert_non_null(strstr(why, "cannot change"));
    st = playing();
    st.state = RLX_REMOTE_ENDED;
    assert_int_equal(parse("pause", NULL, &st, &c, why), 409);
    assert_non_null(strstr(why, "nothing is playing (state ended)"));
    st.state = RLX_REMOTE_IDLE;
    assert_int_equal(parse("seek", "{\"delta_ms\": 1}", &st, &c, why), 409);
    /* a bad body is a 400 whatever the state */
    assert_int_equal(parse("seek", "{", &st, &c, why), 400);
    st.state = RLX_REMOTE_PAUSED;
    assert_int_equal(parse("resume", NULL, &st, &c, why), 0);
}

static void test_status_json(void **state)
{
    (void)state;
    rlx_remote_status st = playing();
    snprintf(st.title, sizeof st.title, "A \"quoted\" </script><b>title</b>\n\x01");
    snprintf(st.caption, sizeof st.caption, "Let your shoulders soften\xe2\x80\xa6");
    st.breath = 0.25;
    st.breath_dir = -1;
    char *s = rlx_remote_status_json(&st);
    assert_non_null(s);
    assert_null(strchr(s, '\n'));              /* one line: fits an SSE data: line */
    assert_null(strstr(s, "</script>"));
    json_error_t e;
    json_t *o = json_loads(s, 0, &e);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "state")), "playing");
    assert_string_equal(json_string_value(json_object_get(o, "title")), st.title);
    assert_string_equal(json_string_value(json_object_get(o, "caption")), st.caption);
    assert_int_equal(json_integer_value(json_object_get(o, "position_ms")), 60000);
    assert_int_equal(json_integer_value(json_object_get(o, "length_ms")), 600000);
    assert_true(json_real_value(json_object_get(o, "volume_db")) == -6);
    json_t *b = json_object_get(o, "breath");
    assert_string_equal(json_string_value(json_object_get(b, "phase")), "out");
    assert_true(json_real_value(json_object_get(b, "level")) == 0.25);
    json_decref(o);
    free(s);

    /* a caption that is not UTF-8 leaves the rest intact */
    snprintf(st.caption, sizeof st.caption, "bad \xff byte");
    s = rlx_remote_status_json(&st);
    assert_non_null(s);
    assert_non_null(strstr(s, "\"caption\":\"\""));
    free(s);

    s = rlx_remote_error_json("position_ms must be from 0 to 5");
    assert_string_equal(s, "{\"error\":\"position_ms must be from 0 to 5\"}");
    free(s);
    assert_string_equal(rlx_remote_state_name(RLX_REMOTE_STOPPING), "stopping");
    assert_string_equal(rlx_remote_state_name((rlx_remote_state)99), "idle");
}

static void lobby(rlx_remote_profile p[2])
{
    memset(p, 0, 2 * sizeof *p);
    snprintf(p[0].name, sizeof p[0].name, "anna");
    p[0].weeks = 10;
    p[0].done = 2;
    p[0].week = 3;
    snprintf(p[0].session, sizeof p[0].session, "week-03");
    snprintf(p[0].title, sizeof p[0].title, "The <armour> we carry");
    snprintf(p[0].next, sizeof p[0].next, "week 3");
    p[0].length_ms = 1200000;
    p[0].length_min_ms = 900000;
    p[0].length_max_ms = 2400000;
    snprintf(p[1].name, sizeof p[1].name, "bo\"b");
    p[1].weeks = 10;
    snprintf(p[1].next, sizeof p[1].next, "week 2 opens on Friday 4 December");
}

static int start(const char *body, const rlx_remote_profile *p, rlx_remote_state state, rlx_remote_cmd *c,
                 char *why)
{
    return rlx_remote_parse_start(body, body ? strlen(body) : 0, p, 2, state, c, why, 256);
}

static void test_start(void **state)
{
    (void)state;
    rlx_remote_profile p[2];
    lobby(p);
    rlx_remote_cmd c;
    char why[256];
    assert_int_equal(start("{\"profile\": \"anna\", \"length_ms\": 1500000}", p, RLX_REMOTE_IDLE, &c, why), 0);
    assert_int_equal(c.op, RLX_REMOTE_CMD_START);
    assert_string_equal(c.profile, "anna");
    assert_int_equal(c.ms, 1500000);
    /* no length: the one offered; the ends of the range are in it; after a session ended too */
    assert_int_equal(start("{\"profile\": \"anna\"}", p, RLX_REMOTE_ENDED, &c, why), 0);
    assert_int_equal(c.ms, 1200000);
    assert_int_equal(start("{\"length_ms\": 900000, \"profile\": \"anna\"}", p, RLX_REMOTE_IDLE, &c, why), 0);
    assert_int_equal(start("{\"profile\": \"anna\", \"length_ms\": 2400000}", p, RLX_REMOTE_IDLE, &c, why), 0);

    static const struct {
        const char *body;
        rlx_remote_state state;
        int status;
        const char *says;
    } bad[] = {
        {"", RLX_REMOTE_IDLE, 400, "start wants a JSON object"},
        {"{\"profile\": \"zed\"}", RLX_REMOTE_IDLE, 400, "no such profile"},
        {"{\"profile\": \"ANNA\"}", RLX_REMOTE_IDLE, 400, "no such profile"},
        {"{\"profile\": 7}", RLX_REMOTE_IDLE, 400, "profile wants a name"},
        {"{\"profile\": \"anna\", \"length_ms\": 899999}", RLX_REMOTE_IDLE, 400, "length_ms must be from 900000 to 2400000"},
        {"{\"profile\": \"anna\", \"length_ms\": 2400001}", RLX_REMOTE_IDLE, 400, "length_ms must be from"},
        {"{\"profile\": \"anna\", \"length_ms\": 1.5e6}", RLX_REMOTE_IDLE, 400, "whole number"},
        {"{\"profile\": \"anna\", \"length_ms\": -1}", RLX_REMOTE_IDLE, 400, "length_ms must be from"},
        {"{\"profile\": \"anna\", \"<script>\": 1}", RLX_REMOTE_IDLE, 400, "unknown field"},
        {"{\"profile\": \"anna\", \"profile\": \"anna\"}", RLX_REMOTE_IDLE, 400, "not valid JSON"},
        {"{\"length_ms\": 1000000}", RLX_REMOTE_IDLE, 400, "start wants a profile"},
        {"[\"anna\"]", RLX_REMOTE_IDLE, 400, "must be a JSON object"},
        {"{\"profile\": \"anna\"} x", RLX_REMOTE_IDLE, 400, "not valid JSON"},
        {"{\"profile\": \"bo\\\"b\"}", RLX_REMOTE_IDLE, 409, "has no week to play now (week 2 opens on Friday"},
        {"{\"profile\": \"anna\"}", RLX_REMOTE_PLAYING, 409, "already playing (state playing)"},
        {"{\"profile\": \"anna\"}", RLX_REMOTE_STARTING, 409, "already playing"},
        {"{\"profile\": \"anna\"}", RLX_REMOTE_STOPPING, 409, "already playing"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = '\0';
        int got = start(bad[i].body, p, bad[i].state, &c, why);
        if (got != bad[i].status || !strstr(why, bad[i].says)) {
            print_error("%s -> %d %s, want %d %s\n", bad[i].body, got, why, bad[i].status, bad[i].says);
            fail();
        }
        assert_null(strstr(why, "zed"));   /* what the client sent is never echoed */
        assert_null(strstr(why, "<script>"));
    }
}

static void test_profiles_json(void **state)
{
    (void)state;
    rlx_remote_profile p[2];
    lobby(p);
    char *s = rlx_remote_profiles_json("Room </script><b>1</b> & \"2\"", p, 2);
    assert_non_null(s);
    assert_null(strchr(s, '\n'));
    assert_null(strstr(s, "</"));   /* ESCAPE_SLASH: nothing closes a tag */
    json_error_t e;
    json_t *o = json_loads(s, 0, &e);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "room")), "Room </script><b>1</b> & \"2\"");
    json_t *a = json_object_get(o, "profiles");
    assert_int_equal(json_array_size(a), 2);
    json_t *x = json_array_get(a, 0);
    assert_string_equal(json_string_value(json_object_get(x, "name")), "anna");
    assert_string_equal(json_string_value(json_object_get(x, "title")), "The <armour> we carry");
    assert_int_equal(json_integer_value(json_object_get(x, "week")), 3);
    assert_int_equal(json_integer_value(json_object_get(x, "done")), 2);
    assert_int_equal(json_integer_value(json_object_get(x, "length_min_ms")), 900000);
    assert_int_equal(json_integer_value(json_object_get(x, "length_max_ms")), 2400000);
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 1), "name")), "bo\"b");
    json_decref(o);
    free(s);
    s = rlx_remote_profiles_json(NULL, NULL, 0);
    assert_string_equal(s, "{\"room\":\"\",\"profiles\":[]}");
    free(s);

    /* the status carries the room, the profile and serve */
    rlx_remote_status st = playing();
    snprintf(st.room, sizeof st.room, "<i>Room</i>");
    snprintf(st.profile, sizeof st.profile, "anna");
    st.serve = true;
    s = rlx_remote_status_json(&st);
    o = json_loads(s, 0, &e);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "room")), "<i>Room</i>");
    assert_string_equal(json_string_value(json_object_get(o, "profile")), "anna");
    assert_true(json_is_true(json_object_get(o, "serve")));
    assert_string_equal(json_string_value(json_object_get(o, "message")), "");
    json_decref(o);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_form),
        cmocka_unit_test(test_key_equal),
        cmocka_unit_test(test_commands_accepted),
        cmocka_unit_test(test_commands_refused),
        cmocka_unit_test(test_state_and_length_live),
        cmocka_unit_test(test_status_json),
        cmocka_unit_test(test_start),
        cmocka_unit_test(test_profiles_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
