-- The example pipeline (DuckDB dialect): raw.orders + raw.customers + raw.fx_rates
-- -> clean.orders_enriched -> features.customer_spend. Statements are separated by ';'.

CREATE SCHEMA IF NOT EXISTS clean;
CREATE SCHEMA IF NOT EXISTS features;

-- Orders that count as revenue, with the customer's segment and the amount in euros.
CREATE OR REPLACE TABLE clean.orders_enriched AS
SELECT
    o.order_id,
    o.customer_id,
    o.order_ts,
    CAST(o.order_ts AS DATE) AS order_date,
    ROUND(o.amount * fx.rate_to_eur, 2) AS amount_eur,
    o.currency,
    o.country,
    c.segment
FROM raw.orders AS o
JOIN raw.customers AS c
    ON c.customer_id = o.customer_id
JOIN raw.fx_rates AS fx
    ON fx.rate_date = CAST(o.order_ts AS DATE)
   AND fx.currency = o.currency
WHERE o.status IN ('paid', 'shipped');

-- Spend per customer over the 30 days up to the feature date, ranked within the segment.
CREATE OR REPLACE TABLE features.customer_spend AS
WITH recent AS (
    SELECT customer_id, segment, order_id, amount_eur
    FROM clean.orders_enriched
    WHERE order_date > DATE '2026-09-30' - INTERVAL 30 DAY
      AND order_date <= DATE '2026-09-30'
)
SELECT
    customer_id,
    DATE '2026-09-30' AS as_of_date,
    MAX(segment) AS segment,
    ROUND(SUM(amount_eur), 2) AS total_spend_eur_30d,
    COUNT(order_id) AS order_count_30d,
    ROUND(AVG(amount_eur), 2) AS avg_order_eur,
    RANK() OVER (PARTITION BY MAX(segment) ORDER BY SUM(amount_eur) DESC) AS spend_rank_in_segment
FROM recent
GROUP BY customer_id;
