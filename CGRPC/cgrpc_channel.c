/*
 * Client half of the transport shim: channels and the unary / server-streaming calls made on them.
 *
 * A call owns a pluck completion queue and at most three outstanding batches, each with its own tag
 * inside the call struct: the start batch (request out, or the whole unary exchange), the status
 * batch (streams only), and one receive. Destroy plucks whatever is still outstanding.
 */
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <stdlib.h>
#include <string.h>

#include "internal/cgrpc_internal.h"

struct cgrpc_channel {
    grpc_channel *channel;
};

struct cgrpc_client_call {
    grpc_call *call;
    grpc_completion_queue *cq;
    grpc_metadata *send_metadata;
    size_t send_metadata_count;
    grpc_byte_buffer *request;
    grpc_metadata_array initial_metadata;
    grpc_metadata_array trailing_metadata;
    grpc_status_code status;
    grpc_slice status_details;
    const char *error_string;
    grpc_byte_buffer *received;
    cgrpc_inbox inbox;
    int unary;
    int start_pending;
    int status_pending;
    int status_done;
    int recv_pending;
    int initial_metadata_requested;
    int ended;
    char tag_start;
    char tag_status;
    char tag_recv;
};

/* MARK: - Channel */

cgrpc_channel *cgrpc_channel_create(const char *target, const cgrpc_channel_options *options) {
    cgrpc_channel *channel = calloc(1, sizeof(*channel));
    if (channel == NULL) {
        return NULL;
    }
    grpc_init();

    grpc_channel_credentials *credentials = NULL;
    if (options->use_tls) {
        grpc_ssl_pem_key_cert_pair pair = {
            .private_key = options->private_key_pem,
            .cert_chain = options->certificate_chain_pem,
        };
        int has_pair = options->private_key_pem != NULL && options->certificate_chain_pem != NULL;
        credentials = grpc_ssl_credentials_create(options->root_certificates_pem, has_pair ? &pair : NULL, NULL, NULL);
    } else {
        credentials = grpc_insecure_credentials_create();
    }
    if (credentials == NULL) {
        grpc_shutdown();
        free(channel);
        return NULL;
    }

    grpc_arg args[8];
    size_t count = 0;
    if (options->keepalive_time_ms > 0) {
        args[count].type = GRPC_ARG_INTEGER;
        args[count].key = (char *)GRPC_ARG_KEEPALIVE_TIME_MS;
        args[count].value.integer = options->keepalive_time_ms;
        count += 1;
        /* Keep pinging on a quiet stream; by default the core gives up after two pings without data. */
        args[count].type = GRPC_ARG_INTEGER;
        args[count].key = (char *)GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA;
        args[count].value.integer = 0;
        count += 1;
    }
    if (options->keepalive_timeout_ms > 0) {
        args[count].type = GRPC_ARG_INTEGER;
        args[count].key = (char *)GRPC_ARG_KEEPALIVE_TIMEOUT_MS;
        args[count].value.integer = options->keepalive_timeout_ms;
        count += 1;
    }
    if (options->max_receive_message_bytes != 0) {
        args[count].type = GRPC_ARG_INTEGER;
        args[count].key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
        args[count].value.integer = options->max_receive_message_bytes < 0 ? -1 : options->max_receive_message_bytes;
        count += 1;
    }
    args[count].type = GRPC_ARG_INTEGER;
    args[count].key = (char *)GRPC_ARG_HTTP2_BDP_PROBE;
    args[count].value.integer = options->bdp_probe ? 1 : 0;
    count += 1;
    if (options->use_tls && options->server_name_override != NULL) {
        args[count].type = GRPC_ARG_STRING;
        args[count].key = (char *)GRPC_SSL_TARGET_NAME_OVERRIDE_ARG;
        args[count].value.string = (char *)options->server_name_override;
        count += 1;
    }
    grpc_channel_args channel_args = {.num_args = count, .args = args};

    /* Never NULL: an unusable target yields a "lame" channel whose calls fail with a status. */
    channel->channel = grpc_channel_create(target, credentials, &channel_args);
    grpc_channel_credentials_release(credentials);
    return channel;
}

