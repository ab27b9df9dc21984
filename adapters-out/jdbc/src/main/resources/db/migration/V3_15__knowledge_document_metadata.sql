-- A document's metadata (title, source, tags, custom keys, dates), as set at ingestion, for listing documents. The
-- knowledge index keeps a copy with every chunk, where searches filter on it. Encoded by MetadataCodec (length-prefixed
-- parts, no escaping). The version 3.15 leaves room for other branches' version 3 migrations.
ALTER TABLE knowledge_document ADD COLUMN metadata TEXT NOT NULL DEFAULT '';
