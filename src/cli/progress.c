/* progress.c - the per-epoch progress report on stderr (see progress.h).
 * The live line is redrawn at most 20 times a second so that a fast run (XOR, thousands of epochs in a
 * second) spends its time training, not writing to the terminal.
 */
#include "cli/progress.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#define BAR_WIDTH      24
#define REDRAW_SECONDS 0.05

void cli_progress_start(cli_progress *p, size_t total_epochs, int quiet, size_t every) {
    memset(p, 0, sizeof *p);
    p->total = total_epochs;
    p->every = every ? every : 1;
    p->mode = quiet ? CLI_PROGRESS_QUIET : isatty(STDERR_FILENO) ? CLI_PROGRESS_BAR : CLI_PROGRESS_LINES;
    p->start = cli_now();
    p->last_draw = -1.0;
}

/* "1:05" or "1:02:05" for a number of seconds. */
static void format_duration(char *buf, size_t size, double seconds) {
    if (!isfinite(seconds) || seconds < 0) seconds = 0;
    unsigned long s = (unsigned long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, size, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%lu:%02lu", s / 60, s % 60);
}

/* One number for a progress line; "-" when it does not exist (a diverged run). */
static void format_value(char *buf, size_t size, double v) {
    if (isfinite(v))
        snprintf(buf, size, "%.4f", v);
    else
        snprintf(buf, size, "-");
}

static void draw_bar(cli_progress *p, size_t epoch, double fraction) {
    /* Epoch 0 is the starting point: nothing trained yet. */
    double done = p->total == 0 ? 1.0
                  : epoch == 0  ? 0.0
                                : ((double)(epoch - 1) + fraction) / (double)p->total;
    if (done > 1) done = 1;
    double elapsed = cli_now() - p->start;
    char eta[32];
    if (done > 0)
        format_duration(eta, sizeof eta, elapsed * (1.0 - done) / done);
    else
        snprintf(eta, sizeof eta, "?");
    char bar[BAR_WIDTH + 1];
    size_t filled = (size_t)(done * BAR_WIDTH + 0.5);
    for (size_t i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    char line[320];
    int n =
        snprintf(line, sizeof line, "epoch %zu/%zu [%s] %s  eta %s", epoch, p->total, bar, p->status, eta);
    if (n < 0) return;
    /* Pad with spaces over the remains of a longer previous line. */
    int pad = p->drawn_length > n ? p->drawn_length - n : 0;
    fprintf(stderr, "\r%s%*s", line, pad, "");
    fflush(stderr);
    p->drawn_length = n;
    p->last_draw = cli_now();
}

void cli_progress_step(cli_progress *p, size_t epoch, double fraction) {
    if (p->mode != CLI_PROGRESS_BAR) return;
    if (p->last_draw >= 0 && cli_now() - p->last_draw < REDRAW_SECONDS) return;
    draw_bar(p, epoch, fraction);
}

void cli_progress_epoch(cli_progress *p, size_t epoch, double train_loss, double test_loss,
                        const char *metric_name, double metric) {
    if (p->mode == CLI_PROGRESS_QUIET) return;
    char train[32], test[32], extra[80] = "";
    format_value(train, sizeof train, train_loss);
    format_value(test, sizeof test, test_loss);
    if (metric_name) {
        char m[32];
        format_value(m, sizeof m, metric);
        snprintf(extra, sizeof extra, "  %s %s", metric_name, m);
    }
    snprintf(p->status, sizeof p->status, "train_loss %s  test_loss %s%s", train, test, extra);
    if (p->mode == CLI_PROGRESS_LINES) {
        if (epoch == 0 || epoch == p->total || epoch % p->every == 0)
            fprintf(stderr, "epoch %zu/%zu  %s\n", epoch, p->total, p->status);
        return;
    }
    /* Live line: always show the last epoch, otherwise throttle. */
    if (epoch == p->total || p->last_draw < 0 || cli_now() - p->last_draw >= REDRAW_SECONDS)
        draw_bar(p, epoch, 1.0);
}

void cli_progress_end(cli_progress *p) {
    if (p->mode == CLI_PROGRESS_BAR && p->drawn_length > 0) {
        fputc('\n', stderr);
        fflush(stderr);
        p->drawn_length = 0;
    }
}
