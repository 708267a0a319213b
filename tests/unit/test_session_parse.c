/* test_session_parse.c - the session language: every setting and cue, every
 * diagnostic with its line and column, includes, files, hostile input. */
#include "rlx_test.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "audio/voice.h"
#include "session/session.h"

static const char readme_example[] =
    "# Week 3: the armour we carry\n"
    "[session]\n"
    "id      = week-03\n"
    "title   = \"The armour we carry\"\n"
    "week    = 3\n"
    "summary = \"Noticing where the body braces, and letting it soften if it wants to.\"\n"
    "\n"
    "[voice]\n"
    "level     = -18 LUFS\n"
    "tts-voice = slt\n"
    "\n"
    "[breath]\n"
    "pattern = 4 2 6 0        # inhale, hold, exhale, hold (seconds)\n"
    "pitch   = 174 Hz\n"
    "glide   = 4 st           # rises this many semitones at full inhale\n"
    "level   = -28 dB\n"
    "duck    = 10 dB\n"
    "\n"
    "[ambient]\n"
    "file  = ambient/shore.ogg\n"
    "level = -32 dB\n"
    "duck  = 6 dB\n"
    "\n"
    "[timeline]\n"
    "0:00   fade-in 10 s\n"
    "0:03   say \"Welcome back. Settle into a position that feels comfortable for you.\"\n"
    "+2 s   say \"If you like, let your eyes close, or rest your gaze softly on the floor.\"\n"
    "0:40   play narration/week-03/shoulders.flac \"Bring your attention to your shoulders.\"\n"
    "+0 s   breath 4 7 8 0\n"
    "3:00   silence 40 s .. 4 min\n"
    "+0 s   breath sync\n"
    "13:20  chime\n"
    "13:30  fade-out 30 s\n"
    "14:00  end\n";

/* A minimal valid header to prepend to timeline snippets. */
#define HEAD "[session]\nid = t\ntitle = \"T\"\n[timeline]\n"
#define HEAD_LINES 4

static rlx_parse_config nocheck = {.asset_dirs = NULL, .check_files = false};

static rlx_err parse(const char *text, rlx_session **s, rlx_diags *d)
{
    memset(d, 0, sizeof *d);
    return rlx_session_parse_buffer("t.session", text, strlen(text), &nocheck, s, d);
}

/* Asserts that parsing text gives exactly one error, with this message at line:col. */
static void expect_error(const char *text, int line, int col, const char *msg)
{
    rlx_session *s = NULL;
    rlx_diags d;
    rlx_err e = parse(text, &s, &d);
    if (e != RLX_ERR_SESSION || d.errors != 1 || d.items[0].line != line || d.items[0].col != col ||
        strcmp(d.items[0].message, msg)) {
        fprintf(stderr, "for:\n%s\n-- expected %d:%d: %s\n-- got (err %d, %zu errors):\n", text, line, col, msg,
                (int)e, d.errors);
        for (size_t k = 0; k < d.count; k++)
            fprintf(stderr, "   %d:%d: %s\n", d.items[k].line, d.items[k].col, d.items[k].message);
        fail();
    }
    assert_null(s);
    if (line > 0)
        assert_non_null(d.items[0].source);
    else
        assert_null(d.items[0].source);
    rlx_diags_free(&d);
}

static rlx_session *parse_ok(const char *text)
{
    rlx_session *s = NULL;
    rlx_diags d;
    rlx_err e = parse(text, &s, &d);
    if (e != RLX_OK || d.errors) {
        for (size_t k = 0; k < d.count; k++)
            fprintf(stderr, "   %d:%d: %s\n", d.items[k].line, d.items[k].col, d.items[k].message);
        fail();
    }
    rlx_diags_free(&d);
    return s;
}

static void readme_example_parses(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *assets = rlx_test_tmpdir();
    free(rlx_test_write(dir, "narration/week-03/shoulders.flac", "x", 1));
    free(rlx_test_write(assets, "ambient/shore.ogg", "x", 1));
    free(rlx_test_write(assets, "chime.flac", "x", 1));
    char *path = rlx_test_write(dir, "week-03.session", readme_example, strlen(readme_example));
    const char *dirs[] = {assets, NULL};
    rlx_parse_config cfg = {.asset_dirs = dirs, .check_files = true};
    rlx_session *s = NULL;
    rlx_diags d = {0};
    rlx_err e = rlx_session_parse(path, &cfg, &s, &d);
    for (size_t k = 0; k < d.count; k++)
        fprintf(stderr, "   %d:%d: %s\n", d.items[k].line, d.items[k].col, d.items[k].message);
    assert_int_equal(e, RLX_OK);
    assert_int_equal(d.count, 0);
    assert_string_equal(s->id, "week-03");
    assert_string_equal(s->title, "The armour we carry");
    assert_int_equal(s->week, 3);
    assert_string_equal(s->summary, "Noticing where the body braces, and letting it soften if it wants to.");
    assert_true(s->voice_normalize);
    assert_true(s->voice_lufs == -18);
    assert_string_equal(s->tts_voice, "slt");
    assert_true(fabs(s->tts_pace - 1.15) < 1e-9);
    assert_int_equal(s->breath.inhale_ms, 4000);
    assert_int_equal(s->breath.hold_in_ms, 2000);
    assert_int_equal(s->breath.exhale_ms, 6000);
    assert_int_equal(s->breath.hold_out_ms, 0);
    assert_true(s->breath_pitch_hz == 174);
    assert_true(s->breath_glide_st == 4);
    assert_true(s->breath_level_db == -28);
    assert_true(s->breath_duck_db == 10);
    assert_true(s->breath_enabled);
    assert_string_equal(s->ambient_file, "ambient/shore.ogg");
    assert_non_null(s->ambient_path);
    assert_true(s->ambient_level_db == -32);
    assert_true(s->ambient_duck_db == 6);
    assert_string_equal(s->chime_file, "chime.flac");
    assert_non_null(s->chime_path);
    assert_true(s->chime_level_db == -20);
    assert_int_equal(s->nfiles, 1);
    assert_string_equal(s->files[0], path);

    assert_int_equal(s->ncues, 10);
    const rlx_cue *c = s->cues;
    assert_int_equal(c[0].kind, RLX_CUE_FADE_IN);
    assert_int_equal(c[0].time_ms, 0);
    assert_int_equal(c[0].dur_ms, 10000);
    assert_int_equal(c[0].line, 25);
    assert_int_equal(c[0].col, 1);
    assert_ptr_equal(c[0].src_file, s->files[0]);
    assert_int_equal(c[1].kind, RLX_CUE_SAY);
    assert_int_equal(c[1].time_ms, 3000);
    assert_false(c[1].relative);
    assert_string_equal(c[1].text, "Welcome back. Settle into a position that feels comfortable for you.");
    assert_null(c[1].file);
    assert_int_equal(c[2].kind, RLX_CUE_SAY);
    assert_true(c[2].relative);
    assert_int_equal(c[2].time_ms, 2000);
    assert_int_equal(c[3].kind, RLX_CUE_PLAY);
    assert_int_equal(c[3].time_ms, 40000);
    assert_string_equal(c[3].file, "narration/week-03/shoulders.flac");
    assert_non_null(c[3].path);
    assert_string_equal(c[3].text, "Bring your attention to your shoulders.");
    assert_true(c[3].gain_db == 0);
    assert_int_equal(c[4].kind, RLX_CUE_BREATH);
    assert_true(c[4].relative);
    assert_int_equal(c[4].time_ms, 0);
    assert_int_equal(c[4].pattern.inhale_ms, 4000);
    assert_int_equal(c[4].pattern.hold_in_ms, 7000);
    assert_int_equal(c[4].pattern.exhale_ms, 8000);
    assert_int_equal(c[4].pattern.hold_out_ms, 0);
    assert_int_equal(c[5].kind, RLX_CUE_SILENCE);
    assert_int_equal(c[5].time_ms, 180000);
    assert_int_equal(c[5].dur_ms, 40000);
    assert_int_equal(c[5].dur_max_ms, 240000);
    assert_int_equal(c[6].kind, RLX_CUE_BREATH_SYNC);
    assert_int_equal(c[7].kind, RLX_CUE_CHIME);
    assert_int_equal(c[7].time_ms, 800000);
    assert_null(c[7].file);
    assert_int_equal(c[8].kind, RLX_CUE_FADE_OUT);
    assert_int_equal(c[8].dur_ms, 30000);
    assert_int_equal(c[9].kind, RLX_CUE_END);
    assert_int_equal(c[9].time_ms, 840000);
    assert_int_equal(c[9].line, 34);

    /* the hash is FNV-1a 64 of the file's bytes */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t k = 0; k < strlen(readme_example); k++) {
        h ^= (unsigned char)readme_example[k];
        h *= 0x100000001b3ULL;
    }
    assert_true(s->hash == h);
    rlx_session_free(s);

    /* without its audio files it is an error at the file's line:col */
    remove(path);
    free(path);
    char *bad = rlx_test_tmpdir();
    path = rlx_test_write(bad, "week-03.session", readme_example, strlen(readme_example));
    memset(&d, 0, sizeof d);
    e = rlx_session_parse(path, &cfg, &s, &d);
    assert_int_equal(e, RLX_ERR_SESSION);
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.items[0].line, 28);
    assert_int_equal(d.items[0].col, 13);
    char want[8192];
    snprintf(want, sizeof want, "audio file 'narration/week-03/shoulders.flac' not found (looked in %s, %s)", bad,
             assets);
    assert_string_equal(d.items[0].message, want);
    assert_string_equal(d.items[0].file, path);
    rlx_diags_free(&d);
    free(path);
    rlx_test_rmtree(bad);
    rlx_test_rmtree(dir);
    rlx_test_rmtree(assets);
    free(bad);
    free(dir);
    free(assets);
}

