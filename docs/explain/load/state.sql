\set id random(1, 200000)
UPDATE vm SET state = CASE state WHEN 'running' THEN 'paused' ELSE 'running' END WHERE id = :id AND state IN ('running', 'paused');
