-- the CRM at work: a new deal with its first event, a deal closed, an event
-- added, a deal deleted with its history, a customer leaving
\set rep random(0, 49)
\set id random(1, 60000)
\set id2 random(1, 60000)
\set id3 random(1, 60000)
\set cid random(1, 15000)
\set a random(0, 5000000)
\set w random(0, 2)
\set s random(1, 6)
INSERT INTO deals (rep, amount, won, created) VALUES (:rep, :a / 100.0, NULL, now() - :id * interval '1 minute');
INSERT INTO deal_events (deal_id, stage, at) VALUES (currval('deals_id_seq'), 'lead', now() - :id * interval '1 minute');
UPDATE deals SET won = (:w = 1), closed = created + :id2 * interval '1 minute' WHERE id = :id AND won IS NULL;
INSERT INTO deal_events (deal_id, stage, at)
SELECT :id2, (ARRAY['lead','qualified','proposal','negotiation','won','lost'])[:s], now() - :id3 * interval '1 second';
BEGIN;
DELETE FROM deal_events WHERE deal_id = :id3;
DELETE FROM deals WHERE id = :id3;
END;
UPDATE customers SET active_until = greatest(active_from, date '2025-06-01' + :cid % 300) WHERE id = :cid AND active_until IS NULL;