void cgrpc_channel_destroy(cgrpc_channel *channel) {
    grpc_channel_destroy(channel->channel);
    free(channel);
    grpc_shutdown();
}

/* MARK: - Client call */

static void cgrpc_client_call_free(cgrpc_client_call *call) {
    cgrpc_inbox_discard(&call->inbox);
    if (call->received != NULL) {
        grpc_byte_buffer_destroy(call->received);
    }
    if (call->request != NULL) {
        grpc_byte_buffer_destroy(call->request);
    }
    for (size_t i = 0; i < call->send_metadata_count; i++) {
        grpc_slice_unref(call->send_metadata[i].key);
        grpc_slice_unref(call->send_metadata[i].value);
    }
    free(call->send_metadata);
    grpc_metadata_array_destroy(&call->initial_metadata);
    grpc_metadata_array_destroy(&call->trailing_metadata);
    grpc_slice_unref(call->status_details);
    gpr_free((void *)call->error_string);
    if (call->call != NULL) {
        grpc_call_unref(call->call);
    }
    if (call->cq != NULL) {
        cgrpc_cq_drain_and_destroy(call->cq);
    }
    free(call);
    /* Each call holds a core reference so that it may outlive its channel. */
    grpc_shutdown();
}

/* Creates the call and everything the start batch needs; NULL when out of memory. */
static cgrpc_client_call *cgrpc_client_call_create(cgrpc_channel *channel, const char *method, const uint8_t *request,
                                                   size_t request_length, const cgrpc_metadata_entry *metadata,
                                                   size_t metadata_count, int64_t timeout_ms) {
    cgrpc_client_call *call = calloc(1, sizeof(*call));
    if (call == NULL) {
        return NULL;
    }
    grpc_init();
    grpc_metadata_array_init(&call->initial_metadata);
    grpc_metadata_array_init(&call->trailing_metadata);
    call->status = GRPC_STATUS_UNKNOWN;
    call->status_details = grpc_empty_slice();

    if (metadata_count > 0) {
        call->send_metadata = calloc(metadata_count, sizeof(grpc_metadata));
        if (call->send_metadata == NULL) {
            cgrpc_client_call_free(call);
            return NULL;
        }
        for (size_t i = 0; i < metadata_count; i++) {
            call->send_metadata[i].key =
                grpc_slice_from_copied_buffer((const char *)metadata[i].key, metadata[i].key_length);
            call->send_metadata[i].value =
                metadata[i].value_length == 0
                    ? grpc_empty_slice()
                    : grpc_slice_from_copied_buffer((const char *)metadata[i].value, metadata[i].value_length);
            call->send_metadata_count = i + 1;
        }
    }
    call->request = cgrpc_byte_buffer_copy(request, request_length);
    call->cq = grpc_completion_queue_create_for_pluck(NULL);
    if (call->cq == NULL) {
        cgrpc_client_call_free(call);
        return NULL;
    }
    grpc_slice method_slice = grpc_slice_from_copied_string(method);
    gpr_timespec deadline = timeout_ms > 0 ? cgrpc_deadline_after(timeout_ms) : gpr_inf_future(GPR_CLOCK_MONOTONIC);
    call->call = grpc_channel_create_call(channel->channel, NULL, GRPC_PROPAGATE_DEFAULTS, call->cq, method_slice,
                                          NULL, deadline, NULL);
    grpc_slice_unref(method_slice);
    if (call->call == NULL) {
        cgrpc_client_call_free(call);
        return NULL;
    }
    return call;
}

/* Fills the request half of a batch: headers, the one request message, half-close. */
static size_t cgrpc_client_call_request_ops(cgrpc_client_call *call, grpc_op *ops) {
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[0].data.send_initial_metadata.count = call->send_metadata_count;
    ops[0].data.send_initial_metadata.metadata = call->send_metadata;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = call->request;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    return 3;
}

