-- +goose Up
-- Why an order was declined or cancelled, when the bot names it (a decline
-- button's "sold_out" or "far", the clock's "timeout"): a key, told to each
-- reader in their own language. A reason the farmer typed stays in reason
-- (note for an event), as typed: a farmer's "timeout" is theirs, not the
-- clock's.
ALTER TABLE orders ADD COLUMN reason_key text NOT NULL DEFAULT '';
ALTER TABLE order_events ADD COLUMN note_key text NOT NULL DEFAULT '';
-- The clock's cancellations so far: 'timeout' by nobody (no actor).
UPDATE order_events SET note_key = 'timeout', note = '' WHERE note = 'timeout' AND actor_id IS NULL;
UPDATE orders o SET reason_key = 'timeout', reason = ''
WHERE o.reason = 'timeout' AND EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.note_key = 'timeout');

-- +goose Down
-- The keys of buttons go back as their Vietnamese words, as they were stored.
UPDATE orders SET reason = CASE reason_key WHEN 'sold_out' THEN 'Hết hàng' WHEN 'far' THEN 'Không giao được tới đó'
    ELSE reason_key END WHERE reason_key <> '';
UPDATE order_events SET note = CASE note_key WHEN 'sold_out' THEN 'Hết hàng' WHEN 'far' THEN 'Không giao được tới đó'
    ELSE note_key END WHERE note_key <> '';
ALTER TABLE order_events DROP COLUMN note_key;
ALTER TABLE orders DROP COLUMN reason_key;
