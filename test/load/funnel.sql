-- the stage funnel: a stage_path per deal, then stage_funnel across deals
\set mode random(1, 3)
SELECT (stage_conversion(f)).*
FROM (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'],
                          (ARRAY['implied','entered','ordered'])[:mode]) AS f
      FROM (SELECT deal_id, stage_path(stage, at, ARRAY['lead','qualified','proposal','negotiation','won']) AS p
            FROM deal_events GROUP BY deal_id) per_deal) x;
