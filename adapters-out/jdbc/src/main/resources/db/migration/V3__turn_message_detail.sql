-- Turns keep whole messages: tool calls, tool results and their call ids, content parts, participant names
-- and pass-through fields, as one JSON document beside the text columns (NULL for plain text turns).
-- Finish reasons are stored as the backend wrote them, so they may be longer than the known names.
ALTER TABLE conversation_turn ADD COLUMN message_detail TEXT;
ALTER TABLE conversation_turn DROP CONSTRAINT conversation_turn_role_ck;
ALTER TABLE conversation_turn ADD CONSTRAINT conversation_turn_role_ck CHECK (role IN ('system', 'user', 'assistant', 'tool', 'function'));
ALTER TABLE conversation_turn ALTER COLUMN finish_reason SET DATA TYPE VARCHAR(64);
