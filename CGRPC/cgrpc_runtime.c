/*
 * Library lifetime, logging, buffers and the helpers shared by the server and client halves.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include <grpc/grpc.h>
#include <grpc/status.h>
#include <pthread.h>
#include <grpc/support/log.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal/cgrpc_internal.h"

/* The public header mirrors these values so that Swift never needs a gRPC header. */
_Static_assert(CGRPC_STATUS_OK == GRPC_STATUS_OK, "status mirror");
_Static_assert(CGRPC_STATUS_CANCELLED == GRPC_STATUS_CANCELLED, "status mirror");
_Static_assert(CGRPC_STATUS_UNKNOWN == GRPC_STATUS_UNKNOWN, "status mirror");
_Static_assert(CGRPC_STATUS_INVALID_ARGUMENT == GRPC_STATUS_INVALID_ARGUMENT, "status mirror");
_Static_assert(CGRPC_STATUS_DEADLINE_EXCEEDED == GRPC_STATUS_DEADLINE_EXCEEDED, "status mirror");
_Static_assert(CGRPC_STATUS_NOT_FOUND == GRPC_STATUS_NOT_FOUND, "status mirror");
_Static_assert(CGRPC_STATUS_ALREADY_EXISTS == GRPC_STATUS_ALREADY_EXISTS, "status mirror");
_Static_assert(CGRPC_STATUS_PERMISSION_DENIED == GRPC_STATUS_PERMISSION_DENIED, "status mirror");
_Static_assert(CGRPC_STATUS_RESOURCE_EXHAUSTED == GRPC_STATUS_RESOURCE_EXHAUSTED, "status mirror");
_Static_assert(CGRPC_STATUS_FAILED_PRECONDITION == GRPC_STATUS_FAILED_PRECONDITION, "status mirror");
_Static_assert(CGRPC_STATUS_ABORTED == GRPC_STATUS_ABORTED, "status mirror");
_Static_assert(CGRPC_STATUS_OUT_OF_RANGE == GRPC_STATUS_OUT_OF_RANGE, "status mirror");
_Static_assert(CGRPC_STATUS_UNIMPLEMENTED == GRPC_STATUS_UNIMPLEMENTED, "status mirror");
_Static_assert(CGRPC_STATUS_INTERNAL == GRPC_STATUS_INTERNAL, "status mirror");
_Static_assert(CGRPC_STATUS_UNAVAILABLE == GRPC_STATUS_UNAVAILABLE, "status mirror");
_Static_assert(CGRPC_STATUS_DATA_LOSS == GRPC_STATUS_DATA_LOSS, "status mirror");
_Static_assert(CGRPC_STATUS_UNAUTHENTICATED == GRPC_STATUS_UNAUTHENTICATED, "status mirror");

_Static_assert(CGRPC_CALL_OK == GRPC_CALL_OK, "call error mirror");
_Static_assert(CGRPC_CALL_ERROR == GRPC_CALL_ERROR, "call error mirror");
_Static_assert(CGRPC_CALL_ERROR_NOT_ON_SERVER == GRPC_CALL_ERROR_NOT_ON_SERVER, "call error mirror");
_Static_assert(CGRPC_CALL_ERROR_NOT_ON_CLIENT == GRPC_CALL_ERROR_NOT_ON_CLIENT, "call error mirror");
_Static_assert(CGRPC_CALL_ERROR_ALREADY_ACCEPTED == GRPC_CALL_ERROR_ALREADY_ACCEPTED, "call error mirror");
_Static_assert(CGRPC_CALL_ERROR_ALREADY_INVOKED == GRPC_CALL_ERROR_ALREADY_INVOKED, "call error mirror");
_Static_assert(CGRPC_CALL_ERROR_NOT_INVOKED == GRPC_CALL_ERROR_NOT_INVOKED, "call error mirror");
_Static_assert(CGRPC_CALL_ERROR_ALREADY_FINISHED == GRPC_CALL_ERROR_ALREADY_FINISHED, "call error mirror");
_Static_assert(CGRPC_CALL_ERROR_TOO_MANY_OPERATIONS == GRPC_CALL_ERROR_TOO_MANY_OPERATIONS, "call error mirror");
_Static_assert(CGRPC_CALL_ERROR_INVALID_FLAGS == GRPC_CALL_ERROR_INVALID_FLAGS, "call error mirror");
_Static_assert(CGRPC_CALL_ERROR_INVALID_METADATA == GRPC_CALL_ERROR_INVALID_METADATA, "call error mirror");
_Static_assert(CGRPC_CALL_ERROR_INVALID_MESSAGE == GRPC_CALL_ERROR_INVALID_MESSAGE, "call error mirror");
_Static_assert(CGRPC_CALL_ERROR_NOT_SERVER_COMPLETION_QUEUE == GRPC_CALL_ERROR_NOT_SERVER_COMPLETION_QUEUE,
               "call error mirror");
_Static_assert(CGRPC_CALL_ERROR_BATCH_TOO_BIG == GRPC_CALL_ERROR_BATCH_TOO_BIG, "call error mirror");
_Static_assert(CGRPC_CALL_ERROR_PAYLOAD_TYPE_MISMATCH == GRPC_CALL_ERROR_PAYLOAD_TYPE_MISMATCH, "call error mirror");
_Static_assert(CGRPC_CALL_ERROR_COMPLETION_QUEUE_SHUTDOWN == GRPC_CALL_ERROR_COMPLETION_QUEUE_SHUTDOWN,
               "call error mirror");

