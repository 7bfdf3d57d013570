/*
 * Error codes. Functions that can fail return 0 or a negative error code
 * (MUST_CHECK); error_name() turns one into text for messages.
 */
#pragma once

#define PAGODA_ERRORS(X)                                              \
    X(E_INVAL, 1, "invalid argument")                                 \
    X(E_NOMEM, 2, "out of memory")                                    \
    X(E_RANGE, 3, "address or size out of range")                     \
    X(E_ALIGN, 4, "misaligned address or size")                       \
    X(E_EXIST, 5, "already exists")                                   \
    X(E_NOENT, 6, "not found")                                        \
    X(E_FAULT, 7, "bad address")                                      \
    X(E_BADMAGIC, 8, "bad magic number")                              \
    X(E_TRUNC, 9, "truncated input")                                  \
    X(E_FORMAT, 10, "malformed input")                                \
    X(E_OVERLAP, 11, "overlapping ranges")                            \
    X(E_NOSPACE, 12, "table full")                                    \
    X(E_NOTSUP, 13, "not supported")                                  \
    X(E_PERM, 14, "operation not permitted")

enum error {
#define PAGODA_ERROR_ENUM(name, value, text) name = value,
    PAGODA_ERRORS(PAGODA_ERROR_ENUM)
#undef PAGODA_ERROR_ENUM
};

/* Text for a (negative or positive) error code; "success" for 0. */
const char *error_name(int error);
