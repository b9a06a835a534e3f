#ifndef RUNTIME_POLICIES_AUTH_ACCESS_H
#define RUNTIME_POLICIES_AUTH_ACCESS_H

/* authentication-basic and authentication-certificate (auth_access.c, the "access" part of
 * the auth family); auth.c's table points at these. Only auth.c and auth_access.c include it. */

#include "common.h"

typedef struct auth_basic_conf {
    pol_val username, password;
} auth_basic_conf;

typedef struct auth_cert_conf {
    pol_val thumbprint, certificate_id, body, password;
} auth_cert_conf;

int rt_auth_basic_parse(pol_cc *cc, const pol_node *el, void *conf);
pol_status rt_auth_basic_exec(rt_req *r, const void *conf);
int rt_auth_cert_parse(pol_cc *cc, const pol_node *el, void *conf);
pol_status rt_auth_cert_exec(rt_req *r, const void *conf);

#endif