static void defaults_and_crlf(void **state)
{
    (void)state;
    rlx_session *s = parse_ok("\xEF\xBB\xBF[session]\r\nid = a-1\r\ntitle = \"A \\\"q\\\" \\\\ b\"\r\n[timeline]\r\n"
                              "0:00 end\r\n");
    assert_string_equal(s->id, "a-1");
    assert_string_equal(s->title, "A \"q\" \\ b");
    assert_int_equal(s->week, 0);
    assert_null(s->summary);
    assert_true(s->voice_lufs == -18);
    assert_true(s->voice_normalize);
    assert_string_equal(s->tts_voice, "slt");
    assert_true(fabs(s->tts_pace - 1.15) < 1e-12);
    assert_int_equal(s->breath.inhale_ms, 4000);
    assert_int_equal(s->breath.exhale_ms, 6000);
    assert_true(s->breath_pitch_hz == 174 && s->breath_glide_st == 3);
    assert_true(s->breath_level_db == -28 && s->breath_duck_db == 10 && s->breath_enabled);
    assert_null(s->ambient_file);
    assert_true(s->ambient_level_db == -32 && s->ambient_duck_db == 6);
    assert_string_equal(s->chime_file, "chime.flac");
    assert_true(s->chime_level_db == -20);
    assert_int_equal(s->ncues, 1);
    rlx_session_free(s);
}

static void every_setting(void **state)
{
    (void)state;
    rlx_session *s = parse_ok("[voice]\nlevel = off\ntts-voice = kal16\npace = 0.5\n"
                              "[breath]\npattern = 2.5 0.5 3 1\npitch = 40 hz\nglide = 0 st\nlevel = off\nduck = 60 dB\n"
                              "[ambient]\nfile = \"rain file.ogg\"\nlevel = -90 dB\nduck = 0 dB\n"
                              "[chime]\nfile = bell.wav\nlevel = 0 dB\n"
                              "[session]\nid = x\ntitle = \"X\"\nweek = 99\nsummary = \"\"\n"
                              "[timeline]\n0:00 end\n");
    assert_false(s->voice_normalize);
    assert_string_equal(s->tts_voice, "kal16");
    assert_true(s->tts_pace == 0.5);
    rlx_session_free(s);
    s = parse_ok("[voice]\ntts-voice = flite:rms\n[session]\nid = x\ntitle = \"X\"\n[timeline]\n0:00 end\n");
    assert_string_equal(s->tts_voice, "flite:rms");  /* the spec is kept as written */
    rlx_session_free(s);
    s = parse_ok("[voice]\nvoice = kal16\n[session]\nid = x\ntitle = \"X\"\n[timeline]\n0:00 end\n");
    assert_string_equal(s->tts_voice, "kal16");      /* `voice` is another name for tts-voice */
    rlx_session_free(s);
    s = parse_ok("[voice]\nlevel = off\ntts-voice = kal16\npace = 0.5\n"
                 "[breath]\npattern = 2.5 0.5 3 1\npitch = 40 hz\nglide = 0 st\nlevel = off\nduck = 60 dB\n"
                 "[ambient]\nfile = \"rain file.ogg\"\nlevel = -90 dB\nduck = 0 dB\n"
                 "[chime]\nfile = bell.wav\nlevel = 0 dB\n"
                 "[session]\nid = x\ntitle = \"X\"\nweek = 99\nsummary = \"\"\n"
                 "[timeline]\n0:00 end\n");
    assert_int_equal(s->breath.inhale_ms, 2500);
    assert_int_equal(s->breath.hold_in_ms, 500);
    assert_int_equal(s->breath.exhale_ms, 3000);
    assert_int_equal(s->breath.hold_out_ms, 1000);
    assert_true(s->breath_pitch_hz == 40);
    assert_true(s->breath_glide_st == 0);
    assert_false(s->breath_enabled);
    assert_true(s->breath_duck_db == 60);
    assert_string_equal(s->ambient_file, "rain file.ogg");
    assert_null(s->ambient_path);
    assert_true(s->ambient_level_db == -90 && s->ambient_duck_db == 0);
    assert_string_equal(s->chime_file, "bell.wav");
    assert_true(s->chime_level_db == 0);
    assert_int_equal(s->week, 99);
    assert_string_equal(s->summary, "");
    rlx_session_free(s);
}

