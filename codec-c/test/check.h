/*
 * check.h: the few lines every C test program of codec-c shares: CHECK(cond) counts a passed or a
 * failed check (printing the failed ones with their line), and checks_done() prints "N passed, N
 * failed" and gives the exit status; field_is() compares the field an error names, or its absence
 * in the builds without field names.
 */
#ifndef IOTP2P_TEST_CHECK_H
#define IOTP2P_TEST_CHECK_H

#include <stdbool.h>
#include <stdio.h>

static unsigned passed, failed;

static void check(bool cond, const char *what, int line) {
    if (cond) {
        passed++;
    } else {
        failed++;
        printf("FAILED line %d: %s\n", line, what);
    }
}

#define CHECK(cond) check((cond), #cond, __LINE__)

#include <string.h>

/* Whether an error names `expected` (`Type.field`); built with IOTP_NO_FIELD_NAMES, whether it names
 * no field, as errors then do. */
static inline bool field_is(const char *field, const char *expected) {
#ifdef IOTP_NO_FIELD_NAMES
    (void)expected;
    return field == NULL;
#else
    return field != NULL && strcmp(field, expected) == 0;
#endif
}

static int checks_done(void) {
    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

#endif /* IOTP2P_TEST_CHECK_H */
