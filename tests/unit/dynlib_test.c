/* kfk_dynlib_load: the first library that loads with every symbol wins;
 * otherwise a clear error and no half-filled table. */
#include <string.h>

#include "core/dynlib.h"
#include "test.h"

typedef size_t (*strlen_fn)(const char *);
typedef int (*abs_fn)(int);

TEST(first_library_that_loads_is_used) {
    strlen_fn len = NULL;
    abs_fn ab = NULL;
    const kfk_dynsym syms[] = {{"strlen", (void **)&len}, {"abs", (void **)&ab}};
    const char *const sonames[] = {"libkfk-no-such-library.so.9", "libc.so.6", NULL};
    char err[256] = "";
    REQUIRE_EQ(kfk_dynlib_load(sonames, syms, 2, err, sizeof err), 0);
    REQUIRE(len && ab);
    CHECK_EQ(len("abcd"), 4);
    CHECK_EQ(ab(-7), 7);
}

TEST(no_library_names_the_first_one) {
    strlen_fn len = NULL;
    const kfk_dynsym syms[] = {{"strlen", (void **)&len}};
    const char *const sonames[] = {"libkfk-no-such-library.so.9", "libkfk-nor-this.so.1", NULL};
    char err[256] = "";
    CHECK_EQ(kfk_dynlib_load(sonames, syms, 1, err, sizeof err), -1);
    CHECK(strstr(err, "libkfk-no-such-library.so.9") != NULL);
    CHECK(len == NULL);
}

TEST(missing_symbol_named_and_table_cleared) {
    strlen_fn len = NULL;
    abs_fn absent = NULL;
    const kfk_dynsym syms[] = {{"strlen", (void **)&len},
                               {"kfk_no_such_symbol", (void **)&absent}};
    const char *const sonames[] = {"libc.so.6", NULL};
    char err[256] = "";
    CHECK_EQ(kfk_dynlib_load(sonames, syms, 2, err, sizeof err), -1);
    CHECK_STR(err, "libc.so.6 has no kfk_no_such_symbol");
    CHECK(len == NULL);
    CHECK(absent == NULL);
}

TEST(no_sonames) {
    const char *const sonames[] = {NULL};
    char err[64] = "";
    CHECK_EQ(kfk_dynlib_load(sonames, NULL, 0, err, sizeof err), -1);
    CHECK_STR(err, "no library");
}