static void cgrpc_client_call_status_op(cgrpc_client_call *call, grpc_op *op) {
    op->op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    op->data.recv_status_on_client.trailing_metadata = &call->trailing_metadata;
    op->data.recv_status_on_client.status = &call->status;
    op->data.recv_status_on_client.status_details = &call->status_details;
    op->data.recv_status_on_client.error_string = &call->error_string;
}

cgrpc_client_call *cgrpc_client_call_start_unary(cgrpc_channel *channel, const char *method, const uint8_t *request,
                                                 size_t request_length, const cgrpc_metadata_entry *metadata,
                                                 size_t metadata_count, int64_t timeout_ms) {
    cgrpc_client_call *call =
        cgrpc_client_call_create(channel, method, request, request_length, metadata, metadata_count, timeout_ms);
    if (call == NULL) {
        return NULL;
    }
    call->unary = 1;
    grpc_op ops[6];
    memset(ops, 0, sizeof(ops));
    size_t count = cgrpc_client_call_request_ops(call, ops);
    ops[count].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[count].data.recv_initial_metadata.recv_initial_metadata = &call->initial_metadata;
    count += 1;
    ops[count].op = GRPC_OP_RECV_MESSAGE;
    ops[count].data.recv_message.recv_message = &call->received;
    count += 1;
    cgrpc_client_call_status_op(call, &ops[count]);
    count += 1;
    /* Possible errors are misuse only (invalid metadata keys included: the caller validates). */
    if (grpc_call_start_batch(call->call, ops, count, &call->tag_start, NULL) != GRPC_CALL_OK) {
        cgrpc_client_call_free(call);
        return NULL;
    }
    call->start_pending = 1;
    return call;
}