static void every_cue(void **state)
{
    (void)state;
    rlx_session *s = parse_ok(HEAD "0:00 say \"a\" recording rec/a.wav gain -3 dB\n"
                                   "+1.5 s play \"clip one.flac\" gain +12 dB\n"
                                   "+500 ms play b.flac \"cap\"\n"
                                   "1:00:00 silence 1 min\n"
                                   "1:00:00.5 silence 10 s .. 20 s\n"
                                   "1:00:00.75 breath 4 0 6 0\n"
                                   "+2 min breath sync   # comment\n"
                                   "1:00:01 chime\n"
                                   "1:00:01 chime gain -40 dB\n"
                                   "1:00:01 chime \"bell.wav\" gain 1.5 dB\n"
                                   "1:00:02 fade-in 1500 ms\n"
                                   "1:00:02 fade-out 0 s\n"
                                   "1:00:02 level voice -20 LUFS over 2 s\n"
                                   "1:00:02 level breath -30 dB\n"
                                   "1:00:02 level ambient 0 dB over 1 min\n"
                                   "23:59:59.999 end\n");
    assert_int_equal(s->ncues, 16);
    const rlx_cue *c = s->cues;
    assert_int_equal(c[0].kind, RLX_CUE_SAY);
    assert_string_equal(c[0].file, "rec/a.wav");
    assert_null(c[0].path);
    assert_true(c[0].gain_db == -3);
    assert_int_equal(c[0].line, HEAD_LINES + 1);
    assert_int_equal(c[1].kind, RLX_CUE_PLAY);
    assert_true(c[1].relative);
    assert_int_equal(c[1].time_ms, 1500);
    assert_string_equal(c[1].file, "clip one.flac");
    assert_null(c[1].text);
    assert_true(c[1].gain_db == 12);
    assert_int_equal(c[2].time_ms, 500);
    assert_string_equal(c[2].text, "cap");
    assert_int_equal(c[3].time_ms, 3600000);
    assert_int_equal(c[3].dur_ms, 60000);
    assert_int_equal(c[3].dur_max_ms, 60000);
    assert_int_equal(c[4].time_ms, 3600500);
    assert_int_equal(c[4].dur_ms, 10000);
    assert_int_equal(c[4].dur_max_ms, 20000);
    assert_int_equal(c[5].time_ms, 3600750);
    assert_int_equal(c[6].kind, RLX_CUE_BREATH_SYNC);
    assert_int_equal(c[6].time_ms, 120000);
    assert_int_equal(c[7].kind, RLX_CUE_CHIME);
    assert_null(c[7].file);
    assert_true(c[8].gain_db == -40);
    assert_null(c[8].file);
    assert_string_equal(c[9].file, "bell.wav");
    assert_true(c[9].gain_db == 1.5);
    assert_int_equal(c[10].kind, RLX_CUE_FADE_IN);
    assert_int_equal(c[10].dur_ms, 1500);
    assert_int_equal(c[11].kind, RLX_CUE_FADE_OUT);
    assert_int_equal(c[11].dur_ms, 0);
    assert_int_equal(c[12].kind, RLX_CUE_LEVEL);
    assert_int_equal(c[12].bus, RLX_BUS_VOICE);
    assert_true(c[12].value == -20);
    assert_int_equal(c[12].dur_ms, 2000);
    assert_int_equal(c[13].bus, RLX_BUS_BREATH);
    assert_int_equal(c[13].dur_ms, 50);
    assert_int_equal(c[14].bus, RLX_BUS_AMBIENT);
    assert_int_equal(c[14].dur_ms, 60000);
    assert_int_equal(c[15].kind, RLX_CUE_END);
    assert_int_equal(c[15].time_ms, 86399999);
    assert_true(rlx_cue_is_voice(&c[0]) && rlx_cue_is_voice(&c[1]) && !rlx_cue_is_voice(&c[3]));
    assert_false(rlx_cue_is_voice(NULL));
    rlx_session_free(s);
}

static void cue_names(void **state)
{
    (void)state;
    const char *want[] = {"say", "play", "silence", "breath", "breath sync", "chime",
                          "fade-in", "fade-out", "level", "end"};
    for (int k = 0; k < RLX_CUE_KIND_COUNT; k++)
        assert_string_equal(rlx_cue_kind_name((rlx_cue_kind)k), want[k]);
    assert_string_equal(rlx_cue_kind_name(RLX_CUE_KIND_COUNT), "?");
}

