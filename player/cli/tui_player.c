/* tui_player.c - the full-screen view as a front end of the engine (see
 * tui_player.h): engine state -> rlx_tui_view -> a frame (tui_view.c) ->
 * the terminal (tui_screen.c). */
#include "tui_player.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "remote/remote_qr.h"
#include "tui.h"
#include "tui_screen.h"
#include "tui_view.h"

#define FRAME_MS 100   /* ten frames a second at most: the guide moves smoothly enough, calmly */

struct rlx_tui_player {
    rlx_tui_player_config cfg;
    char *url, *qr;
    bool help;
    int64_t last_ms;
    int64_t *ticks;
    size_t cap;
    rlx_tui_frame frame;   /* large: the struct lives on the heap */
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

rlx_tui_player *rlx_tui_player_open(const rlx_tui_player_config *cfg)
{
    rlx_tui_player *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cfg = *cfg;
    if (cfg->remote_url && *cfg->remote_url) {
        p->url = strdup(cfg->remote_url);
        if (!p->url || rlx_remote_qr_text(p->url, !cfg->ascii, &p->qr) != RLX_OK)
            p->qr = NULL;   /* the URL alone still helps */
    }
    p->cfg.remote_url = p->url;
    if (!rlx_tui_screen_open()) {
        free(p->url);
        free(p->qr);
        free(p);
        return NULL;
    }
    return p;
}

bool rlx_tui_player_key(rlx_tui_player *p, int key)
{
    if (!p || key != '?')
        return false;
    p->help = !p->help;
    return true;
}

/* Where the spoken lines start now (the timeline changes with the length). */
static size_t line_ticks(rlx_tui_player *p, rlx_engine *e)
{
    const rlx_timeline *tl = rlx_engine_timeline(e);
    if (!tl || tl->rate <= 0)
        return 0;
    if (p->cap < tl->ncues) {
        int64_t *t = realloc(p->ticks, tl->ncues * sizeof *t);
        if (!t)
            return 0;
        p->ticks = t;
        p->cap = tl->ncues;
    }
    size_t n = 0;
    for (size_t i = 0; i < tl->ncues; i++)
        if (rlx_cue_is_voice(tl->cues[i].cue) && !tl->cues[i].omitted)
            p->ticks[n++] = tl->cues[i].start * 1000 / tl->rate;
    return n;
}

void rlx_tui_player_draw(rlx_tui_player *p, rlx_engine *e, const rlx_engine_state *st, const char *note,
                         bool now)
{
    if (!p)
        return;
    bool resized = rlx_tui_screen_resized();
    int64_t t = now_ms();
    if (!now && !resized && t - p->last_ms < FRAME_MS)
        return;
    p->last_ms = t;
    rlx_tui_view v = {
        .title = p->cfg.title,
        .week = p->cfg.week,
        .pos_ms = st->pos_ms,
        .length_ms = st->length_ms,
        .paused = st->paused,
        .stopping = st->stopping,
        .caption = st->caption,
        .breath = st->breath,
        .breath_dir = st->breath_dir,
        .volume_db = st->volume_db,
        .background_db = st->background_db,
        .ticks_ms = p->ticks,
        .note = note,
        .remote_url = p->url,
        .remote_qr = p->qr,
        .help = p->help,
        .ascii = p->cfg.ascii,
    };
    v.nticks = line_ticks(p, e);
    v.ticks_ms = p->ticks;
    int cols, rows;
    rlx_tui_screen_size(&cols, &rows);
    rlx_tui_layout(&v, cols, rows, &p->frame);
    rlx_tui_screen_draw(&p->frame);
}

void rlx_tui_player_close(rlx_tui_player *p)
{
    if (!p)
        return;
    rlx_tui_screen_close();
    free(p->url);
    free(p->qr);
    free(p->ticks);
    free(p);
}
