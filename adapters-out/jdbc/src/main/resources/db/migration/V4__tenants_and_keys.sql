-- Tenants and their virtual keys. Every change raises directory_revision in the same transaction and stamps the
-- changed row with it, so each replica can ask "what changed since revision r?" and keep the directory in memory.
-- Keys are never deleted (revoked instead). Only a salted HMAC of each secret is stored. Portable SQL (H2, PostgreSQL).

CREATE TABLE directory_revision (
    id       INTEGER NOT NULL,
    revision BIGINT  NOT NULL,
    CONSTRAINT directory_revision_pk PRIMARY KEY (id)
);
INSERT INTO directory_revision (id, revision) VALUES (1, 1);

CREATE TABLE tenant (
    id           VARCHAR(64)              NOT NULL,
    name         VARCHAR(200)             NOT NULL,
    enabled      BOOLEAN                  NOT NULL,
    cors_origins TEXT                     NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    revision     BIGINT                   NOT NULL,
    CONSTRAINT tenant_pk PRIMARY KEY (id)
);
CREATE INDEX tenant_revision_ix ON tenant (revision);
-- The tenant the master key acts for, and that every conversation and knowledge base so far belongs to.
INSERT INTO tenant (id, name, enabled, cors_origins, created_at, updated_at, revision)
VALUES ('default', 'Default', TRUE, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1);

CREATE TABLE api_key (
    id                      VARCHAR(16)              NOT NULL,
    tenant                  VARCHAR(64)              NOT NULL,
    name                    VARCHAR(200)             NOT NULL,
    role                    VARCHAR(16)              NOT NULL,
    allowed_models          TEXT                     NOT NULL,
    allowed_knowledge_bases TEXT                     NOT NULL,
    requests_per_minute     BIGINT,
    tokens_per_minute       BIGINT,
    daily_tokens            BIGINT,
    monthly_tokens          BIGINT,
    expires_at              TIMESTAMP WITH TIME ZONE,
    status                  VARCHAR(16)              NOT NULL,
    salt                    VARCHAR(64)              NOT NULL,
    hash                    VARCHAR(64)              NOT NULL,
    previous_salt           VARCHAR(64),
    previous_hash           VARCHAR(64),
    previous_valid_until    TIMESTAMP WITH TIME ZONE,
    created_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    revision                BIGINT                   NOT NULL,
    CONSTRAINT api_key_pk PRIMARY KEY (id),
    CONSTRAINT api_key_tenant_fk FOREIGN KEY (tenant) REFERENCES tenant (id),
    CONSTRAINT api_key_role_ck CHECK (role IN ('admin', 'member', 'reader')),
    CONSTRAINT api_key_status_ck CHECK (status IN ('active', 'revoked'))
);
CREATE INDEX api_key_revision_ix ON api_key (revision);
CREATE INDEX api_key_tenant_ix ON api_key (tenant);