/* Each error: its message, line and column. */
static void error_messages(void **state)
{
    (void)state;
    const int H = HEAD_LINES + 1;
    expect_error(HEAD "0:00 sya \"hi\"\n0:01 end\n", H, 6, "unknown cue 'sya' (did you mean 'say'?)");
    expect_error(HEAD "0:00 wobble\n0:01 end\n", H, 6,
                 "unknown cue 'wobble' (expected say, play, silence, breath, chime, fade-in, fade-out, level or end)");
    expect_error(HEAD "0:00 fade-in 10\n0:01 end\n", H, 14, "expected a duration like '10 s' or '1500 ms'");
    expect_error(HEAD "0:00 fade-in 10 sec\n0:01 end\n", H, 17, "expected a duration like '10 s' or '1500 ms'");
    expect_error(HEAD "0:00 fade-in soon\n0:01 end\n", H, 14, "expected a duration like '10 s' or '1500 ms'");
    expect_error(HEAD "1:00 chime\n0:40 chime\n2:00 end\n", H + 1, 1,
                 "absolute time 0:40 is before the previous cue at 1:00");
    expect_error(HEAD "0:00 end\n0:01 chime\n", H + 1, 1, "cue after 'end' (nothing may follow 'end')");
    expect_error(HEAD "0:00 say \"hello\n0:01 end\n", H, 10, "unterminated string");
    expect_error("[session]\nid = a\ntitle = \"A\"\n[voice]\n[breath]\n[voice]\n[timeline]\n0:00 end\n", 6, 1,
                 "section [voice] repeated (first at line 4)");
    expect_error("[session]\ntitle = \"A\"\n[timeline]\n0:00 end\n", 1, 1, "missing [session] id");
    expect_error("[session]\nid = a\n[timeline]\n0:00 end\n", 1, 1, "missing [session] title");
    expect_error(HEAD "0:00 say \"a\"\n", HEAD_LINES, 1,
                 "the timeline has no 'end' (finish it with a line like '14:00 end')");
    expect_error("[session]\nid = a\ntitle = \"A\"\n[voice]\nlevle = -18 LUFS\n[timeline]\n0:00 end\n", 5, 1,
                 "unknown key 'levle' in [voice] (did you mean 'level'?)");
    expect_error("[session]\nid = a\ntitle = \"A\"\nauthor = \"me\"\n[timeline]\n0:00 end\n", 4, 1,
                 "unknown key 'author' in [session] (expected id, title, week or summary)");
    expect_error("[sesion]\n[session]\nid = a\ntitle = \"A\"\n[timeline]\n0:00 end\n", 1, 2,
                 "unknown section [sesion] (did you mean [session]?)");
    expect_error("id = a\n[session]\nid = a\ntitle = \"A\"\n[timeline]\n0:00 end\n", 1, 1,
                 "setting 'id' outside a section (put it under a header like [session])");
    expect_error(HEAD "0:00 say \"a\" gain 13 dB\n0:01 end\n", H, 19, "gain must be from -40 to 12 dB");
    expect_error(HEAD "0:00 say \"a\" gain 3\n0:01 end\n", H, 19, "expected a gain like '-3 dB'");
    expect_error(HEAD "0:00 say \"a\" breath-duck 61 dB\n0:01 end\n", H, 26,
                 "breath-duck must be from 0 to 60 dB");
    expect_error(HEAD "0:00 say \"a\" breath-duck 3 dB breath-duck 2 dB\n0:01 end\n", H, 31,
                 "'breath-duck' given twice");
    expect_error(HEAD "0:00 say \"a\" breath-duk 3 dB\n0:01 end\n", H, 14,
                 "unexpected 'breath-duk' after the cue (did you mean 'breath-duck'?)");
    expect_error(HEAD "0:00 say \"\"\n0:01 end\n", H, 10, "nothing to say: the text is empty");
    expect_error(HEAD "0:00 say hello\n0:01 end\n", H, 10,
                 "expected the text to say in double quotes, like \"...\"");
    expect_error(HEAD "0:00 say \"a\\n\"\n0:01 end\n", H, 12,
                 "unknown escape '\\n' (only \\\" and \\\\ are escapes)");
    expect_error(HEAD "0:00 play\n0:01 end\n", H, 10,
                 "expected the file to play, like 'play narration/intro.flac'");
    expect_error(HEAD "0:00 silence 2 min .. 1 min\n0:01 end\n", H, 23,
                 "the longest silence (1:00) is shorter than the shortest (2:00)");
    expect_error(HEAD "0:00 silence 2 min ..\n0:01 end\n", H, 22, "expected a duration like '10 s' or '1500 ms'");
    expect_error(HEAD "0:00 breath 4 0 6\n0:01 end\n", H, 18,
                 "expected four durations in seconds: inhale, hold, exhale, hold (like '4 0 6 0')");
    expect_error(HEAD "0:00 breath 4 0 61 0\n0:01 end\n", H, 17, "each breath phase must be from 0 to 60 seconds");
    expect_error(HEAD "0:00 breath 0 5 0 5\n0:01 end\n", H, 13, "inhale and exhale cannot both be 0");
    expect_error(HEAD "0:00 breath 0.2 0 0.2 0\n0:01 end\n", H, 13, "a breath cycle must last at least 1 second");
    expect_error(HEAD "0:00 breath synk\n0:01 end\n", H, 13,
                 "expected four durations in seconds: inhale, hold, exhale, hold (like '4 0 6 0')");
    expect_error(HEAD "0:00 level volume -3 dB\n0:01 end\n", H, 12,
                 "expected voice, breath or ambient after 'level'");
    expect_error(HEAD "0:00 level vocie -3 dB\n0:01 end\n", H, 12, "unknown level 'vocie' (did you mean 'voice'?)");
    expect_error(HEAD "0:00 level voice -3 dB\n0:01 end\n", H, 21, "expected a loudness like '-18 LUFS'");
    expect_error(HEAD "0:00 level voice -80 LUFS\n0:01 end\n", H, 18, "voice level must be from -70 to 0 LUFS");
    expect_error(HEAD "0:00 level breath 3 dB\n0:01 end\n", H, 19, "level must be from -90 to 0 dB");
    expect_error(HEAD "0:00 level breath -3 dB over\n0:01 end\n", H, 29,
                 "expected a duration like '10 s' or '1500 ms'");
    expect_error(HEAD "0:00 end now\n", H, 10, "unexpected 'now' after 'end'");
    expect_error(HEAD "0:00 say \"a\" recordin a.wav\n0:01 end\n", H, 14,
                 "unexpected 'recordin' after the cue (did you mean 'recording'?)");
    expect_error(HEAD "0:00 level breath -3 dB ovr 2 s\n0:01 end\n", H, 25,
                 "unexpected 'ovr' after the cue (did you mean 'over'?)");
    expect_error(HEAD "0:00 chime bell.wav extra\n0:01 end\n", H, 21, "unexpected 'extra' after the cue");
    expect_error(HEAD "say \"a\"\n0:01 end\n", H, 1, "'say' needs a time in front, like '0:30 say' or '+2 s say'");
    expect_error(HEAD "hello\n0:01 end\n", H, 1,
                 "expected a time like '0:30' or '+2 s' at the start of a cue, found 'hello'");
    expect_error(HEAD "0:00\n0:01 end\n", H, 5,
                 "missing cue after the time (say, play, silence, breath, chime, fade-in, fade-out, level or end)");
    expect_error(HEAD "0:60 end\n", H, 1, "seconds must be from 00 to 59");
    expect_error(HEAD "0:5 end\n", H, 1, "expected a time like '13:20', '1:02:03.5' or '+2 s' (seconds have two digits)");
    expect_error(HEAD "1:60:00 end\n", H, 1, "minutes must be from 00 to 59 in h:mm:ss");
    expect_error(HEAD "25:00:00 end\n", H, 1, "time beyond 24 hours");
    expect_error(HEAD "99999999:00 end\n", H, 1,
                 "expected a time like '13:20', '1:02:03.5' or '+2 s' (minutes have at most two digits; write "
                 "longer times as h:mm:ss)");
    expect_error(HEAD "0:00.1234 end\n", H, 1,
                 "expected a time like '13:20', '1:02:03.5' or '+2 s' (at most three decimals)");
    expect_error(HEAD "0:00x end\n", H, 1, "expected a time like '13:20', '1:02:03.5' or '+2 s'");
    expect_error(HEAD "+2 end\n", H, 4, "expected a duration like '10 s' or '1500 ms'");
    expect_error(HEAD "+-2 s end\n", H, 1, "expected a relative time like '+2 s' or '+500 ms'");
    expect_error(HEAD "-2 s end\n", H, 1, "times cannot be negative (a relative time is written '+2 s')");
    expect_error(HEAD "+25 h chime\n+2s\tend\n", H, 5, "expected a duration like '10 s' or '1500 ms'");
    expect_error(HEAD "0:00 fade-in 1e308 s\n0:01 end\n", H, 14,
                 "numbers are written without exponents (like '-12' or '0.5')");
    expect_error(HEAD "0:00 fade-in 99999999999999999999999 s\n0:01 end\n", H, 14, "number too large");
    expect_error(HEAD "0:00 fade-in 1441 min\n0:01 end\n", H, 14, "duration too long (at most 24 hours)");
    expect_error(HEAD "0:00 fade-in -1 s\n0:01 end\n", H, 14, "a duration cannot be negative");
    expect_error(HEAD "include \"x.inc\"\n0:01 end\n", H, 1, "'include' is only allowed outside [timeline]");
    expect_error(HEAD "0:00 end\n[timeline]\n", H + 1, 1, "section [timeline] repeated (first at line 4)");
    expect_error(HEAD "+2s\"a\" end\n", H, 4, "expected a blank between the time and the cue");
    expect_error(HEAD "0:00 \"a\"\n0:01 end\n", H, 6, "expected a cue (say, play, silence, ...), found '\"a\"'");
    expect_error(HEAD "0:00 say \"a\" recording a.wav recording b.wav\n0:01 end\n", H, 30,
                 "'recording' given twice");
    expect_error(HEAD "0:00 say \"a\x01\"\n0:01 end\n", H, 12, "control character in string");
    expect_error("[session]\nid = a\ntitle = \"A\"\ninclude \"x.inc\" y\n[timeline]\n0:00 end\n", 4, 17,
                 "unexpected 'y' after the included file name");

    /* settings */
    const char *S = "[session]\nid = a\ntitle = \"A\"\n";
    char buf[512];
#define SET(text) (snprintf(buf, sizeof buf, "%s%s\n[timeline]\n0:00 end\n", S, text), buf)
    expect_error(SET("[voice]\nlevel = -18 dB"), 5, 13, "expected a loudness like '-18 LUFS'");
    expect_error(SET("[voice]\nlevel = 3 LUFS"), 5, 9, "level must be from -70 to 0 LUFS");
    expect_error(SET("[voice]\nlevel"), 5, 6, "expected '=' after 'level'");
    expect_error(SET("[voice]\nlevel ="), 5, 8, "missing value for 'level'");
    expect_error(SET("[voice]\ntts-voice = sly"), 5, 13, "unknown voice 'sly' (did you mean 'slt'?)");
    expect_error(SET("[voice]\ntts-voice = robot"), 5, 13, "unknown voice 'robot' (expected slt, rms, awb, kal16 or slt-hts)");
    expect_error(SET("[voice]\ntts-voice = flit:slt"), 5, 13, "unknown voice 'flit:slt' (did you mean 'flite:slt'?)");
    expect_error(SET("[voice]\npace = 3"), 5, 8, "pace must be from 0.5 (fast) to 2 (slow)");
    expect_error(SET("[voice]\npace = fast"), 5, 8, "expected a pace like '1.15' (0.5 fast to 2 slow)");
    expect_error(SET("[breath]\npattern = 4 0 6"), 5, 16,
                 "expected four durations in seconds: inhale, hold, exhale, hold (like '4 0 6 0')");
    expect_error(SET("[breath]\npitch = 20 Hz"), 5, 9, "pitch must be from 40 to 2000 Hz");
    expect_error(SET("[breath]\npitch = 200"), 5, 9, "expected a pitch like '174 Hz'");
    expect_error(SET("[breath]\nglide = 13 st"), 5, 9, "glide must be from 0 to 12 st");
    expect_error(SET("[breath]\nlevel = 1e308 dB"), 5, 9,
                 "numbers are written without exponents (like '-12' or '0.5')");
    expect_error(SET("[breath]\nduck = 61 dB"), 5, 8, "duck must be from 0 to 60 dB");
    expect_error(SET("[ambient]\nlevel = -91 dB"), 5, 9, "level must be from -90 to 0 dB");
    expect_error(SET("[ambient]\nfile = \"\""), 5, 8, "empty file name");
    expect_error(SET("[ambient]\nfile = a.ogg b.ogg"), 5, 14, "unexpected 'b.ogg' after the file name");
    expect_error(SET("[chime]\nlevel = loud"), 5, 9, "expected a level like '-32 dB'");
    expect_error(SET("[chime]\nfile = ?x"), 5, 8,
                 "expected a file name (a word like ambient/shore.ogg or a \"string\"), found '?'");
    expect_error(SET("[chime]\nfile = bell\xff.wav"), 5, 12, "invalid UTF-8 in file name");
    expect_error(SET("[voice]\n= 3"), 5, 1, "expected a setting like 'key = value', found '='");
    expect_error(SET("[foo]"), 4, 2,
                 "unknown section [foo] (expected [session], [voice], [breath], [ambient], [chime] or [timeline])");
    expect_error("[session]\nid = \"a\"\ntitle = \"A\"\n[timeline]\n0:00 end\n", 2, 6,
                 "expected an id of a-z, 0-9 and '-', like 'week-03'");
    expect_error(SET("[session]\n"), 4, 1, "section [session] repeated (first at line 1)");
    expect_error("[session]\nid = Week_3\ntitle = \"A\"\n[timeline]\n0:00 end\n", 2, 6,
                 "an id may only use a-z, 0-9 and '-', like 'week-03'");
    expect_error("[session]\nid = a\ntitle = A\n[timeline]\n0:00 end\n", 3, 9,
                 "expected a title in double quotes, like \"...\"");
    expect_error("[session]\nid = a\ntitle = \"\"\n[timeline]\n0:00 end\n", 3, 9, "the title cannot be empty");
    expect_error(SET("week = 2.5"), 4, 8, "week must be a whole number from 1 to 99");
    expect_error(SET("week = 100"), 4, 8, "week must be a whole number from 1 to 99");
    expect_error(SET("week = 3rd"), 4, 8, "week must be a whole number from 1 to 99");
    expect_error(SET("[breath\n"), 4, 1, "expected a section header like [session]");
    expect_error(SET("[voice] x"), 4, 9, "unexpected 'x' after the section header");
    expect_error("[session]\nid = a\ntitle = \"A\"\n", 0, 0, "missing [timeline]");
    expect_error("hello\n[session]\nid = a\ntitle = \"A\"\n[timeline]\n0:00 end\n", 1, 1,
                 "expected a section header like [session], found 'hello'");
#undef SET
}

