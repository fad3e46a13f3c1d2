/* The parts of kfk group that need more than one admin call. */
#ifndef KFK_CLI_GROUP_H
#define KFK_CLI_GROUP_H

#include "adm.h"

/* 1 when d describes a live group; else prints why not and returns 0. */
int cli_group_exists(cli_adm *a, const kfk_group_desc *d);

int cli_group_describe(cli_adm *a);
int cli_group_reset(cli_adm *a);

#endif
