/* messages.c - the experiment file's refusals that are not about a number: a word not in its set, an
 * unknown section or key, each with a guess at the intended one ("did you mean ...?") and the valid
 * choices. Numbers are described by core/parse.c, so every number is refused in the same words.
 */
#include <ctype.h>
#include <string.h>

#include "experiment/experiment_internal.h"

/* Edit distance (insert, delete, substitute, swap of neighbours) for "did you mean"; capped at 9. */
static size_t edit_distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > 40 || m > 40) return 9;
    size_t d[41][41];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (same ? 0 : 1);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m] < 9 ? d[n][m] : 9;
}

const char *il__closest(const char *word, const char *const *names, size_t count) {
    const char *best = NULL;
    size_t best_d = 9;
    for (size_t i = 0; i < count; i++) {
        size_t d = edit_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    size_t len = strlen(word);
    size_t allowed = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    return best_d <= allowed ? best : NULL;
}

void il__lowercase(char *buf, size_t size, const char *value) {
    size_t i = 0;
    for (; value[i] && i + 1 < size; i++)
        buf[i] = (char)tolower((unsigned char)value[i]);
    buf[i] = '\0';
}

il_status il__bad_word(il_error *err, const char *where, const char *value, const char *const *words,
                       size_t count) {
    char list[256] = "";
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s",
                 i == 0           ? ""
                 : i + 1 == count ? " or "
                                  : ", ",
                 words[i]);
    }
    char q[IL_QUOTE_SIZE];
    if (*value)
        il__quote(q, sizeof q, value);
    else
        snprintf(q, sizeof q, "nothing");
    const char *guess = *value ? il__closest(value, words, count) : NULL;
    if (guess)
        return il_fail(err, IL_ERR_USAGE, "%s: expected %s, got %s (did you mean \"%s\"?)", where, list, q,
                       guess);
    return il_fail(err, IL_ERR_USAGE, "%s: expected %s, got %s", where, list, q);
}

/* "name, name, ..." of the keys of a section, and the names themselves, for messages. */
static size_t section_keys(char *buf, size_t size, const char *section, const char **names) {
    size_t used = 0, n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < il__n_keys; i++) {
        if (strcmp(il__keys[i].section, section) != 0) continue;
        snprintf(buf + used, size - used, "%s%s", n ? ", " : "", il__keys[i].key);
        used += strlen(buf + used);
        names[n++] = il__keys[i].key;
    }
    return n;
}

il_status il__unknown_key(il_error *err, const char *place, const char *section, const char *key) {
    char valid[256];
    const char *names[64];
    size_t n = section_keys(valid, sizeof valid, section, names);
    char q[IL_QUOTE_SIZE];
    il__quote(q, sizeof q, key);
    for (size_t i = 0; i < il__n_keys; i++)
        if (!strcmp(il__keys[i].key, key) && strcmp(il__keys[i].section, section) != 0)
            return il_fail(err, IL_ERR_USAGE,
                           "%s[%s] unknown key %s (it belongs in [%s]; valid keys here: %s)", place, section,
                           q, il__keys[i].section, valid);
    const char *guess = il__closest(key, names, n);
    if (guess)
        return il_fail(err, IL_ERR_USAGE, "%s[%s] unknown key %s (did you mean \"%s\"? valid keys: %s)",
                       place, section, q, guess, valid);
    return il_fail(err, IL_ERR_USAGE, "%s[%s] unknown key %s (valid keys: %s)", place, section, q, valid);
}

il_status il__unknown_section(il_error *err, const char *place, const char *section) {
    char valid[256] = "";
    for (size_t i = 0; i < il__n_sections; i++) {
        size_t used = strlen(valid);
        snprintf(valid + used, sizeof valid - used, "%s%s", i ? ", " : "", il__sections[i]);
    }
    /* the name goes through il__quote to keep odd characters out of the message, shown in brackets */
    char q[IL_QUOTE_SIZE];
    il__quote(q, sizeof q, section);
    int len = (int)strlen(q) - 2;
    const char *guess = il__closest(section, il__sections, il__n_sections);
    if (guess)
        return il_fail(err, IL_ERR_USAGE, "%sunknown section [%.*s] (did you mean [%s]? valid sections: %s)",
                       place, len, q + 1, guess, valid);
    return il_fail(err, IL_ERR_USAGE, "%sunknown section [%.*s] (valid sections: %s)", place, len, q + 1,
                   valid);
}
