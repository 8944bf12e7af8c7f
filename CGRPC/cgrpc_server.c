/*
 * Server half of the transport shim: a listening server and the calls it accepts.
 *
 * Each accepted call owns a pluck completion queue. Tags are the addresses of the `tag_*` fields
 * of the owning struct, so a tag can never outlive what it points into. Every batch started is
 * plucked before the queue is shut down.
 */
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal/cgrpc_internal.h"

struct cgrpc_server {
    grpc_server *server;
    /* Notification queue for request_call and the shutdown tag (pluck, so that an accepting
     * thread and a shutting-down thread can wait on different tags at once). */
    grpc_completion_queue *cq;
    pthread_mutex_t lifecycle_lock;
    int started;
    int shut_down;
    char tag_shutdown;
};

struct cgrpc_server_call {
    grpc_call *call;
    grpc_completion_queue *cq;
    grpc_call_details details;
    grpc_metadata_array request_metadata;
    char *method;
    char *host;
    char *peer;
    cgrpc_inbox inbox;
    int initial_metadata_sent;
    int status_sent;
    int close_armed;
    /* Written by the core when RECV_CLOSE_ON_SERVER completes. */
    int close_cancelled;
    /* Serialises plucking of tag_close between wait_cancelled, is_cancelled and destroy. */
    pthread_mutex_t close_lock;
    atomic_int close_done;
    atomic_int cancelled;
    int32_t last_call_error;
    char tag_new;
    char tag_close;
    char tag_op;
};

/* MARK: - Server */

static void cgrpc_push_int(grpc_arg *args, size_t *count, const char *key, int32_t value) {
    if (value <= 0) {
        return;
    }
    args[*count].type = GRPC_ARG_INTEGER;
    args[*count].key = (char *)key;
    args[*count].value.integer = value;
    *count += 1;
}

cgrpc_server *cgrpc_server_create(const cgrpc_server_options *options) {
    cgrpc_server *server = calloc(1, sizeof(*server));
    if (server == NULL) {
        return NULL;
    }
    grpc_init();

    grpc_arg args[12];
    size_t count = 0;
    cgrpc_push_int(args, &count, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, options->max_receive_message_bytes);
    cgrpc_push_int(args, &count, GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, options->max_send_message_bytes);
    cgrpc_push_int(args, &count, GRPC_ARG_KEEPALIVE_TIME_MS, options->keepalive_time_ms);
    cgrpc_push_int(args, &count, GRPC_ARG_KEEPALIVE_TIMEOUT_MS, options->keepalive_timeout_ms);
    cgrpc_push_int(args, &count, GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS,
                   options->keepalive_permit_without_calls ? 1 : 0);
    cgrpc_push_int(args, &count, GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                   options->min_recv_ping_interval_without_data_ms);
    cgrpc_push_int(args, &count, GRPC_ARG_MAX_CONCURRENT_STREAMS, options->max_concurrent_streams);
    cgrpc_push_int(args, &count, GRPC_ARG_MAX_METADATA_SIZE, options->max_metadata_bytes);
    /* The server's own keepalive pings must keep flowing on a stream that sends nothing for a
     * while (an idle subscription); by default the core stops after two pings without data. */
    args[count].type = GRPC_ARG_INTEGER;
    args[count].key = (char *)GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA;
    args[count].value.integer = 0;
    count += 1;
    /* gRPC binds with SO_REUSEPORT by default, so a second daemon on the same address would
     * start and silently share the port. A daemon must own its port: turn it off. */
    args[count].type = GRPC_ARG_INTEGER;
    args[count].key = (char *)GRPC_ARG_ALLOW_REUSEPORT;
    args[count].value.integer = 0;
    count += 1;
    grpc_channel_args channel_args = {.num_args = count, .args = args};

    server->server = grpc_server_create(&channel_args, NULL);
    server->cq = grpc_completion_queue_create_for_pluck(NULL);
    if (server->server == NULL || server->cq == NULL) {
        if (server->server != NULL) {
            grpc_server_destroy(server->server);
        }
        if (server->cq != NULL) {
            grpc_completion_queue_destroy(server->cq);
        }
        grpc_shutdown();
        free(server);
        return NULL;
    }
    grpc_server_register_completion_queue(server->server, server->cq, NULL);
    pthread_mutex_init(&server->lifecycle_lock, NULL);
    return server;
}

