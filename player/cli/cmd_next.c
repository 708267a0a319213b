/* cmd_next.c - `relax next`: resume the unfinished week, else play the next
 * open one, else say when it opens; render to a file without a device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_paths.h"
#include "cli_remote.h"
#include "cli_store.h"
#include "next_render.h"
#include "play.h"
#include "sink/sink_device.h"
#include "store/listen.h"

#define RLX_NEXT_RESUME_FADE_MS 3000   /* and fade in over this */

static void usage(FILE *f)
{
    fprintf(f, "Usage: relax next [--profile NAME] [--store PATH|URI] [--room NAME] [--any]\n"
               "                  [--device NAME|INDEX] [--length DURATION] [--tail D] [--volume DB]\n"
               "                  [--start-in D] [--stop-after D] [--bed NAME] [-o FILE]\n"
               "                  [--remote | --remote-listen ADDRESS[:PORT]] [--remote-key KEY]\n"
               "Resumes your unfinished week, or plays the next week that is open.\n"
               "--any plays the next week even if it has not opened yet.\n"
               "--device, --length, --tail, --start-in, --stop-after, --bed and --volume work as with\n"
               "'relax play'; the profile's last --length and --bed are used when not given.\n"
               "Without an audio device the week is rendered to your music folder instead\n"
               "(relax-week-NN.ogg, Ogg Vorbis) and remembered as rendered, not yet heard.\n"
               "  -o FILE   render the week to FILE (.ogg, .flac or .wav) instead of playing it\n");
}

void rlx_cli_next_start(const rlx_cli_progress *p, int w, int64_t asked_ms, int64_t *from_ms,
                        int64_t *fade_ms, int64_t *length_ms)
{
    *from_ms = *fade_ms = 0;
    *length_ms = asked_ms;
    if (!p->sum.resume || w != p->sum.next)
        return;
    if (asked_ms <= 0)
        *length_ms = p->status[w].length_ms;   /* as long as that listen was (play --length) */
    int64_t from = p->status[w].resume_ms - RLX_NEXT_RESUME_BACK_MS;
    *from_ms = from < 0 ? 0 : from;
    *fade_ms = *from_ms > 0 ? RLX_NEXT_RESUME_FADE_MS : 0;
}

/* Plays one week live, recording the listen; returns an exit code
 * (RLX_EXIT_NO_DEVICE without a device). */
static int play_week(const rlx_play_opts *given, const char *path, int64_t from_ms, int64_t fade_ms,
                     int64_t length_ms, const char *profile, const char *store)
{
    rlx_play_opts o = *given;   /* --device, --volume */
    o.from_ms = from_ms;
    o.resume_fade_ms = (int)fade_ms;
    o.length_ms = length_ms;
    o.length_fit = true;   /* the session may have been edited since that listen */
    o.profile = profile;
    o.store_path = store;
    return rlx_cli_play_recorded(path, &o);
}

static void say_when_open(const rlx_cli_progress *p)
{
    int w = p->sum.waiting;
    char day[64], when[96];
    int days = rlx_cli_days_until(p->now_ms, p->sum.waiting_opens_ms);
    if (days <= 0) {
        time_t secs = (time_t)(p->sum.waiting_opens_ms / 1000);
        struct tm tm;
        localtime_r(&secs, &tm);
        strftime(when, sizeof when, "today at %H:%M", &tm);
        printf("Week %d opens %s.", w + 1, when);
    } else {
        rlx_cli_fmt_day(p->sum.waiting_opens_ms, day, sizeof day);
        if (days == 1)
            snprintf(when, sizeof when, "tomorrow");
        else
            snprintf(when, sizeof when, "in %d days", days);
        printf("Week %d opens on %s (%s).", w + 1, day, when);
    }
    /* the latest completed week is the natural one to replay */
    int last = -1;
    for (int i = 0; i < (int)p->n; i++)
        if (p->status[i].state == RLX_WEEK_DONE &&
            (last < 0 || p->status[i].completed_ms >= p->status[last].completed_ms))
            last = i;
    if (last >= 0)
        printf(" You can replay any completed week with 'relax play %s'.", p->weeks[last].id);
    printf("\n");
}