static void columns_count_characters(void **state)
{
    (void)state;
    /* "é" is two bytes but one column; an invalid byte counts one column */
    expect_error(HEAD "0:00 say \"\xc3\xa9\xc3\xa9\" gian 3 dB\n0:01 end\n", HEAD_LINES + 1, 15,
                 "unexpected 'gian' after the cue (did you mean 'gain'?)");
    rlx_session *s = NULL;
    rlx_diags d;
    parse(HEAD "0:00 say \"\xff\" x\n0:01 end\n", &s, &d);
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].message, "invalid UTF-8 in string");
    assert_int_equal(d.items[0].col, 11);
    assert_string_equal(d.items[0].source, "0:00 say \"?\" x");
    rlx_diags_free(&d);

    parse(HEAD "\x01\x02 0:00 end\n0:00 end\n", &s, &d);
    assert_null(s);
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.items[0].col, 1);
    assert_string_equal(d.items[0].source, "?? 0:00 end");
    rlx_diags_free(&d);
}

static void reports_all_errors(void **state)
{
    (void)state;
    rlx_session *s = NULL;
    rlx_diags d;
    rlx_err e = parse("[session]\nid = A\ntitle = x\n[voice]\npace = 9\n[timeline]\n0:00 sya \"a\"\n"
                      "0:01 end\n0:02 chime\n",
                      &s, &d);
    assert_int_equal(e, RLX_ERR_SESSION);
    assert_null(s);
    assert_int_equal(d.errors, 5);
    assert_int_equal(d.items[0].line, 2);
    assert_int_equal(d.items[1].line, 3);
    assert_int_equal(d.items[2].line, 5);
    assert_int_equal(d.items[3].line, 7);
    assert_int_equal(d.items[4].line, 9);
    rlx_diags_free(&d);
}

static void warnings(void **state)
{
    (void)state;
    rlx_session *s = NULL;
    rlx_diags d;
    rlx_err e = parse("[session]\nid = a\ntitle = \"A\"\n[voice]\nlevel = -20 LUFS\n  level = -16 LUFS\n"
                      "[timeline]\n0:00 fade-out 2 min\n1:00 end\n",
                      &s, &d);
    assert_int_equal(e, RLX_OK);
    assert_non_null(s);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.warnings, 2);
    assert_int_equal(d.items[0].severity, RLX_DIAG_WARNING);
    assert_string_equal(d.items[0].message, "'level' set again in [voice]; this overrides line 5");
    assert_int_equal(d.items[0].line, 6);
    assert_int_equal(d.items[0].col, 3);
    assert_true(s->voice_lufs == -16);
    assert_string_equal(d.items[1].message, "fade-out runs until 2:00, past 'end' at 1:00");
    assert_int_equal(d.items[1].line, 8);
    assert_int_equal(d.items[1].col, 1);
    rlx_session_free(s);
    rlx_diags_free(&d);
}

