\set id random(1, 200000)
UPDATE vm SET state = CASE state WHEN 'running' THEN 'stopped' ELSE 'running' END WHERE id = :id AND state IN ('running', 'stopped') AND node_id IS NOT NULL;