/* The shared store does not answer: what this machine's journal knows of
 * the profile (its own listens here) still names a week to play. */
static void offer_from_journal(const rlx_cli_progress *p, const char *profile, const rlx_cli_store_opts *o)
{
    if (p->listens > 0 && p->sum.next < 0 && (p->sum.waiting >= 0 || p->sum.all_done)) {
        printf("From this machine's journal: ");
        if (p->sum.all_done)
            printf("%s has completed all %zu weeks.\n", profile, p->n);
        else
            say_when_open(p);
        return;
    }
    if (p->listens == 0 || p->sum.next < 0) {
        printf("This machine's journal knows no week for %s yet; try again when the server is back.\n", profile);
        return;
    }
    int w = p->sum.next;
    char from[48] = "", t[32], store[1024] = "", prof[128] = "";
    if (p->sum.resume)
        snprintf(from, sizeof from, " --from %s", rlx_cli_fmt_time(p->status[w].resume_ms, t, sizeof t));
    if (o->profile)
        snprintf(prof, sizeof prof, " --profile '%s'", o->profile);
    if (o->store) {
        char shown[900];
        rlx_store_redact(o->store, shown, sizeof shown);
        snprintf(store, sizeof store, " --store '%s'", shown);
    }
    printf("From this machine's journal, week %d (%s) is next for %s: 'relax play %s%s%s%s' plays it now, "
           "and the listen is sent when the server is back.\n", w + 1,
           p->weeks[w].title ? p->weeks[w].title : p->weeks[w].id, profile, p->weeks[w].id, from, prof, store);
}

/* A render instead of playing remembers --length and --bed as playing
 * does (rlx_cli_play_recorded). */
static int remember_choice(const rlx_cli_store_opts *o, const char *profile, const rlx_play_opts *po)
{
    if (!po->length_set && !po->bed)
        return RLX_EXIT_OK;
    rlx_store *st;
    char why[1024];
    int rc = rlx_cli_store_open_ex(o, RLX_STORE_OFFLINE_OK, &st, why, sizeof why);
    if (rc)
        return rc;
    rlx_err err = rlx_store_profile_set_prefs(st, profile, po->length_set ? po->length_ms : -1,
                                              po->bed ? (strcmp(po->bed, "session") ? po->bed : "") : NULL,
                                              why, sizeof why);
    rlx_store_close(st);
    if (err) {
        rlx_cli_error("%s", why);
        return rlx_cli_exit_code(err);
    }
    return RLX_EXIT_OK;
}

/* The options given that only playing uses ("--volume, --stop-after"), or "". */
static void playing_only(const rlx_play_opts *po, char *buf, size_t len)
{
    const char *names[6];
    size_t n = 0;
    if (po->device && *po->device)
        names[n++] = "--device";
    if (po->volume_set)
        names[n++] = "--volume";
    if (po->start_in_ms > 0)
        names[n++] = "--start-in";
    if (po->stop_after_ms > 0)
        names[n++] = "--stop-after";
    if (po->remote)
        names[n++] = "--remote";
    size_t o = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", names[i]);
}

