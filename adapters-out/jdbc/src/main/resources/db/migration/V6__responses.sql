-- Responses of the Responses API kept for previous_response_id and GET /v1/responses/{id}. Portable SQL for H2 and
-- PostgreSQL; the key starts with the tenant. A chain is followed through previous_id (no foreign key: deleting a
-- response leaves those that continued it, whose chain then starts after the gap). Messages, usage details,
-- citations, notices and the door's attributes are JSON documents.

CREATE TABLE model_response (
    tenant            VARCHAR(128)             NOT NULL,
    id                VARCHAR(64)              NOT NULL,
    previous_id       VARCHAR(64),
    model             VARCHAR(256)             NOT NULL,
    status            VARCHAR(16)              NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    input_messages    TEXT                     NOT NULL,
    output_message    TEXT,
    finish_reason     VARCHAR(64),
    prompt_tokens     INTEGER                  NOT NULL,
    completion_tokens INTEGER                  NOT NULL,
    cached_tokens     INTEGER                  NOT NULL,
    reasoning_tokens  INTEGER                  NOT NULL,
    usage_details     TEXT,
    citations         TEXT,
    notices           TEXT,
    failure_code      VARCHAR(64),
    failure_message   TEXT,
    attributes        TEXT                     NOT NULL,
    CONSTRAINT model_response_pk PRIMARY KEY (tenant, id),
    CONSTRAINT model_response_status_ck CHECK (status IN ('completed', 'incomplete', 'failed', 'cancelled'))
);

-- Retention: responses older than the configured age are deleted in batches, oldest first.
CREATE INDEX model_response_created_ix ON model_response (created_at);
