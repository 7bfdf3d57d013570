/* Names for the error codes of <pagoda/errors.h>. */
#include <pagoda/errors.h>

const char *error_name(int error)
{
    if (error < 0)
        error = -error;
    switch (error) {
    case 0:
        return "success";
#define PAGODA_ERROR_CASE(name, value, text) \
    case name:                               \
        return text;
        PAGODA_ERRORS(PAGODA_ERROR_CASE)
#undef PAGODA_ERROR_CASE
    }
    return "unknown error";
}