int rlx_cmd_next(int argc, char **argv)
{
    /* the options that play come from play's table; the rest are the store's */
    rlx_play_opts po = rlx_play_opts_init();
    rlx_cli_remote_opts ro;
    int rrc = rlx_cli_remote_args(&argc, argv, &ro);
    if (rrc)
        return rrc;
    po.remote = ro.on;
    po.remote_listen = ro.listen;
    po.remote_key = ro.key;
    const char *length_arg = NULL, *tail_arg = NULL, *out = NULL, *bed_arg = NULL;
    char **rest = malloc((size_t)(argc + 1) * sizeof *rest);
    if (!rest)
        return RLX_EXIT_INTERNAL;
    int nrest = 0;
    rest[nrest++] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
            if (i + 1 >= argc || !*argv[i + 1]) {
                rlx_cli_error("next: %s needs a file name (for example week.ogg)", argv[i]);
                free(rest);
                return RLX_EXIT_USAGE;
            }
            out = argv[++i];
            continue;
        }
        int at = i;
        int prc = rlx_cli_play_option(argc, argv, &i,
                                      RLX_PLAY_OPT_DEVICE | RLX_PLAY_OPT_LENGTH | RLX_PLAY_OPT_VOLUME |
                                          RLX_PLAY_OPT_TAIL | RLX_PLAY_OPT_START_IN | RLX_PLAY_OPT_STOP_AFTER |
                                          RLX_PLAY_OPT_BED, &po);
        if (prc > 0) {
            free(rest);
            return prc;
        }
        if (prc < 0)
            rest[nrest++] = argv[i];
        else if (!strcmp(argv[at], "--length"))
            length_arg = argv[i];
        else if (!strcmp(argv[at], "--tail"))
            tail_arg = argv[i];
    }
    rest[nrest] = NULL;
    rlx_cli_store_opts o;
    int rc = rlx_cli_store_args(nrest, rest, "profile store any room", &o);
    free(rest);
    if (rc)
        return rc;
    if (o.help) {
        usage(stdout);
        return RLX_EXIT_OK;
    }
    if ((rc = rlx_cli_parsed(argv[0])))
        return rc;
    char only_playing[128];
    playing_only(&po, only_playing, sizeof only_playing);
    if (out && only_playing[0]) {
        rlx_cli_error("next -o writes a file: %s %s to playing; leave %s out", only_playing,
                      strchr(only_playing, ',') ? "apply" : "applies", strchr(only_playing, ',') ? "them" : "it");
        return RLX_EXIT_USAGE;
    }
    const char *profile = rlx_store_resolve_profile(o.profile);
    rlx_store *st;
    char why[1024];
    if ((rc = rlx_cli_store_open_ex(&o, RLX_STORE_OFFLINE_OK, &st, why, sizeof why)))
        return rc;
    rlx_cli_progress p;
    rc = rlx_cli_progress_load(st, profile, o.any, &p);
    bool offline = rlx_store_offline(st);
    /* a render (no device, -o) uses the profile's length and bed as playing
     * does (playing reads them again through its recorder) */
    rlx_profile prof = {0};
    char bed_buf[256], len_buf[32];
    bool len_remembered = false;
    if (!rc && !offline && rlx_store_profile_get(st, profile, false, &prof, why, sizeof why) == RLX_OK) {
        if (!po.bed && prof.bed && rlx_cli_bed_known(prof.bed) && strlen(prof.bed) < sizeof bed_buf) {
            snprintf(bed_buf, sizeof bed_buf, "%s", prof.bed);
            bed_arg = bed_buf;
        }
        if (!po.length_set && prof.length_ms > 0) {
            snprintf(len_buf, sizeof len_buf, "%lld ms", (long long)prof.length_ms);
            len_remembered = true;
        }
    }
    if (po.bed)
        bed_arg = po.bed;
    rlx_profile_clear(&prof);
    if (length_arg && po.length_set && po.length_ms == 0)
        length_arg = NULL;   /* --length natural */
    rlx_store_close(st);   /* playback opens its own connection */
    if (rc)
        return rc;
    if (offline) {
        rlx_cli_error("%s", why);
        offer_from_journal(&p, profile, &o);
        rlx_cli_progress_free(&p);
        return RLX_EXIT_STORE;
    }

    if (p.sum.all_done) {
        printf("You have completed all %zu weeks. Well done, and thank you for giving yourself this time.\n"
               "Any week can be played again, for example 'relax play %s'.\n",
               p.n, p.n ? p.weeks[p.n - 1].id : "week-01");
        rlx_cli_progress_free(&p);
        return RLX_EXIT_OK;
    }
    if (p.sum.next < 0) {
        if (p.sum.waiting >= 0)
            say_when_open(&p);
        else
            printf("The program has no sessions.\n");
        rlx_cli_progress_free(&p);
        return RLX_EXIT_OK;
    }

    int w = p.sum.next;
    const rlx_cli_week *week = &p.weeks[w];
    const char *title = week->title ? week->title : week->id;
    /* a session file broken since (edited by hand): say so before announcing it */
    rlx_session *check = NULL;
    rlx_diags d = {0};
    rc = rlx_cli_exit_code(rlx_cli_load_session(week->path, &check, &d));
    if (rc) {
        rlx_cli_print_diags(stderr, &d);
        rlx_cli_error("week %d cannot be played until %s is fixed (relax check shows why)", w + 1, week->path);
    }
    rlx_session_free(check);
    rlx_diags_free(&d);
    if (rc) {
        rlx_cli_progress_free(&p);
        return rc;
    }
    int64_t from = 0, fade = 0, length = 0;   /* length 0: the session's natural length */
    char a[32], b[32];
    rlx_cli_next_start(&p, w, po.length_ms, &from, &fade, &length);
    /* no output device at all: render straight away (the player would say
     * "no device" first); a device that fails to open comes back as 6 too */
    bool none = false;
    if (!out) {   /* asked for a file: no need to look for a device */
        rlx_device_info *devs = NULL;
        size_t ndevs = 0;
        none = rlx_device_list(&devs, &ndevs) == RLX_OK && ndevs == 0;
        free(devs);
    }
    if (p.sum.resume && !out && !none) {
        printf("Resuming week %d, %s, at %s of %s.\n", w + 1, title, rlx_cli_fmt_time(from, a, sizeof a),
               rlx_cli_fmt_time(p.status[w].length_ms, b, sizeof b));
    } else if (p.sum.resume) {   /* a file holds the whole week, to listen to from the start */
        printf("Week %d: %s (last time you stopped at %s; the file holds the whole week)\n", w + 1, title,
               rlx_cli_fmt_time(from, a, sizeof a));
    } else {
        printf("Week %d: %s\n", w + 1, title);
    }
    fflush(stdout);
    if (out) {
        rc = rlx_cli_next_render(&o, profile, &p, w, out, len_remembered ? len_buf : length_arg, tail_arg, bed_arg,
                                 len_remembered, false);
        if (rc == RLX_EXIT_OK)
            rc = remember_choice(&o, profile, &po);
        rlx_cli_progress_free(&p);
        return rc;
    }
    rc = none ? RLX_EXIT_NO_DEVICE : play_week(&po, week->path, from, fade, length, profile, o.store);
    if (rc == RLX_EXIT_NO_DEVICE && !(po.device && *po.device && !none)) {
        if (only_playing[0])
            rlx_cli_error("note: no audio device, so the week goes to a file: %s %s to playing, not to it",
                          only_playing, strchr(only_playing, ',') ? "apply" : "applies");
        rc = rlx_cli_next_render(&o, profile, &p, w, NULL, len_remembered ? len_buf : length_arg, tail_arg,
                                 bed_arg, len_remembered, true);
        if (rc == RLX_EXIT_OK)
            rc = remember_choice(&o, profile, &po);
    } else if (rc == RLX_EXIT_OK) {
        /* just completed the week? say what comes next */
        rlx_cli_progress after;
        if (rlx_cli_store_open_ex(&o, RLX_STORE_OFFLINE_OK, &st, why, sizeof why) == 0) {
            if (!rlx_store_offline(st) && rlx_cli_progress_load(st, profile, false, &after) == 0) {
                if (after.status[w].state == RLX_WEEK_DONE && p.status[w].state != RLX_WEEK_DONE) {
                    printf("Week %d is complete. ", w + 1);
                    if (after.sum.all_done)
                        printf("That was the last one: well done.\n");
                    else if (after.sum.waiting >= 0)
                        say_when_open(&after);
                    else
                        printf("\n");
                    if (!after.sum.all_done)   /* the coming dates moved */
                        printf("If you keep the weeks in a calendar, 'relax calendar -o FILE.ics' "
                               "brings its dates up to date.\n");
                }
                rlx_cli_progress_free(&after);
            }
            rlx_store_close(st);
        }
    }
    rlx_cli_progress_free(&p);
    return rc;
}
