-- dialect: bigquery

-- SELECT * EXCEPT (...)
CREATE OR REPLACE TABLE mart.orders_slim AS SELECT * EXCEPT (items, created_at, region) FROM raw.orders;
-- columns mart.orders_slim: id, customer_id, amount, status
-- expect raw.orders.id -> mart.orders_slim.id value
-- expect raw.orders.customer_id -> mart.orders_slim.customer_id value
-- expect raw.orders.amount -> mart.orders_slim.amount value
-- expect raw.orders.status -> mart.orders_slim.status value

-- UNNEST with the alias as the column
CREATE TABLE mart.order_items AS SELECT o.id, item FROM raw.orders AS o, UNNEST(o.items) AS item WHERE o.status = 'paid';
-- columns mart.order_items: id, item
-- expect raw.orders.id -> mart.order_items.id value
-- expect raw.orders.items -> mart.order_items.item value
-- expect raw.orders.status -> mart.order_items.* filter

-- COUNTIF: its condition is the value
CREATE TABLE mart.paid_counts AS SELECT customer_id, COUNTIF(status = 'paid') AS paid_orders FROM raw.orders GROUP BY customer_id;
-- columns mart.paid_counts: customer_id, paid_orders
-- expect raw.orders.customer_id -> mart.paid_counts.customer_id value
-- expect raw.orders.status -> mart.paid_counts.paid_orders value
-- expect raw.orders.customer_id -> mart.paid_counts.* filter

-- QUALIFY with a window
CREATE TABLE mart.top_payment AS SELECT order_id, amount FROM raw.payments WHERE TRUE QUALIFY RANK() OVER (PARTITION BY order_id ORDER BY amount DESC) = 1;
-- columns mart.top_payment: order_id, amount
-- expect raw.payments.order_id -> mart.top_payment.order_id value
-- expect raw.payments.amount -> mart.top_payment.amount value
-- expect raw.payments.order_id -> mart.top_payment.* filter
-- expect raw.payments.amount -> mart.top_payment.* filter

-- EXCEPT DISTINCT
CREATE TABLE mart.silent_customers AS SELECT id FROM raw.customers EXCEPT DISTINCT SELECT user_id FROM raw.events;
-- columns mart.silent_customers: id
-- expect raw.customers.id -> mart.silent_customers.id value
-- expect raw.events.user_id -> mart.silent_customers.* filter

-- MERGE with NOT MATCHED BY SOURCE
MERGE mart.customer_totals AS t USING raw.orders AS s ON t.customer_id = s.customer_id WHEN MATCHED THEN UPDATE SET total = s.amount WHEN NOT MATCHED BY SOURCE THEN DELETE;
-- columns mart.customer_totals: total
-- expect raw.orders.amount -> mart.customer_totals.total value
-- expect mart.customer_totals.customer_id -> mart.customer_totals.* filter
-- expect raw.orders.customer_id -> mart.customer_totals.* filter

-- scalar subquery without correlation
CREATE TABLE mart.share AS SELECT id, amount / (SELECT SUM(amount) FROM raw.orders) AS share FROM raw.orders;
-- columns mart.share: id, share
-- expect raw.orders.id -> mart.share.id value
-- expect raw.orders.amount -> mart.share.share value

-- events per user and day: functions over columns are values, GROUP BY expressions filter
CREATE TABLE mart.daily_events AS SELECT user_id, DATE(ts) AS day, COUNT(DISTINCT event) AS kinds FROM raw.events GROUP BY user_id, DATE(ts);
-- columns mart.daily_events: user_id, day, kinds
-- expect raw.events.user_id -> mart.daily_events.user_id value
-- expect raw.events.ts -> mart.daily_events.day value
-- expect raw.events.event -> mart.daily_events.kinds value
-- expect raw.events.user_id -> mart.daily_events.* filter
-- expect raw.events.ts -> mart.daily_events.* filter

-- a view over a view made above
CREATE VIEW mart.slim_paid AS SELECT s.id, s.amount FROM mart.orders_slim AS s WHERE s.status = 'paid';
-- columns mart.slim_paid: id, amount
-- expect mart.orders_slim.id -> mart.slim_paid.id value
-- expect mart.orders_slim.amount -> mart.slim_paid.amount value
-- expect mart.orders_slim.status -> mart.slim_paid.* filter

-- INSERT with a column list into a table created above, from a CTE with a window
INSERT INTO mart.orders_slim (id, amount) WITH ranked AS (SELECT id, amount, ROW_NUMBER() OVER (ORDER BY created_at) AS rn FROM raw.orders) SELECT id, amount FROM ranked WHERE rn <= 10;
-- columns mart.orders_slim: id, amount
-- expect raw.orders.id -> mart.orders_slim.id value
-- expect raw.orders.amount -> mart.orders_slim.amount value
-- expect raw.orders.created_at -> mart.orders_slim.* filter
