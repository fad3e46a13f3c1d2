#include "reset.h"

int64_t cli_reset_offset(cli_reset_to to, int64_t arg, int64_t lo, int64_t hi, int64_t at_time) {
    switch (to) {
    case CLI_RESET_EARLIEST: return lo;
    case CLI_RESET_LATEST: return hi;
    case CLI_RESET_DATETIME: return at_time < 0 ? hi : at_time;
    default: return arg < lo ? lo : arg > hi ? hi : arg;
    }
}
