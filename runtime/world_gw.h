#ifndef RUNTIME_WORLD_GW_H
#define RUNTIME_WORLD_GW_H

/* Private to world.c and world_backends.c: the loaded gateway (world.h) and the per-request
 * backend state. */

#include "compile.h"
#include "config.h"
#include "world.h"
#include "world_impl.h"

struct rt_gw {
    arena a; /* documents, programs (the configuration has its own arena) */
    rt_config cfg;
    bool cfg_loaded;
    const json_t *nvo; /* named value overrides, during the load only */
    /* programs[api index][(op index + 1) * (nproducts + 1) + (product index + 1)]: op -1 is the
     * API without an operation (APIs without operations; refusals), product -1 no product */
    rt_program ***programs;
    rt_program *global_prog; /* refusals where no API matched: global scope only */
    struct rt_backends *bk;  /* breakers and pools (rt_gw_reset) */
};

/* set-backend-service backend-id state of one request (r->gw). */
typedef struct rt_gw_req {
    const rt_backend *requested; /* the backend-id named (single or pool) */
    const rt_backend *target;    /* the backend to call (the picked member for pools) */
    bool fresh;                  /* target was picked by set-backend-service and not yet used */
} rt_gw_req;

/* world_backends.c */
int rt_gw_set_backend(rt_req *r, str id);
int rt_gw_prepare_call(rt_req *r, rt_http_req *hr);
void rt_gw_call_result(rt_req *r, str backend_id, rt_tx_result res, const rt_http_resp *resp);

#endif
