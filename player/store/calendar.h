/* calendar.h - the program's coming weeks as an RFC 5545 iCalendar file:
 * one event per week not yet done, at the time it opens, with a gentle
 * reminder. Weeks behind a week not yet completed get a planned date.
 * Pure: times come in as arguments, text goes to a FILE. */
#ifndef RLX_CALENDAR_H
#define RLX_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "store/schedule.h"

/* When each week that is not done opens. A week open or opening at a known
 * time keeps it (a week open before now: now); a locked week gets the date
 * it would open if every week before it were completed as soon as it opens,
 * and planned[i] = true. Done weeks get opens_ms[i] = 0. Times in ms. */
void rlx_calendar_plan(const rlx_week_status *st, size_t n, int64_t wait_ms, int64_t now_ms,
                       int64_t *opens_ms, bool *planned);

typedef struct {
    int week;                 /* 1-based */
    const char *session_id;   /* [a-z0-9-], part of the event's UID */
    const char *title;        /* may be NULL */
    const char *summary;      /* the session's summary; may be NULL */
    int64_t opens_ms;
    int64_t length_ms;        /* the length it will play at; 0 if unknown */
    bool planned;             /* depends on a week not yet completed */
    bool open_now;            /* already open at now_ms */
} rlx_calendar_event;

typedef struct {
    const char *profile;      /* goes into the UIDs (hashed) and the calendar's name */
    const char *program_id;   /* likewise */
    const char *version;      /* for PRODID */
    size_t weeks_total;
    int64_t now_ms;           /* DTSTAMP */
    const char *listen_cmd;   /* what to run to listen; NULL: "relax next" */
} rlx_calendar_info;

/* Writes a VCALENDAR with one VEVENT (and VALARM) per event: CRLF line
 * ends, lines folded at 75 octets (never inside a UTF-8 character), text
 * escaped. UIDs are stable per program, profile and week, so importing a
 * newer file updates the events instead of adding copies. RLX_ERR_OUTPUT
 * when writing fails (errno tells why). */
rlx_err rlx_calendar_write(FILE *f, const rlx_calendar_info *info, const rlx_calendar_event *ev,
                           size_t n);

#endif
