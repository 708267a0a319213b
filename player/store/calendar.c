/* calendar.c - RFC 5545 output for `relax calendar`. */
#include "store/calendar.h"

#include <string.h>
#include <time.h>

#define MINUTE_MS 60000LL

void rlx_calendar_plan(const rlx_week_status *st, size_t n, int64_t wait_ms, int64_t now_ms,
                       int64_t *opens_ms, bool *planned)
{
    int64_t prev_done = 0;   /* when the week before was (or is assumed) completed */
    for (size_t i = 0; i < n; i++) {
        planned[i] = false;
        opens_ms[i] = 0;
        if (st[i].state == RLX_WEEK_DONE) {
            prev_done = st[i].completed_ms;
            continue;
        }
        int64_t at;
        if (st[i].state == RLX_WEEK_LOCKED) {
            /* as the schedule would compute it from that completion */
            at = wait_ms == 0 ? prev_done : (prev_done + wait_ms + MINUTE_MS - 1) / MINUTE_MS * MINUTE_MS;
            planned[i] = true;
        } else if (st[i].state == RLX_WEEK_OPENS_LATER) {
            at = st[i].opens_ms;
        } else {   /* open or in progress: open now (on the minute, like every other time) */
            at = now_ms / MINUTE_MS * MINUTE_MS;
        }
        opens_ms[i] = at;
        /* completed as soon as it opens, and not before now */
        prev_done = at > now_ms ? at : now_ms;
    }
}

/* ---- content lines: folding and escaping ---------------------------------- */

typedef struct {
    FILE *f;
    size_t col;   /* octets on the current physical line */
    bool bad;
} ical_out;

static void put_raw(ical_out *o, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        /* at most 75 octets a line; a character's lead byte folds early enough that
         * its continuation bytes stay on the same line */
        if (o->col >= 75 || (o->col >= 72 && c >= 0xC0)) {
            if (fputs("\r\n ", o->f) == EOF)
                o->bad = true;
            o->col = 1;
        }
        if (fputc(c, o->f) == EOF)
            o->bad = true;
        o->col++;
    }
}

static void put(ical_out *o, const char *s)
{
    put_raw(o, s, strlen(s));
}

static void end_line(ical_out *o)
{
    if (fputs("\r\n", o->f) == EOF)
        o->bad = true;
    o->col = 0;
}

static void line(ical_out *o, const char *name, const char *value)
{
    put(o, name);
    put(o, value);
    end_line(o);
}

/* A TEXT value: backslash, semicolon, comma and line breaks escaped; other
 * control characters dropped. */
static void put_text(ical_out *o, const char *s)
{
    for (; s && *s; s++) {
        char c = *s;
        if (c == '\\' || c == ';' || c == ',') {
            char esc[2] = {'\\', c};
            put_raw(o, esc, 2);
        } else if (c == '\n') {
            put_raw(o, "\\n", 2);
        } else if ((unsigned char)c >= 0x20 && c != 0x7f) {
            put_raw(o, &c, 1);
        }
    }
}

static void text_line(ical_out *o, const char *name, const char *value)
{
    put(o, name);
    put_text(o, value);
    end_line(o);
}

static const char *utc_stamp(int64_t ms, char *buf, size_t len)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

/* FNV-1a: a stable, short tag for the profile in UIDs without showing its name */
static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

rlx_err rlx_calendar_write(FILE *f, const rlx_calendar_info *info, const rlx_calendar_event *ev,
                           size_t n)
{
    ical_out o = {.f = f};
    char buf[512], stamp[32], when[32];
    uint64_t tag = fnv1a(fnv1a(14695981039346656037ULL, info->program_id), "\n");
    tag = fnv1a(tag, info->profile);
    utc_stamp(info->now_ms, stamp, sizeof stamp);

    line(&o, "BEGIN:", "VCALENDAR");
    line(&o, "VERSION:", "2.0");
    snprintf(buf, sizeof buf, "-//Relax//relax %s//EN", info->version ? info->version : "");
    line(&o, "PRODID:", buf);
    line(&o, "CALSCALE:", "GREGORIAN");
    line(&o, "METHOD:", "PUBLISH");
    snprintf(buf, sizeof buf, "Relax (%s)", info->profile ? info->profile : "default");
    text_line(&o, "X-WR-CALNAME:", buf);
    for (size_t i = 0; i < n; i++) {
        const rlx_calendar_event *e = &ev[i];
        const char *title = e->title && *e->title ? e->title : e->session_id;
        line(&o, "BEGIN:", "VEVENT");
        snprintf(buf, sizeof buf, "%s-%016llx@relax", e->session_id, (unsigned long long)tag);
        line(&o, "UID:", buf);
        line(&o, "DTSTAMP:", stamp);
        line(&o, "DTSTART:", utc_stamp(e->opens_ms, when, sizeof when));
        /* the session's length, whole minutes: room to listen when it suits */
        long long minutes = e->length_ms > 0 ? (e->length_ms + MINUTE_MS - 1) / MINUTE_MS : 15;
        snprintf(buf, sizeof buf, "PT%lldM", minutes);
        line(&o, "DURATION:", buf);
        snprintf(buf, sizeof buf, "Relax week %d: %s%s", e->week, title, e->planned ? " (planned)" : "");
        text_line(&o, "SUMMARY:", buf);
        put(&o, "DESCRIPTION:");
        snprintf(buf, sizeof buf, "Week %d of %zu, %s, %s: listen whenever you are ready.", e->week,
                 info->weeks_total, title,
                 e->open_now ? "is open" : e->planned ? "may open at this time (planned)" : "opens at this time");
        put_text(&o, buf);
        if (e->summary && *e->summary) {
            put_text(&o, "\n\n");
            put_text(&o, e->summary);
        }
        if (e->length_ms > 0) {
            snprintf(buf, sizeof buf, "\n\nAbout %lld minutes.", minutes);
            put_text(&o, buf);
        }
        put_text(&o, " To listen, run: ");
        put_text(&o, info->listen_cmd && *info->listen_cmd ? info->listen_cmd : "relax next");
        if (e->planned) {
            snprintf(buf, sizeof buf, "\n\nPlanned: this is when it would open if each week before it is "
                     "completed on the day it opens. Any other pace is fine; running relax calendar "
                     "again after a completed week brings the dates up to date.");
            put_text(&o, buf);
        }
        end_line(&o);
        line(&o, "STATUS:", e->planned ? "TENTATIVE" : "CONFIRMED");
        line(&o, "TRANSP:", "TRANSPARENT");   /* a reminder, not a busy slot */
        line(&o, "BEGIN:", "VALARM");
        line(&o, "ACTION:", "DISPLAY");
        line(&o, "TRIGGER;RELATED=START:", "PT0S");
        snprintf(buf, sizeof buf, "Week %d of Relax is %s, whenever you are ready.", e->week,
                 e->planned ? "planned to open" : "open");
        text_line(&o, "DESCRIPTION:", buf);
        line(&o, "END:", "VALARM");
        line(&o, "END:", "VEVENT");
    }
    line(&o, "END:", "VCALENDAR");
    if (fflush(f) == EOF || ferror(f))
        o.bad = true;
    return o.bad ? RLX_ERR_OUTPUT : RLX_OK;
}
