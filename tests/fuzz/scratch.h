/* scratch.h - what the fuzz targets that read files by path share: one private scratch folder per
 * process (made on first use under $TMPDIR, else /dev/shm or /tmp; removed at exit), and whole-file writes
 * and reads that stop the fuzzer on an I/O failure, which is the machine's fault and never the input's.
 */
#ifndef INITLAB_FUZZ_SCRATCH_H
#define INITLAB_FUZZ_SCRATCH_H

#include <stddef.h>

/* The scratch folder (absolute path). */
const char *fz_scratch(void);
/* scratch/rel into buf (aborts when it does not fit). */
char *fz_path(char *buf, size_t size, const char *rel);
/* Write size bytes to path, replacing it; folders on the way are made. */
void fz_write(const char *path, const void *bytes, size_t size);
/* The whole file (malloc'ed, one NUL after it) and its size; NULL when it does not exist. */
char *fz_read(const char *path, size_t *size);
/* Copy the folder tree from into to (which is made), files and subfolders. */
void fz_copy_tree(const char *from, const char *to);

#endif
