-- The catalog of knowledge bases: their documents and ingestion jobs (the chunks and vectors themselves live
-- in the knowledge index). Portable SQL for H2 and PostgreSQL; every key starts with the tenant.

CREATE TABLE knowledge_base (
    tenant      VARCHAR(128)             NOT NULL,
    name        VARCHAR(64)              NOT NULL,
    description TEXT                     NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT knowledge_base_pk PRIMARY KEY (tenant, name)
);

CREATE TABLE knowledge_document (
    tenant         VARCHAR(128)             NOT NULL,
    knowledge_base VARCHAR(64)              NOT NULL,
    document_id    VARCHAR(64)              NOT NULL,
    title          TEXT                     NOT NULL,
    source         TEXT                     NOT NULL,
    content_type   VARCHAR(255)             NOT NULL,
    chunks         INTEGER                  NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT knowledge_document_pk PRIMARY KEY (tenant, knowledge_base, document_id),
    CONSTRAINT knowledge_document_base_fk FOREIGN KEY (tenant, knowledge_base)
        REFERENCES knowledge_base (tenant, name) ON DELETE CASCADE,
    CONSTRAINT knowledge_document_chunks_ck CHECK (chunks >= 0)
);

CREATE TABLE ingestion_job (
    tenant           VARCHAR(128)             NOT NULL,
    id               VARCHAR(64)              NOT NULL,
    knowledge_base   VARCHAR(64)              NOT NULL,
    status           VARCHAR(32)              NOT NULL,
    documents_total  INTEGER                  NOT NULL,
    documents_done   INTEGER                  NOT NULL,
    documents_failed INTEGER                  NOT NULL,
    chunks_total     INTEGER                  NOT NULL,
    chunks_done      INTEGER                  NOT NULL,
    errors           TEXT                     NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT ingestion_job_pk PRIMARY KEY (tenant, id),
    CONSTRAINT ingestion_job_base_fk FOREIGN KEY (tenant, knowledge_base)
        REFERENCES knowledge_base (tenant, name) ON DELETE CASCADE
);
