#ifndef RUNTIME_ERRORS_H
#define RUNTIME_ERRORS_H

/* APIM's built-in error responses (spec/policies.md §2): the gateway error envelope
 * {"statusCode": N, "message": "..."} with Content-Type application/json, and reason phrases. */

/* The HTTP reason phrase of status ("Too Many Requests"), "" when unknown. Static. */
const char *rt_reason_phrase(int status);

/* Messages of the predefined envelopes. */
#define RT_MSG_INTERNAL  "Internal server error"
#define RT_MSG_NOT_FOUND "Resource not found"

#endif