static void files_are_checked(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *assets = rlx_test_tmpdir();
    free(rlx_test_write(assets, "found.flac", "x", 1));
    free(rlx_test_write(dir, "near.flac", "x", 1));
    const char *dirs[] = {assets, NULL};
    rlx_parse_config cfg = {.asset_dirs = dirs, .check_files = true};
    const char *text = "[session]\nid = a\ntitle = \"A\"\n[ambient]\nfile = nope.ogg\n[chime]\nfile = \"bell.wav\"\n"
                       "[timeline]\n"
                       "0:00 say \"a\" recording missing.wav\n" /* fine: TTS is used */
                       "0:10 play found.flac\n"
                       "0:20 play near.flac\n"
                       "0:30 play gone.flac\n"
                       "0:40 chime x.wav\n"
                       "0:50 chime\n"
                       "1:00 end\n";
    char name[4096];
    snprintf(name, sizeof name, "%s/a.session", dir);
    rlx_session *s = NULL;
    rlx_diags d = {0};
    rlx_err e = rlx_session_parse_buffer(name, text, strlen(text), &cfg, &s, &d);
    assert_int_equal(e, RLX_ERR_SESSION);
    assert_int_equal(d.errors, 4);
    char want[8192];
    snprintf(want, sizeof want, "audio file 'nope.ogg' not found (looked in %s, %s)", dir, assets);
    assert_string_equal(d.items[0].message, want);
    assert_int_equal(d.items[0].line, 5);
    assert_int_equal(d.items[0].col, 8);
    assert_int_equal(d.items[1].line, 7);
    assert_int_equal(d.items[1].col, 8);
    assert_int_equal(d.items[2].line, 12);
    assert_int_equal(d.items[2].col, 11);
    assert_int_equal(d.items[3].line, 13);
    assert_int_equal(d.items[3].col, 12);
    rlx_diags_free(&d);

    /* the same without checking: paths are resolved where found */
    cfg.check_files = false;
    e = rlx_session_parse_buffer(name, text, strlen(text), &cfg, &s, &d);
    assert_int_equal(e, RLX_OK);
    assert_null(s->cues[0].path);
    assert_non_null(s->cues[1].path);
    assert_non_null(strstr(s->cues[1].path, assets));
    assert_non_null(s->cues[2].path);
    assert_non_null(strstr(s->cues[2].path, dir));
    assert_null(s->cues[3].path);
    rlx_session_free(s);
    rlx_diags_free(&d);

    /* the default chime: only an error when a chime cue uses it */
    cfg.check_files = true;
    const char *t2 = HEAD "0:00 say \"a\"\n0:30 chime gain -3 dB\n1:00 end\n";
    e = rlx_session_parse_buffer(name, t2, strlen(t2), &cfg, &s, &d);
    assert_int_equal(e, RLX_ERR_SESSION);
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.items[0].line, HEAD_LINES + 2);
    assert_int_equal(d.items[0].col, 6);
    assert_non_null(strstr(d.items[0].message, "'chime.flac' (the default chime) not found"));
    rlx_diags_free(&d);
    const char *t3 = HEAD "0:00 say \"a\"\n1:00 end\n";
    e = rlx_session_parse_buffer(name, t3, strlen(t3), &cfg, &s, &d);
    assert_int_equal(e, RLX_OK);
    assert_null(s->chime_path);
    rlx_session_free(s);
    rlx_diags_free(&d);
    free(rlx_test_write(assets, "chime.flac", "x", 1));
    e = rlx_session_parse_buffer(name, t2, strlen(t2), &cfg, &s, &d);
    assert_int_equal(e, RLX_OK);
    assert_non_null(s->chime_path);
    rlx_session_free(s);
    rlx_diags_free(&d);

    rlx_test_rmtree(dir);
    rlx_test_rmtree(assets);
    free(dir);
    free(assets);
}

static void includes(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    const char *common = "# shared\n[voice]\ntts-voice = rms\n[breath]\npattern = 5 0 5 0\ninclude \"deeper.inc\"\n";
    const char *deeper = "[breath]\npitch = 200 Hz\n";
    free(rlx_test_write(dir, "common.inc", common, strlen(common)));
    free(rlx_test_write(dir, "sub/deeper.inc", deeper, strlen(deeper)));
    free(rlx_test_write(dir, "deeper.inc", "[breath]\npitch = 300 Hz\n", 24));
    const char *main = "include \"common.inc\"\n[session]\nid = a\ntitle = \"A\"\n[voice]\ntts-voice = awb\n"
                       "[timeline]\n0:00 end\n";
    char *path = rlx_test_write(dir, "a.session", main, strlen(main));
    rlx_session *s = NULL;
    rlx_diags d = {0};
    rlx_err e = rlx_session_parse(path, &nocheck, &s, &d);
    assert_int_equal(e, RLX_OK);
    assert_int_equal(d.count, 0);
    assert_string_equal(s->tts_voice, "awb"); /* written later */
    assert_int_equal(s->breath.inhale_ms, 5000);
    assert_true(s->breath_pitch_hz == 300);
    assert_int_equal(s->nfiles, 3);
    assert_non_null(strstr(s->files[1], "common.inc"));
    assert_non_null(strstr(s->files[2], "deeper.inc"));
    uint64_t h = 0xcbf29ce484222325ULL;
    const char *parts[] = {main, common, "[breath]\npitch = 300 Hz\n"};
    for (int p = 0; p < 3; p++)
        for (size_t k = 0; k < strlen(parts[p]); k++) {
            h ^= (unsigned char)parts[p][k];
            h *= 0x100000001b3ULL;
        }
    assert_true(s->hash == h);
    rlx_session_free(s);
    free(path);

    /* an error inside an include points into that file */
    free(rlx_test_write(dir, "bad.inc", "[voice]\n\npace = 7\n", 18));
    const char *m2 = "[session]\nid = a\ntitle = \"A\"\ninclude bad.inc\n[timeline]\n0:00 end\n";
    path = rlx_test_write(dir, "b.session", m2, strlen(m2));
    e = rlx_session_parse(path, &nocheck, &s, &d);
    assert_int_equal(e, RLX_ERR_SESSION);
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.items[0].file, "bad.inc"));
    assert_int_equal(d.items[0].line, 3);
    assert_int_equal(d.items[0].col, 8);
    rlx_diags_free(&d);
    free(path);

    /* self-include, cycles, depth, missing, timeline in an include */
    free(rlx_test_write(dir, "self.inc", "include \"self.inc\"\n", 19));
    free(rlx_test_write(dir, "x.inc", "include \"y.inc\"\n", 16));
    free(rlx_test_write(dir, "y.inc", "include \"x.inc\"\n", 16));
    free(rlx_test_write(dir, "tl.inc", "[timeline]\n0:00 end\n", 20));
    for (int k = 0; k < 10; k++) {
        char n[32], body[64];
        snprintf(n, sizeof n, "d%d.inc", k);
        snprintf(body, sizeof body, "include \"d%d.inc\"\n", k + 1);
        free(rlx_test_write(dir, n, body, strlen(body)));
    }
    free(rlx_test_write(dir, "d10.inc", "\n", 1));
    struct {
        const char *inc, *msg_part;
    } cases[] = {
        {"self.inc", "'self.inc' includes itself"},
        {"x.inc", "include cycle: 'x.inc' is already being read"},
        {"d0.inc", "includes nest more than 8 deep"},
        {"none.inc", "cannot include 'none.inc': cannot open: No such file or directory"},
        {"tl.inc", "[timeline] is not allowed in an included file (includes hold settings only)"},
        {".", "cannot include '.': is a directory"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char text[256];
        snprintf(text, sizeof text, "[session]\nid = a\ntitle = \"A\"\ninclude \"%s\"\n[timeline]\n0:00 end\n",
                 cases[c].inc);
        path = rlx_test_write(dir, "c.session", text, strlen(text));
        e = rlx_session_parse(path, &nocheck, &s, &d);
        assert_int_equal(e, RLX_ERR_SESSION);
        if (d.errors != 1 || strcmp(d.items[0].message, cases[c].msg_part)) {
            for (size_t k = 0; k < d.count; k++)
                fprintf(stderr, "   %s:%d:%d: %s\n", d.items[k].file, d.items[k].line, d.items[k].col,
                        d.items[k].message);
            fail_msg("case %s", cases[c].inc);
        }
        rlx_diags_free(&d);
        free(path);
    }

    /* the same file included over and over is bounded */
    {
        size_t cap = 64 * 1024, used = 0;
        char *text = malloc(cap);
        used += (size_t)snprintf(text, cap, "[session]\nid = a\ntitle = \"A\"\n");
        for (int k = 0; k < 1000; k++)
            used += (size_t)snprintf(text + used, cap - used, "include \"d10.inc\"\n");
        snprintf(text + used, cap - used, "[timeline]\n0:00 end\n");
        path = rlx_test_write(dir, "many.session", text, strlen(text));
        e = rlx_session_parse(path, &nocheck, &s, &d);
        assert_int_equal(e, RLX_ERR_SESSION);
        assert_int_equal(d.errors, 1000 - 64);
        assert_string_equal(d.items[0].message, "too many includes (at most 64 files, 16 MB in all)");
        assert_int_equal(d.items[0].line, 4 + 64);
        rlx_diags_free(&d);
        free(path);
        free(text);
    }
    rlx_test_rmtree(dir);
    free(dir);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void hostile_files(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    rlx_session *s = NULL;
    rlx_diags d = {0};
    double t0 = now_s();

    /* a directory */
    assert_int_equal(rlx_session_parse(dir, &nocheck, &s, &d), RLX_ERR_IO);
    assert_null(s);
    assert_string_equal(d.items[0].message, "is a directory");
    rlx_diags_free(&d);

    /* a FIFO with no writer must not hang */
    char fifo[4096];
    snprintf(fifo, sizeof fifo, "%s/fifo.session", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(rlx_session_parse(fifo, &nocheck, &s, &d), RLX_ERR_IO);
    assert_string_equal(d.items[0].message, "is not a regular file");
    rlx_diags_free(&d);

    /* a missing file */
    char missing[4096];
    snprintf(missing, sizeof missing, "%s/none.session", dir);
    assert_int_equal(rlx_session_parse(missing, &nocheck, &s, &d), RLX_ERR_IO);
    assert_string_equal(d.items[0].message, "cannot open: No such file or directory");
    assert_int_equal(d.items[0].line, 0);
    rlx_diags_free(&d);

    /* a 100 MB sparse file is refused without being read */
    char big[4096];
    snprintf(big, sizeof big, "%s/big.session", dir);
    int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 100 * 1024 * 1024), 0);
    close(fd);
    assert_int_equal(rlx_session_parse(big, &nocheck, &s, &d), RLX_ERR_IO);
    assert_string_equal(d.items[0].message,
                        "file too large (104857600 bytes; session and program files are at most 4 MB)");
    rlx_diags_free(&d);
    assert_true(now_s() - t0 < 1.0);
    rlx_test_rmtree(dir);
    free(dir);
}