_Static_assert(CGRPC_LOG_DEBUG == (int)GPR_LOG_SEVERITY_DEBUG, "log severity mirror");
_Static_assert(CGRPC_LOG_INFO == (int)GPR_LOG_SEVERITY_INFO, "log severity mirror");
_Static_assert(CGRPC_LOG_ERROR == (int)GPR_LOG_SEVERITY_ERROR, "log severity mirror");

/* MARK: - Lifetime */

void cgrpc_init(void) { grpc_init(); }

void cgrpc_shutdown(void) { grpc_shutdown(); }

const char *cgrpc_version_string(void) { return grpc_version_string(); }

void cgrpc_buffer_free(void *buffer) { free(buffer); }

void cgrpc_thread_set_name(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof(truncated) - 1);
    truncated[sizeof(truncated) - 1] = '\0';
    /* ERANGE is impossible after truncation; failure only costs a nameless thread. */
    (void)pthread_setname_np(pthread_self(), truncated);
}

/* MARK: - Logging */

static _Atomic(cgrpc_log_handler) log_handler = NULL;

static void cgrpc_log_trampoline(gpr_log_func_args *args) {
    cgrpc_log_handler handler = atomic_load_explicit(&log_handler, memory_order_acquire);
    if (handler == NULL || args == NULL) {
        return;
    }
    handler((int32_t)args->severity, args->file ? args->file : "", (int32_t)args->line,
            args->message ? args->message : "");
}

void cgrpc_log_set_handler(cgrpc_log_handler handler, int32_t min_severity) {
    if (min_severity < CGRPC_LOG_DEBUG) {
        min_severity = CGRPC_LOG_DEBUG;
    } else if (min_severity > CGRPC_LOG_ERROR) {
        min_severity = CGRPC_LOG_ERROR;
    }
    atomic_store_explicit(&log_handler, handler, memory_order_release);
    /* gpr filters by verbosity before calling the log function, so both settings move together. */
    gpr_set_log_verbosity((gpr_log_severity)min_severity);
    gpr_set_log_function(cgrpc_log_trampoline);
}

/* MARK: - Shared helpers */

gpr_timespec cgrpc_deadline_after(int64_t timeout_ms) {
    if (timeout_ms < 0) {
        return gpr_inf_future(GPR_CLOCK_MONOTONIC);
    }
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(timeout_ms, GPR_TIMESPAN));
}

void cgrpc_cq_drain_and_destroy(grpc_completion_queue *cq) {
    grpc_completion_queue_shutdown(cq);
    for (;;) {
        /* All batches were plucked already, so this only waits for the shutdown marker. */
        grpc_event event = grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        if (event.type == GRPC_QUEUE_SHUTDOWN) {
            break;
        }
    }
    grpc_completion_queue_destroy(cq);
}

int64_t cgrpc_inbox_fill(cgrpc_inbox *inbox, grpc_byte_buffer *buffer) {
    inbox->buffer = buffer;
    /* reader_init fails only for a compressed buffer that cannot be decompressed. */
    if (!grpc_byte_buffer_reader_init(&inbox->reader, buffer)) {
        grpc_byte_buffer_destroy(buffer);
        inbox->buffer = NULL;
        inbox->has_reader = 0;
        return -1;
    }
    inbox->has_reader = 1;
    return (int64_t)grpc_byte_buffer_length(inbox->reader.buffer_out);
}

void cgrpc_inbox_drain(cgrpc_inbox *inbox, uint8_t *destination) {
    if (inbox->buffer == NULL) {
        return;
    }
    grpc_slice *slice = NULL;
    size_t offset = 0;
    /* peek hands out borrowed slices, so there is no ref/unref per slice. */
    while (grpc_byte_buffer_reader_peek(&inbox->reader, &slice)) {
        size_t length = GRPC_SLICE_LENGTH(*slice);
        if (length > 0 && destination != NULL) {
            memcpy(destination + offset, GRPC_SLICE_START_PTR(*slice), length);
        }
        offset += length;
    }
    cgrpc_inbox_discard(inbox);
}

void cgrpc_inbox_discard(cgrpc_inbox *inbox) {
    if (inbox->has_reader) {
        grpc_byte_buffer_reader_destroy(&inbox->reader);
        inbox->has_reader = 0;
    }
    if (inbox->buffer != NULL) {
        grpc_byte_buffer_destroy(inbox->buffer);
        inbox->buffer = NULL;
    }
}

grpc_byte_buffer *cgrpc_byte_buffer_copy(const uint8_t *bytes, size_t length) {
    grpc_slice slice = (length == 0 || bytes == NULL) ? grpc_empty_slice()
                                                      : grpc_slice_from_copied_buffer((const char *)bytes, length);
    /* The byte buffer takes its own reference on the slice. */
    grpc_byte_buffer *buffer = grpc_raw_byte_buffer_create(&slice, 1);
    grpc_slice_unref(slice);
    return buffer;
}
