/* tui_view.h - one frame of the full-screen player, as text: a pure function
 * of what is playing and the terminal's size (no I/O, no terminal codes), so
 * that wrapping, the progress bar's ticks, the levels and how the view
 * shrinks on small terminals are unit-tested. tui.c writes frames out. */
#ifndef RLX_TUI_VIEW_H
#define RLX_TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RLX_TUI_MAX_COLS 400
#define RLX_TUI_MAX_ROWS 150
#define RLX_TUI_LINE_BYTES (RLX_TUI_MAX_COLS * 4 + 1)
/* Narrower than this, or fewer rows than RLX_TUI_MIN_ROWS: the one status line. */
#define RLX_TUI_MIN_COLS 20
#define RLX_TUI_MIN_ROWS 5

/* What the view shows; every string is borrowed and may be NULL. */
typedef struct {
    const char *title;
    int week;                    /* 0: not a week of a program */
    int64_t pos_ms, length_ms;
    bool paused, stopping;
    const char *caption;         /* the line being spoken (or last spoken) */
    double breath;               /* 0 (empty lungs) .. 1 (full); < 0: no breath guide */
    int breath_dir;              /* +1 in, -1 out, 0 hold */
    double volume_db, background_db;
    const int64_t *ticks_ms;     /* where the spoken lines start */
    size_t nticks;
    const char *note;            /* a transient message ("volume -3 dB") */
    const char *remote_url;      /* the remote is on */
    const char *remote_qr;       /* its QR code: lines ending in '\n' */
    bool help;                   /* the panel with every key */
    bool ascii;                  /* the terminal is not UTF-8 */
} rlx_tui_view;

/* How a stretch of a row is drawn (the terminal layer maps these to colours). */
typedef enum {
    RLX_TUI_PLAIN,
    RLX_TUI_DIM,
    RLX_TUI_TITLE,
    RLX_TUI_GUIDE,
} rlx_tui_style;

/* rows lines of UTF-8 without control bytes, each at most cols columns (one
 * column per code point). A row is drawn in style[r] up to byte split[r]
 * and in style2[r] after it (split 0: one style). */
typedef struct {
    int cols, rows;
    bool status_line;            /* too small: row 0 is the one status line */
    char text[RLX_TUI_MAX_ROWS][RLX_TUI_LINE_BYTES];
    unsigned char style[RLX_TUI_MAX_ROWS], style2[RLX_TUI_MAX_ROWS];
    unsigned short split[RLX_TUI_MAX_ROWS];
} rlx_tui_frame;

/* Lays out v at cols x rows (clamped to the maxima) into f. Uses static
 * scratch space: one thread (the control thread) at a time. */
void rlx_tui_layout(const rlx_tui_view *v, int cols, int rows, rlx_tui_frame *f);

/* Word-wraps text (control bytes and runs of white space become one space)
 * into at most max_lines lines of at most width columns, breaking only
 * between words; a word longer than a line is the one thing split. If more
 * lines were needed, the last one ends with an ellipsis. lines[i] gets
 * line_bytes bytes each. Returns the number of lines. Pure (tested). */
int rlx_tui_wrap(const char *text, int width, bool ascii, char (*lines)[RLX_TUI_LINE_BYTES], int max_lines);

/* Columns of a UTF-8 string on a terminal (wide characters two, combining
 * marks none: rlx_tui_char_cols). */
int rlx_tui_columns(const char *s);


#endif