static void hostile_text(void **state)
{
    (void)state;
    rlx_session *s = NULL;
    rlx_diags d = {0};

    /* a 1 MB line */
    size_t n = 1024 * 1024;
    char *line = malloc(n + 256);
    strcpy(line, HEAD "0:00 play x.wav \"");
    size_t k = strlen(line);
    memset(line + k, 'a', n);
    k += n;
    strcpy(line + k, " zz\n0:01 end\n");
    double t0 = now_s();
    assert_int_equal(parse(line, &s, &d), RLX_ERR_SESSION);
    assert_true(now_s() - t0 < 1.0);
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].message, "unterminated string");
    assert_int_equal(d.items[0].col, 17);
    assert_true(strlen(d.items[0].source) < 1000);
    rlx_diags_free(&d);

    /* error far along a long line: the excerpt is a window and the caret column fits in it */
    line[k - 1] = 0; /* cut before the closing part */
    strcpy(line + HEAD_LINES * 0 + strlen(HEAD "0:00 play x.wav \"") + n - 3, "\" x\n0:01 end\n");
    assert_int_equal(parse(line, &s, &d), RLX_ERR_SESSION);
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].message, "unexpected 'x' after the cue");
    assert_true(d.items[0].col > 1 && d.items[0].col <= 210);
    const char *src = d.items[0].source;
    assert_true(strlen(src) < 220);
    assert_int_equal(src[d.items[0].col - 1], 'x');
    assert_memory_equal(src, "...", 3);
    rlx_diags_free(&d);
    free(line);

    /* binary garbage with NUL bytes, every byte value */
    char *bin = malloc(1 << 20);
    unsigned x = 12345;
    for (size_t i = 0; i < (1u << 20); i++) {
        x = x * 1103515245u + 12345u;
        bin[i] = (char)(x >> 16);
    }
    t0 = now_s();
    assert_int_equal(rlx_session_parse_buffer("bin", bin, 1 << 20, &nocheck, &s, &d), RLX_ERR_SESSION);
    assert_true(now_s() - t0 < 1.0);
    assert_true(d.errors > 0);
    assert_true(d.count <= RLX_DIAGS_MAX);
    for (size_t i = 0; i < d.count; i++)
        if (d.items[i].source)
            for (const char *p = d.items[i].source; *p; p++)
                assert_true((unsigned char)*p >= 0x20 || *p == '\t');
    rlx_diags_free(&d);
    free(bin);

    /* many repeated sections and absurd numbers */
    size_t cap = 3 << 20;
    char *rep = malloc(cap);
    size_t used = 0;
    while (used + 100 < cap)
        used += (size_t)snprintf(rep + used, cap - used, "[voice]\nlevel = -99999999999999999 LUFS\n[x]\n");
    t0 = now_s();
    assert_int_equal(rlx_session_parse_buffer("rep", rep, used, &nocheck, &s, &d), RLX_ERR_SESSION);
    assert_true(now_s() - t0 < 1.0);
    rlx_diags_free(&d);

    /* too large as a buffer too */
    char *huge = calloc(5 << 20, 1);
    assert_int_equal(rlx_session_parse_buffer("huge", huge, 5 << 20, &nocheck, &s, &d), RLX_ERR_IO);
    rlx_diags_free(&d);
    free(huge);
    free(rep);

    /* empty input */
    assert_int_equal(rlx_session_parse_buffer("empty", NULL, 0, &nocheck, &s, &d), RLX_ERR_SESSION);
    assert_true(d.errors == 3);
    rlx_diags_free(&d);
}


/* The limits on untrusted sessions (README, "Limits"): each is one error at
 * the line and column that crosses it, reached in well under a second. */
static char *grow_text(char *buf, size_t *len, size_t *cap, const char *add)
{
    size_t n = strlen(add);
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        buf = realloc(buf, *cap);
        assert_non_null(buf);
    }
    memcpy(buf + *len, add, n + 1);
    *len += n;
    return buf;
}

