-- Conversations, their turns and the sources each answer could cite. Portable SQL: the same file
-- migrates H2 (the embedded default) and PostgreSQL. Every key starts with the tenant, so no query
-- can reach another tenant's rows without naming that tenant.

CREATE TABLE conversation (
    tenant          VARCHAR(128)             NOT NULL,
    id              VARCHAR(64)              NOT NULL,
    title           VARCHAR(200)             NOT NULL,
    turn_count      INTEGER                  NOT NULL,
    summary         TEXT,
    summary_through INTEGER                  NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT conversation_pk PRIMARY KEY (tenant, id),
    CONSTRAINT conversation_turn_count_ck CHECK (turn_count >= 0)
);

-- Listing: a tenant's conversations, most recently changed first, paged by (updated_at, id).
CREATE INDEX conversation_recent_ix ON conversation (tenant, updated_at, id);

CREATE TABLE conversation_turn (
    tenant            VARCHAR(128)             NOT NULL,
    conversation_id   VARCHAR(64)              NOT NULL,
    seq               INTEGER                  NOT NULL,
    role              VARCHAR(16)              NOT NULL,
    content           TEXT                     NOT NULL,
    reasoning         TEXT                     NOT NULL,
    model             VARCHAR(256)             NOT NULL,
    backend           VARCHAR(128)             NOT NULL,
    prompt_tokens     INTEGER                  NOT NULL,
    completion_tokens INTEGER                  NOT NULL,
    finish_reason     VARCHAR(32),
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT conversation_turn_pk PRIMARY KEY (tenant, conversation_id, seq),
    CONSTRAINT conversation_turn_conversation_fk FOREIGN KEY (tenant, conversation_id)
        REFERENCES conversation (tenant, id) ON DELETE CASCADE,
    CONSTRAINT conversation_turn_seq_ck CHECK (seq >= 1),
    CONSTRAINT conversation_turn_role_ck CHECK (role IN ('system', 'user', 'assistant'))
);

CREATE TABLE conversation_citation (
    tenant          VARCHAR(128) NOT NULL,
    conversation_id VARCHAR(64)  NOT NULL,
    seq             INTEGER      NOT NULL,
    citation_number INTEGER      NOT NULL,
    title           TEXT         NOT NULL,
    url             TEXT         NOT NULL,
    published       VARCHAR(64)  NOT NULL,
    snippet         TEXT         NOT NULL,
    source          VARCHAR(256) NOT NULL,
    CONSTRAINT conversation_citation_pk PRIMARY KEY (tenant, conversation_id, seq, citation_number),
    CONSTRAINT conversation_citation_turn_fk FOREIGN KEY (tenant, conversation_id, seq)
        REFERENCES conversation_turn (tenant, conversation_id, seq) ON DELETE CASCADE
);
