/* progress.h - the per-epoch progress report on stderr.
 *
 * Three modes: a live line redrawn in place with '\r' when stderr is a terminal (epoch i/N, a bar, the
 * losses, the time left); plain lines "epoch 3/100  train_loss 0.2312  test_loss 0.2401 ..." when
 * stderr is a file or a pipe (one per epoch, or one per `every` epochs); nothing with --quiet.
 * Results never go here: they go to stdout, so `initlab train ... > result.txt` keeps them apart.
 */
#ifndef INITLAB_CLI_PROGRESS_H
#define INITLAB_CLI_PROGRESS_H

#include <stddef.h>

typedef enum { CLI_PROGRESS_QUIET = 0, CLI_PROGRESS_LINES, CLI_PROGRESS_BAR } cli_progress_mode;

typedef struct {
    cli_progress_mode mode;
    size_t total;     /* epochs of the run */
    size_t every;     /* plain lines: one every `every` epochs, plus epoch 0 and the last */
    double start;     /* cli_now() when the run started */
    double last_draw; /* when the live line was last redrawn (redraws are throttled) */
    int drawn_length; /* characters of the live line on screen; 0 = none */
    char status[256]; /* the latest losses, kept on the live line while an epoch runs */
} cli_progress;

/* Choose the mode (quiet, else a bar if stderr is a terminal, else lines) and start the clock. */
void cli_progress_start(cli_progress *p, size_t total_epochs, int quiet, size_t every);
/* Inside epoch `epoch` (1-based), `fraction` of its examples done: redraws the live line (bar mode only). */
void cli_progress_step(cli_progress *p, size_t epoch, double fraction);
/* After epoch `epoch` (0 = the starting weights): the epoch's numbers. metric_name may be NULL. */
void cli_progress_epoch(cli_progress *p, size_t epoch, double train_loss, double test_loss,
                        const char *metric_name, double metric);
/* End the live line with a newline so that what follows starts on a fresh line. */
void cli_progress_end(cli_progress *p);

#endif
