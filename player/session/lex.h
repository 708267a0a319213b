/* lex.h - line-oriented scanning shared by the session and program parsers:
 * bounded file reading, UTF-8 aware columns, sanitised source excerpts,
 * tokens (words, strings, numbers) and compiler-style diagnostics.
 * Internal to player/session. */
#ifndef RLX_LEX_H
#define RLX_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Session and program files larger than this are refused unread. */
#define RLX_LEX_MAX_BYTES ((size_t)4 * 1024 * 1024)
/* Longest source excerpt (characters) stored in a diagnostic. */
#define RLX_LEX_SOURCE_MAX 200
/* Every time and duration is bounded by a day. */
#define RLX_LEX_MAX_MS ((int64_t)24 * 3600 * 1000)

/* Reads a whole regular file of at most RLX_LEX_MAX_BYTES bytes. Never blocks
 * on FIFOs and refuses directories and devices. On failure a diagnostic
 * (file = diag_name, line 0) says why and RLX_ERR_IO is returned. */
rlx_err rlx_lex_read_file(const char *path, const char *diag_name, char **data,
                          size_t *len, uint64_t *dev, uint64_t *ino, rlx_diags *diags);

/* The folder part of a path ("." when it has none); malloc'ed. */
char *rlx_lex_dirname(const char *path);
/* dir/rel (rel itself when absolute or dir is NULL); malloc'ed. */
char *rlx_lex_join(const char *dir, const char *rel);
bool rlx_lex_is_regular(const char *path);

uint64_t rlx_lex_fnv1a(uint64_t h, const void *data, size_t len);
#define RLX_FNV_OFFSET 0xcbf29ce484222325ULL

/* One line being scanned. */
typedef struct {
    const char *file;        /* for diagnostics */
    rlx_diags *diags;
    const unsigned char *s;  /* the line, without its line end */
    size_t n;
    size_t i;                /* cursor (byte offset) */
    int lineno;
    bool failed;             /* an error was reported on this line */
} rlx_line;

/* Iterates over the lines of a buffer (LF or CRLF; a leading BOM is skipped). */
typedef struct {
    const char *data;
    size_t len, pos;
    int lineno;
} rlx_lines;

void rlx_lines_init(rlx_lines *it, const char *data, size_t len);
bool rlx_lines_next(rlx_lines *it, rlx_line *line, const char *file, rlx_diags *diags);

/* 1-based column (characters; bytes of invalid UTF-8 count one each) of byte offset off. */
int rlx_line_col(const rlx_line *L, size_t off);
/* Diagnostics at byte offset off of the line. An error marks the line failed. */
void rlx_line_error(rlx_line *L, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rlx_line_warning(rlx_line *L, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rlx_line_diag(rlx_line *L, rlx_diag_severity sev, size_t off, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

void rlx_line_ws(rlx_line *L);
/* After blanks: end of line or a comment. */
bool rlx_line_at_end(rlx_line *L);
/* If not at the end, reports "unexpected 'X' ..." and returns false. */
bool rlx_line_expect_end(rlx_line *L, const char *after);

bool rlx_is_word_byte(unsigned char c);
/* A word (letters, digits, - _ . / and non-ASCII); returns its length (0 = none). */
size_t rlx_line_word(rlx_line *L, size_t *start);
/* Compares the word at [start, start+len) with a C string. */
bool rlx_word_is(const rlx_line *L, size_t start, size_t len, const char *w);
/* Copies a span into a malloc'ed, NUL-terminated string. */
char *rlx_line_dup(const rlx_line *L, size_t start, size_t len);
/* A printable excerpt of a span for messages (truncated, sanitised) into buf. */
const char *rlx_line_excerpt(const rlx_line *L, size_t start, size_t len, char *buf, size_t cap);
/* The token at the cursor for "found 'X'" messages (after blanks). */
const char *rlx_line_peek_excerpt(rlx_line *L, char *buf, size_t cap);

/* A double-quoted string with \" and \\ escapes; the cursor must be on '"'.
 * Reports unterminated strings, bad escapes and invalid UTF-8. */
bool rlx_line_string(rlx_line *L, char **out);

/* After a setting's key: blanks, '=', blanks and the start of a value, whose
 * position goes to *vat. Reports "expected '=' after 'KEY'" or "missing value for 'KEY'". */
bool rlx_line_assign(rlx_line *L, const char *key, size_t *vat);

/* A file name: a word or a non-empty string, valid UTF-8. *at is where it
 * starts. When there is none, reports "expected <expected>, found 'X'". */
bool rlx_line_file_name(rlx_line *L, const char *expected, char **out, size_t *at);

/* A decimal number: optional sign, digits, optional .digits; no exponent.
 * Returns false without a diagnostic when there is no number at the cursor;
 * reports (and returns false) exponents and absurdly long numbers. */
typedef enum { RLX_NUM_NONE, RLX_NUM_OK, RLX_NUM_BAD } rlx_num_result;
rlx_num_result rlx_line_number(rlx_line *L, double *v, size_t *start);
/* A unit right after a number (blanks allowed between): letters only. */
size_t rlx_line_unit(rlx_line *L, size_t *start);
bool rlx_unit_is(const rlx_line *L, size_t start, size_t len, const char *unit);

/* Closest candidate within a small edit distance, or NULL. */
const char *rlx_did_you_mean(const char *word, size_t len, const char *const *candidates);

/* Formats ms as m:ss[.f] or h:mm:ss[.f] (for messages). */
const char *rlx_fmt_ms(int64_t ms, char *buf, size_t cap);

/* UTF-8: length of the valid sequence at s[0..n), 0 if invalid. */
size_t rlx_utf8_seq(const unsigned char *s, size_t n);

#endif
