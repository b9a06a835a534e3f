/* STUB created by the skeleton; the owning helper replaces it. */
#include "lib.h"

const xv_class expr_class_context = { .name = "IContext" };
const xv_class expr_class_request = { .name = "IRequest" };
const xv_class expr_class_response = { .name = "IResponse" };
const xv_class expr_class_url = { .name = "IUrl" };
const xv_class expr_class_api = { .name = "IApi" };
const xv_class expr_class_keynames = { .name = "ISubscriptionKeyParameterNames" };
const xv_class expr_class_operation = { .name = "IOperation" };
const xv_class expr_class_product = { .name = "IProduct" };
const xv_class expr_class_subscription = { .name = "ISubscription" };
const xv_class expr_class_user = { .name = "IUser" };
const xv_class expr_class_deployment = { .name = "IDeployment" };
const xv_class expr_class_gateway = { .name = "IGateway" };
const xv_class expr_class_lasterror = { .name = "ILastError" };
const xv_class expr_class_workspace = { .name = "IWorkspace" };
const xv_class expr_class_body = { .name = "IMessageBody" };

static const xv_class *const classes[] = {
    &expr_class_context,
    &expr_class_request,
    &expr_class_response,
    &expr_class_url,
    &expr_class_api,
    &expr_class_keynames,
    &expr_class_operation,
    &expr_class_product,
    &expr_class_subscription,
    &expr_class_user,
    &expr_class_deployment,
    &expr_class_gateway,
    &expr_class_lasterror,
    &expr_class_workspace,
    &expr_class_body,
    NULL,
};
const xv_lib expr_lib_context = { "context", classes };