static void limits(void **state)
{
    (void)state;
    double t0 = now_s();
    /* one `say` line of 1 MB: refused at the text's column */
    size_t big = 1024 * 1024;
    char *text = malloc(big + 256);
    assert_non_null(text);
    int n = snprintf(text, 256, HEAD "0:00 say \"");
    memset(text + n, 'a', big);
    snprintf(text + n + big, 256 - 0, "\"\n+1 s end\n");
    expect_error(text, HEAD_LINES + 1, 10,
                 "this line is too long to say (1048576 characters; at most 2000: split it into several 'say' "
                 "cues)");
    /* exactly at the limit is fine; characters, not bytes, are counted */
    n = snprintf(text, 256, HEAD "0:00 say \"");
    for (int k = 0; k < RLX_SESSION_MAX_SAY_CHARS; k++) {
        memcpy(text + n, "\xc3\xa9", 2); /* é */
        n += 2;
    }
    snprintf(text + n, 256, "\"\n+1 s end\n");
    rlx_session_free(parse_ok(text));
    free(text);

    /* total speech: 51 lines of 1,999 characters cross 100,000 at the 51st */
    size_t len = 0, cap = 0;
    char *buf = grow_text(NULL, &len, &cap, HEAD);
    char line[2100];
    for (int k = 0; k < 51; k++) {
        int m = snprintf(line, sizeof line, "+1 s say \"");
        memset(line + m, 'b', 1999);
        snprintf(line + m + 1999, 8, "\"\n");
        buf = grow_text(buf, &len, &cap, line);
    }
    buf = grow_text(buf, &len, &cap, "+1 s end\n");
    expect_error(buf, HEAD_LINES + 51, 10,
                 "too much speech: the 'say' lines so far hold more than 100000 characters");
    free(buf);

    /* cue count: the 100,001st cue is the error, once */
    len = cap = 0;
    buf = grow_text(NULL, &len, &cap, HEAD);
    for (int k = 0; k < RLX_SESSION_MAX_CUES; k++)
        buf = grow_text(buf, &len, &cap, "+0 s chime\n");
    buf = grow_text(buf, &len, &cap, "+0 s chime\n+0 s chime\n+1 s end\n");
    rlx_session *s = NULL;
    rlx_diags d;
    assert_int_equal(parse(buf, &s, &d), RLX_ERR_SESSION);
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.items[0].line, HEAD_LINES + RLX_SESSION_MAX_CUES + 1);
    assert_int_equal(d.items[0].col, 1);
    assert_string_equal(d.items[0].message, "too many cues (a session has at most 100000)");
    rlx_diags_free(&d);
    free(buf);
    assert_true(now_s() - t0 < 1.0);
}

/* An include of a file that is not a session file stops after a few errors. */
static void foreign_include(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char pw[4096] = "";
    for (int k = 0; k < 26; k++)
        strcat(pw, "root:x:0:0:root:/root:/bin/bash\n");
    free(rlx_test_write(dir, "passwd", pw, strlen(pw)));
    const char *main = "include \"passwd\"\n[session]\nid = a\ntitle = \"A\"\n[timeline]\n0:00 end\n";
    char *path = rlx_test_write(dir, "a.session", main, strlen(main));
    rlx_session *s = NULL;
    rlx_diags d = {0};
    assert_int_equal(rlx_session_parse(path, &nocheck, &s, &d), RLX_ERR_SESSION);
    /* one error, at the include, echoing none of the file's lines */
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.count, 1);
    assert_non_null(strstr(d.items[0].file, "a.session"));
    assert_int_equal(d.items[0].line, 1);
    assert_int_equal(d.items[0].col, 9);
    char want[4200];
    snprintf(want, sizeof want, "'%s/passwd' does not look like a session file: stopped reading it after 5 errors", dir);
    assert_string_equal(d.items[0].message, want);
    assert_null(strstr(d.items[0].source ? d.items[0].source : "", "root:x"));
    rlx_diags_free(&d);
    /* named itself: one error for the file, no line of it */
    snprintf(want, sizeof want, "%s/passwd", dir);
    assert_int_equal(rlx_session_parse(want, &nocheck, &s, &d), RLX_ERR_SESSION);
    assert_int_equal(d.count, 1);
    assert_null(d.items[0].source);
    assert_string_equal(d.items[0].message, "this does not look like a session file: stopped reading it after 5 errors");
    rlx_diags_free(&d);
    /* a session file with many errors but real sections is still checked in full */
    const char *bad = "[session]\nid = a\ntitle = \"A\"\nx\nx\nx\nx\nx\nx\nx\n[timeline]\n0:00 end\n";
    assert_int_equal(rlx_session_parse_buffer("b.session", bad, strlen(bad), &nocheck, &s, &d), RLX_ERR_SESSION);
    assert_int_equal(d.errors, 7);
    rlx_diags_free(&d);
    free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

static void cli_durations(void **state)
{
    (void)state;
    struct {
        const char *text;
        int64_t ms;
    } good[] = {
        {"90", 90000}, {"90 s", 90000}, {"90s", 90000}, {"15 min", 900000}, {"15m", 900000},
        {"1500 ms", 1500}, {"1:30", 90000}, {"1:02:03.5", 3723500}, {" 2.5 s ", 2500}, {"1h", 3600000},
        {"24:00:00", 86400000}, {"0", 0}, {"60 minutes", 3600000}, {"1 minute", 60000}, {"45 mins", 2700000},
        {"1 hour", 3600000}, {"2 hours", 7200000}, {"30 seconds", 30000}, {"1 second", 1000}, {"5 secs", 5000},
    };
    for (size_t k = 0; k < sizeof good / sizeof *good; k++) {
        int64_t ms = -1;
        if (!rlx_parse_duration_ms(good[k].text, &ms))
            fail_msg("'%s' rejected", good[k].text);
        assert_int_equal(ms, good[k].ms);
    }
    const char *bad[] = {"", "x", "-5", "+5", "5 parsecs", "1e3", "25 h", "24:00:01", "99999999999999999999",
                         "1:2", "1:60", "5 s x", "5 s # c", "1441 min", ":30", "5 minutess", "5 hrs", NULL};
    for (size_t k = 0; bad[k]; k++) {
        int64_t ms = 7;
        if (rlx_parse_duration_ms(bad[k], &ms))
            fail_msg("'%s' accepted", bad[k]);
        assert_int_equal(ms, 7);
    }
    assert_false(rlx_parse_duration_ms(NULL, NULL));
}

int main(void)
{
    nocheck.voices = rlx_voice_specs();  /* as the CLI parses */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readme_example_parses),
        cmocka_unit_test(defaults_and_crlf),
        cmocka_unit_test(every_setting),
        cmocka_unit_test(every_cue),
        cmocka_unit_test(cue_names),
        cmocka_unit_test(error_messages),
        cmocka_unit_test(columns_count_characters),
        cmocka_unit_test(reports_all_errors),
        cmocka_unit_test(warnings),
        cmocka_unit_test(files_are_checked),
        cmocka_unit_test(includes),
        cmocka_unit_test(hostile_files),
        cmocka_unit_test(hostile_text),
        cmocka_unit_test(cli_durations),
        cmocka_unit_test(limits),
        cmocka_unit_test(foreign_include),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
