\set id random(1, 200000)
UPDATE vm SET metadata = jsonb_set(metadata, '{rev}', to_jsonb(:id)) WHERE id = :id;
