\set id random(1, 200000)
\set cpu random(1, 16)
UPDATE vm SET cpu_cores = :cpu WHERE id = :id AND state = 'running';