int32_t cgrpc_server_add_port(cgrpc_server *server, const char *address, const cgrpc_server_tls *tls) {
    grpc_server_credentials *credentials = NULL;
    if (tls == NULL) {
        credentials = grpc_insecure_server_credentials_create();
    } else {
        grpc_ssl_pem_key_cert_pair pair = {
            .private_key = tls->private_key_pem,
            .cert_chain = tls->certificate_chain_pem,
        };
        grpc_ssl_client_certificate_request_type request = GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
        switch (tls->client_cert_mode) {
        case CGRPC_CLIENT_CERT_NONE:
            request = GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
            break;
        case CGRPC_CLIENT_CERT_REQUEST:
            request = GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
            break;
        case CGRPC_CLIENT_CERT_REQUIRE:
            request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
            break;
        }
        credentials = grpc_ssl_server_credentials_create_ex(tls->client_ca_pem, &pair, 1, request, NULL);
    }
    if (credentials == NULL) {
        return 0;
    }
    /* Returns the bound port, or 0 when the address is unusable or already taken. */
    int port = grpc_server_add_http2_port(server->server, address, credentials);
    grpc_server_credentials_release(credentials);
    return (int32_t)port;
}

void cgrpc_server_start(cgrpc_server *server) {
    pthread_mutex_lock(&server->lifecycle_lock);
    if (!server->started) {
        grpc_server_start(server->server);
        server->started = 1;
    }
    pthread_mutex_unlock(&server->lifecycle_lock);
}

static void cgrpc_server_call_free(cgrpc_server_call *call) {
    grpc_call_details_destroy(&call->details);
    grpc_metadata_array_destroy(&call->request_metadata);
    if (call->cq != NULL) {
        cgrpc_cq_drain_and_destroy(call->cq);
    }
    pthread_mutex_destroy(&call->close_lock);
    free(call->method);
    free(call->host);
    free(call->peer);
    free(call);
}

static char *cgrpc_slice_to_cstring(grpc_slice slice) {
    size_t length = GRPC_SLICE_LENGTH(slice);
    char *copy = malloc(length + 1);
    if (copy != NULL) {
        if (length > 0) {
            memcpy(copy, GRPC_SLICE_START_PTR(slice), length);
        }
        copy[length] = '\0';
    }
    return copy;
}

