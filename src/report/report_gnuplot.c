/* report_gnuplot.c - run gnuplot as a child process: a pipe for its output (stdout and stderr together,
 * the first 64 KiB kept for messages and the log) and a second, close-on-exec pipe that tells a failed
 * exec (gnuplot missing) from gnuplot failing. Nothing here knows what a figure is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/report_gnuplot.h"

#define OUTPUT_KEEP 65536 /* bytes of a child's output kept for messages and the log */

typedef struct {
    int exec_errno; /* nonzero: the program could not be started */
    int exit_code;  /* 0 success; -1 killed by a signal */
    char *output;   /* stdout and stderr together, NUL-terminated (may be NULL) */
    size_t len;
} run_result;

/* Run argv (argv[0] looked up on PATH unless it holds a '/') in folder cwd (NULL: here), stdin from
 * /dev/null, stdout and stderr captured. IL_OK unless a pipe or fork failed. */
static il_status run_program(char *const argv[], const char *cwd, run_result *out, il_error *err) {
    memset(out, 0, sizeof *out);
    int pipe_out[2], pipe_exec[2];
    if (pipe(pipe_out) != 0) return il_fail(err, IL_ERR_IO, "cannot start %s: %s", argv[0], strerror(errno));
    if (pipe(pipe_exec) != 0) {
        close(pipe_out[0]);
        close(pipe_out[1]);
        return il_fail(err, IL_ERR_IO, "cannot start %s: %s", argv[0], strerror(errno));
    }
    /* The exec pipe closes by itself when exec succeeds; if exec fails the child writes errno into it. */
    fcntl(pipe_exec[1], F_SETFD, FD_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(pipe_out[0]);
        close(pipe_out[1]);
        close(pipe_exec[0]);
        close(pipe_exec[1]);
        return il_fail(err, IL_ERR_IO, "cannot start %s: %s", argv[0], strerror(e));
    }
    if (pid == 0) {
        close(pipe_out[0]);
        close(pipe_exec[0]);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        dup2(pipe_out[1], 1);
        dup2(pipe_out[1], 2);
        int e = 0;
        if (cwd && chdir(cwd) != 0) e = errno;
        if (!e) {
            execvp(argv[0], argv);
            e = errno;
        }
        ssize_t w = write(pipe_exec[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(pipe_out[1]);
    close(pipe_exec[1]);
    char *buf = malloc(OUTPUT_KEEP + 1);
    size_t len = 0;
    char chunk[4096];
    for (;;) {
        ssize_t got = read(pipe_out[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        size_t take = (size_t)got;
        if (buf && len + take > OUTPUT_KEEP) take = OUTPUT_KEEP - len;
        if (buf) memcpy(buf + len, chunk, take);
        len += take;
    }
    close(pipe_out[0]);
    int e = 0;
    ssize_t got;
    do
        got = read(pipe_exec[0], &e, sizeof e);
    while (got < 0 && errno == EINTR);
    close(pipe_exec[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (buf) buf[len] = '\0';
    out->output = buf;
    out->len = buf ? len : 0;
    out->exec_errno = got == (ssize_t)sizeof e ? e : 0;
    out->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return IL_OK;
}

/* The first line of gnuplot's output that reports an error (or the first line at all). */
static void first_error_line(const char *text, char *line, size_t size) {
    const char *pick = NULL;
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (!pick && strncmp(p, "\"", 1) == 0 && strstr(p, "line")) pick = p; /* "file", line N: message */
    if (!pick && text) {
        const char *e = strstr(text, "rror");
        if (e) {
            while (e > text && e[-1] != '\n')
                e--;
            pick = e;
        }
    }
    if (!pick) pick = text ? text : "";
    while (*pick == '\n' || *pick == ' ')
        pick++;
    size_t n = strcspn(pick, "\n");
    /* gnuplot puts the offending command on the line before "line N: message"; keep the message. */
    snprintf(line, size, "%.*s", (int)(n < size ? n : size - 1), pick);
}

il_status il__report_gnuplot_probe(const char *gnuplot, char *terminal, size_t size, il_error *err) {
    static const struct {
        const char *name;
        const char *commands;
    } candidates[] = {
        {"pngcairo", "set terminal pngcairo; set terminal svg"},
        {"png", "set terminal png truecolor; set terminal svg"},
    };
    for (size_t k = 0; k < sizeof candidates / sizeof candidates[0]; k++) {
        char *argv[] = {(char *)gnuplot, (char *)"-e", (char *)candidates[k].commands, NULL};
        run_result rr;
        il_status st = run_program(argv, NULL, &rr, err);
        if (st != IL_OK) return st;
        free(rr.output);
        if (rr.exec_errno == ENOENT)
            return il_fail(
                err, IL_ERR_IO,
                "gnuplot was not found (looked for '%s'%s): the report draws its figures with it; "
                "install it (Debian: apt-get install gnuplot-nox) or name the program with --gnuplot "
                "PATH",
                gnuplot, strchr(gnuplot, '/') ? "" : " on the PATH");
        if (rr.exec_errno)
            return il_fail(err, IL_ERR_IO, "cannot run gnuplot '%s': %s", gnuplot, strerror(rr.exec_errno));
        if (rr.exit_code == 0) {
            snprintf(terminal, size, "%s", candidates[k].name);
            return IL_OK;
        }
    }
    return il_fail(err, IL_ERR_IO,
                   "gnuplot '%s' runs but has neither the pngcairo nor the png terminal together with svg; "
                   "install a complete gnuplot (Debian: apt-get install gnuplot-nox)",
                   gnuplot);
}

il_status il__report_gnuplot_run(const char *gnuplot, const char *dir, const char *script, const char *suffix,
                                 const char *script_path, char **output, size_t *len, il_error *err) {
    *output = NULL;
    *len = 0;
    char assignment[128];
    snprintf(assignment, sizeof assignment, "suffix = '%s'", suffix);
    char *argv[] = {(char *)gnuplot, (char *)"-e", assignment, (char *)script, NULL};
    run_result rr;
    il_status st = run_program(argv, dir, &rr, err);
    if (st != IL_OK) return st;
    if (rr.exec_errno || rr.exit_code != 0) {
        char line[400];
        first_error_line(rr.output, line, sizeof line);
        if (rr.exec_errno)
            st = il_fail(err, IL_ERR_IO, "cannot run gnuplot '%s' for %s: %s", gnuplot, script_path,
                         strerror(rr.exec_errno));
        else
            st = il_fail(err, IL_ERR_IO, "gnuplot failed on %s (exit %d): %s", script_path, rr.exit_code,
                         line[0] ? line : "no message");
        free(rr.output);
        return st;
    }
    *output = rr.output;
    *len = rr.len;
    return IL_OK;
}