cgrpc_result cgrpc_client_call_wait(cgrpc_client_call *call, size_t *length) {
    *length = 0;
    if (call->start_pending) {
        grpc_completion_queue_pluck(call->cq, &call->tag_start, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        call->start_pending = 0;
        /* The batch carries RECV_STATUS_ON_CLIENT, which always fills in a status. */
        call->status_done = 1;
        call->ended = 1;
    }
    if (call->received == NULL) {
        return CGRPC_RESULT_END;
    }
    grpc_byte_buffer *received = call->received;
    call->received = NULL;
    int64_t size = cgrpc_inbox_fill(&call->inbox, received);
    if (size < 0) {
        return CGRPC_RESULT_FAILED;
    }
    *length = (size_t)size;
    return CGRPC_RESULT_OK;
}

cgrpc_client_call *cgrpc_client_call_start_stream(cgrpc_channel *channel, const char *method, const uint8_t *request,
                                                  size_t request_length, const cgrpc_metadata_entry *metadata,
                                                  size_t metadata_count, int64_t timeout_ms) {
    cgrpc_client_call *call =
        cgrpc_client_call_create(channel, method, request, request_length, metadata, metadata_count, timeout_ms);
    if (call == NULL) {
        return NULL;
    }
    grpc_op ops[3];
    memset(ops, 0, sizeof(ops));
    size_t count = cgrpc_client_call_request_ops(call, ops);
    if (grpc_call_start_batch(call->call, ops, count, &call->tag_start, NULL) != GRPC_CALL_OK) {
        cgrpc_client_call_free(call);
        return NULL;
    }
    call->start_pending = 1;
    grpc_op status_op;
    memset(&status_op, 0, sizeof(status_op));
    cgrpc_client_call_status_op(call, &status_op);
    if (grpc_call_start_batch(call->call, &status_op, 1, &call->tag_status, NULL) != GRPC_CALL_OK) {
        cgrpc_client_call_destroy(call);
        return NULL;
    }
    call->status_pending = 1;
    return call;
}

cgrpc_result cgrpc_client_call_recv_message(cgrpc_client_call *call, int64_t timeout_ms, size_t *length) {
    *length = 0;
    cgrpc_inbox_discard(&call->inbox);
    if (call->ended) {
        return CGRPC_RESULT_END;
    }
    if (!call->recv_pending) {
        grpc_op ops[2];
        memset(ops, 0, sizeof(ops));
        size_t count = 0;
        if (!call->initial_metadata_requested) {
            ops[count].op = GRPC_OP_RECV_INITIAL_METADATA;
            ops[count].data.recv_initial_metadata.recv_initial_metadata = &call->initial_metadata;
            count += 1;
        }
        ops[count].op = GRPC_OP_RECV_MESSAGE;
        ops[count].data.recv_message.recv_message = &call->received;
        count += 1;
        /* Misuse only: a stream has a single consumer and one receive outstanding. */
        if (grpc_call_start_batch(call->call, ops, count, &call->tag_recv, NULL) != GRPC_CALL_OK) {
            return CGRPC_RESULT_REJECTED;
        }
        call->initial_metadata_requested = 1;
        call->recv_pending = 1;
    }
    gpr_timespec deadline = timeout_ms < 0 ? gpr_inf_future(GPR_CLOCK_MONOTONIC)
                            : timeout_ms == 0 ? gpr_inf_past(GPR_CLOCK_MONOTONIC)
                                              : cgrpc_deadline_after(timeout_ms);
    grpc_event event = grpc_completion_queue_pluck(call->cq, &call->tag_recv, deadline, NULL);
    if (event.type != GRPC_OP_COMPLETE) {
        return CGRPC_RESULT_TIMEOUT;
    }
    call->recv_pending = 0;
    grpc_byte_buffer *received = call->received;
    call->received = NULL;
    if (!event.success || received == NULL) {
        if (received != NULL) {
            grpc_byte_buffer_destroy(received);
        }
        call->ended = 1;
        return CGRPC_RESULT_END;
    }
    int64_t size = cgrpc_inbox_fill(&call->inbox, received);
    if (size < 0) {
        grpc_call_cancel_with_status(call->call, GRPC_STATUS_INTERNAL, "cannot read response message", NULL);
        call->ended = 1;
        return CGRPC_RESULT_END;
    }
    *length = (size_t)size;
    return CGRPC_RESULT_OK;
}

void cgrpc_client_call_read_message(cgrpc_client_call *call, uint8_t *destination) {
    cgrpc_inbox_drain(&call->inbox, destination);
}

int32_t cgrpc_client_call_status(cgrpc_client_call *call, const uint8_t **message, size_t *message_length) {
    if (!call->status_done) {
        void *tag = call->unary ? (void *)&call->tag_start : (void *)&call->tag_status;
        grpc_completion_queue_pluck(call->cq, tag, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        if (call->unary) {
            call->start_pending = 0;
        } else {
            call->status_pending = 0;
        }
        call->status_done = 1;
    }
    *message = GRPC_SLICE_START_PTR(call->status_details);
    *message_length = GRPC_SLICE_LENGTH(call->status_details);
    return (int32_t)call->status;
}

void cgrpc_client_call_cancel(cgrpc_client_call *call) {
    /* Thread-safe in the core; a no-op once the call has finished. */
    grpc_call_cancel(call->call, NULL);
}

void cgrpc_client_call_destroy(cgrpc_client_call *call) {
    if (!call->status_done || call->recv_pending) {
        grpc_call_cancel(call->call, NULL);
    }
    gpr_timespec forever = gpr_inf_future(GPR_CLOCK_MONOTONIC);
    if (call->recv_pending) {
        grpc_completion_queue_pluck(call->cq, &call->tag_recv, forever, NULL);
        call->recv_pending = 0;
    }
    if (call->start_pending) {
        grpc_completion_queue_pluck(call->cq, &call->tag_start, forever, NULL);
        call->start_pending = 0;
    }
    if (call->status_pending) {
        grpc_completion_queue_pluck(call->cq, &call->tag_status, forever, NULL);
        call->status_pending = 0;
    }
    cgrpc_client_call_free(call);
}