cgrpc_server_call *cgrpc_server_accept(cgrpc_server *server) {
    for (;;) {
        cgrpc_server_call *call = calloc(1, sizeof(*call));
        if (call == NULL) {
            return NULL;
        }
        grpc_call_details_init(&call->details);
        grpc_metadata_array_init(&call->request_metadata);
        pthread_mutex_init(&call->close_lock, NULL);
        call->cq = grpc_completion_queue_create_for_pluck(NULL);
        if (call->cq == NULL) {
            cgrpc_server_call_free(call);
            return NULL;
        }

        /* Possible errors: NOT_SERVER_COMPLETION_QUEUE (our bug: server->cq is registered).
         * After shutdown the request is still accepted and completes unsuccessfully. */
        grpc_call_error error = grpc_server_request_call(server->server, &call->call, &call->details,
                                                         &call->request_metadata, call->cq, server->cq,
                                                         &call->tag_new);
        if (error != GRPC_CALL_OK) {
            cgrpc_server_call_free(call);
            return NULL;
        }
        grpc_event event =
            grpc_completion_queue_pluck(server->cq, &call->tag_new, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        if (event.type != GRPC_OP_COMPLETE || !event.success || call->call == NULL) {
            /* The server is shutting down: no call was created. */
            cgrpc_server_call_free(call);
            return NULL;
        }

        call->method = cgrpc_slice_to_cstring(call->details.method);
        call->host = cgrpc_slice_to_cstring(call->details.host);
        char *peer = grpc_call_get_peer(call->call);
        call->peer = malloc(strlen(peer ? peer : "") + 1);
        if (call->peer != NULL) {
            strcpy(call->peer, peer ? peer : "");
        }
        gpr_free(peer);

        /* Armed now so that a cancellation is seen even while the handler does nothing. */
        grpc_op op;
        memset(&op, 0, sizeof(op));
        op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
        op.data.recv_close_on_server.cancelled = &call->close_cancelled;
        error = grpc_call_start_batch(call->call, &op, 1, &call->tag_close, NULL);
        call->close_armed = (error == GRPC_CALL_OK);

        if (call->method == NULL || call->host == NULL || call->peer == NULL || !call->close_armed) {
            /* Out of memory, or the core refused the close op: give up on this call only. */
            call->status_sent = 0;
            cgrpc_server_call_destroy(call);
            continue;
        }
        return call;
    }
}

void cgrpc_server_shutdown(cgrpc_server *server, int64_t grace_ms) {
    pthread_mutex_lock(&server->lifecycle_lock);
    if (server->shut_down) {
        pthread_mutex_unlock(&server->lifecycle_lock);
        return;
    }
    if (!server->started) {
        /* The core only tears down listeners of a started server. */
        grpc_server_start(server->server);
        server->started = 1;
    }
    grpc_server_shutdown_and_notify(server->server, server->cq, &server->tag_shutdown);
    grpc_event event = grpc_completion_queue_pluck(server->cq, &server->tag_shutdown,
                                                   cgrpc_deadline_after(grace_ms < 0 ? 0 : grace_ms), NULL);
    if (event.type != GRPC_OP_COMPLETE) {
        /* Grace is over: fail every remaining call, which lets the shutdown tag complete. */
        grpc_server_cancel_all_calls(server->server);
        grpc_completion_queue_pluck(server->cq, &server->tag_shutdown, gpr_inf_future(GPR_CLOCK_MONOTONIC),
                                    NULL);
    }
    server->shut_down = 1;
    pthread_mutex_unlock(&server->lifecycle_lock);
}

void cgrpc_server_destroy(cgrpc_server *server) {
    if (!server->shut_down) {
        cgrpc_server_shutdown(server, 0);
    }
    grpc_server_destroy(server->server);
    cgrpc_cq_drain_and_destroy(server->cq);
    pthread_mutex_destroy(&server->lifecycle_lock);
    free(server);
    grpc_shutdown();
}

/* MARK: - Server call */

const char *cgrpc_server_call_method(const cgrpc_server_call *call) { return call->method; }

const char *cgrpc_server_call_host(const cgrpc_server_call *call) { return call->host; }

const char *cgrpc_server_call_peer(const cgrpc_server_call *call) { return call->peer; }

size_t cgrpc_server_call_metadata_count(const cgrpc_server_call *call) { return call->request_metadata.count; }

void cgrpc_server_call_metadata_at(const cgrpc_server_call *call, size_t index, const uint8_t **key,
                                   size_t *key_length, const uint8_t **value, size_t *value_length) {
    if (index >= call->request_metadata.count) {
        *key = NULL;
        *key_length = 0;
        *value = NULL;
        *value_length = 0;
        return;
    }
    const grpc_metadata *entry = &call->request_metadata.metadata[index];
    *key = GRPC_SLICE_START_PTR(entry->key);
    *key_length = GRPC_SLICE_LENGTH(entry->key);
    *value = GRPC_SLICE_START_PTR(entry->value);
    *value_length = GRPC_SLICE_LENGTH(entry->value);
}

int32_t cgrpc_server_call_last_call_error(const cgrpc_server_call *call) { return call->last_call_error; }

/* Starts one batch on the call and waits for it. Returns OK, FAILED or REJECTED. */
static cgrpc_result cgrpc_server_call_run(cgrpc_server_call *call, const grpc_op *ops, size_t count) {
    /* Possible errors are all misuse (e.g. TOO_MANY_OPERATIONS for a second concurrent send,
     * ALREADY_FINISHED after the status): reported as REJECTED for the caller to trap on. */
    grpc_call_error error = grpc_call_start_batch(call->call, ops, count, &call->tag_op, NULL);
    if (error != GRPC_CALL_OK) {
        call->last_call_error = (int32_t)error;
        return CGRPC_RESULT_REJECTED;
    }
    grpc_event event =
        grpc_completion_queue_pluck(call->cq, &call->tag_op, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
    if (event.type != GRPC_OP_COMPLETE || !event.success) {
        atomic_store(&call->cancelled, 1);
        return CGRPC_RESULT_FAILED;
    }
    return CGRPC_RESULT_OK;
}

cgrpc_result cgrpc_server_call_recv_message(cgrpc_server_call *call, size_t *length) {
    *length = 0;
    cgrpc_inbox_discard(&call->inbox);
    grpc_byte_buffer *received = NULL;
    grpc_op op;
    memset(&op, 0, sizeof(op));
    op.op = GRPC_OP_RECV_MESSAGE;
    op.data.recv_message.recv_message = &received;
    cgrpc_result result = cgrpc_server_call_run(call, &op, 1);
    if (result != CGRPC_RESULT_OK) {
        if (received != NULL) {
            grpc_byte_buffer_destroy(received);
        }
        return result;
    }
    if (received == NULL) {
        return CGRPC_RESULT_END;
    }
    int64_t size = cgrpc_inbox_fill(&call->inbox, received);
    if (size < 0) {
        /* Undecodable (badly compressed) message: the call is unusable. */
        grpc_call_cancel_with_status(call->call, GRPC_STATUS_INTERNAL, "cannot read request message", NULL);
        atomic_store(&call->cancelled, 1);
        return CGRPC_RESULT_FAILED;
    }
    *length = (size_t)size;
    return CGRPC_RESULT_OK;
}

void cgrpc_server_call_read_message(cgrpc_server_call *call, uint8_t *destination) {
    cgrpc_inbox_drain(&call->inbox, destination);
}

cgrpc_result cgrpc_server_call_send_message(cgrpc_server_call *call, const uint8_t *bytes, size_t length) {
    grpc_byte_buffer *buffer = cgrpc_byte_buffer_copy(bytes, length);
    grpc_op ops[2];
    memset(ops, 0, sizeof(ops));
    size_t count = 0;
    if (!call->initial_metadata_sent) {
        ops[count].op = GRPC_OP_SEND_INITIAL_METADATA;
        count += 1;
    }
    /* No GRPC_WRITE_BUFFER_HINT: a hinted write completes only after a later unhinted one, which
     * the one-send-in-flight rule forbids starting, so a blocking send would never return. */
    ops[count].op = GRPC_OP_SEND_MESSAGE;
    ops[count].data.send_message.send_message = buffer;
    count += 1;
    cgrpc_result result = cgrpc_server_call_run(call, ops, count);
    if (result != CGRPC_RESULT_REJECTED) {
        call->initial_metadata_sent = 1;
    }
    grpc_byte_buffer_destroy(buffer);
    return result;
}

cgrpc_result cgrpc_server_call_send_status(cgrpc_server_call *call, int32_t code, const char *message) {
    if (call->status_sent) {
        call->last_call_error = GRPC_CALL_ERROR_ALREADY_FINISHED;
        return CGRPC_RESULT_REJECTED;
    }
    grpc_slice details = grpc_slice_from_copied_string(message);
    grpc_op ops[2];
    memset(ops, 0, sizeof(ops));
    size_t count = 0;
    if (!call->initial_metadata_sent) {
        ops[count].op = GRPC_OP_SEND_INITIAL_METADATA;
        count += 1;
    }
    ops[count].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[count].data.send_status_from_server.status = (grpc_status_code)code;
    ops[count].data.send_status_from_server.status_details = &details;
    count += 1;
    cgrpc_result result = cgrpc_server_call_run(call, ops, count);
    if (result != CGRPC_RESULT_REJECTED) {
        call->initial_metadata_sent = 1;
        call->status_sent = 1;
    }
    grpc_slice_unref(details);
    return result;
}

/* Records the completion of RECV_CLOSE_ON_SERVER. Caller holds close_lock. */
static void cgrpc_server_call_record_close(cgrpc_server_call *call) {
    if (call->close_cancelled) {
        atomic_store(&call->cancelled, 1);
    }
    atomic_store(&call->close_done, 1);
}

int32_t cgrpc_server_call_is_cancelled(cgrpc_server_call *call) {
    if (atomic_load(&call->cancelled)) {
        return 1;
    }
    if (atomic_load(&call->close_done) || !call->close_armed) {
        return 0;
    }
    /* If another thread is already waiting on the close tag it will record the outcome the moment
     * it arrives, so the flag read below is current either way. */
    if (pthread_mutex_trylock(&call->close_lock) == 0) {
        if (!atomic_load(&call->close_done)) {
            grpc_event event =
                grpc_completion_queue_pluck(call->cq, &call->tag_close, gpr_inf_past(GPR_CLOCK_MONOTONIC), NULL);
            if (event.type == GRPC_OP_COMPLETE) {
                cgrpc_server_call_record_close(call);
            }
        }
        pthread_mutex_unlock(&call->close_lock);
    }
    return atomic_load(&call->cancelled) ? 1 : 0;
}

cgrpc_close_state cgrpc_server_call_wait_cancelled(cgrpc_server_call *call, int64_t timeout_ms) {
    if (!atomic_load(&call->cancelled) && !atomic_load(&call->close_done) && call->close_armed) {
        gpr_timespec deadline = cgrpc_deadline_after(timeout_ms);
        pthread_mutex_lock(&call->close_lock);
        if (!atomic_load(&call->close_done)) {
            grpc_event event = grpc_completion_queue_pluck(call->cq, &call->tag_close, deadline, NULL);
            if (event.type == GRPC_OP_COMPLETE) {
                cgrpc_server_call_record_close(call);
            }
        }
        pthread_mutex_unlock(&call->close_lock);
    }
    if (atomic_load(&call->cancelled)) {
        return CGRPC_CLOSE_CANCELLED;
    }
    return atomic_load(&call->close_done) ? CGRPC_CLOSE_NORMAL : CGRPC_CLOSE_PENDING;
}

void cgrpc_server_call_destroy(cgrpc_server_call *call) {
    if (!call->status_sent) {
        grpc_call_cancel(call->call, NULL);
    }
    if (call->close_armed) {
        pthread_mutex_lock(&call->close_lock);
        if (!atomic_load(&call->close_done)) {
            /* Completes once the stream is closed: immediately after a cancel, or when the client
             * has taken the status (server shutdown cancels stragglers). */
            grpc_completion_queue_pluck(call->cq, &call->tag_close, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
            cgrpc_server_call_record_close(call);
        }
        pthread_mutex_unlock(&call->close_lock);
    }
    cgrpc_inbox_discard(&call->inbox);
    grpc_call_unref(call->call);
    call->call = NULL;
    cgrpc_server_call_free(call);
}
