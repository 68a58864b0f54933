-- dialect: spark

-- LATERAL VIEW explode
CREATE TABLE mart.exploded AS SELECT o.id, item FROM raw.orders AS o LATERAL VIEW EXPLODE(o.items) t AS item;
-- columns mart.exploded: id, item
-- expect raw.orders.id -> mart.exploded.id value
-- expect raw.orders.items -> mart.exploded.item value

-- Databricks MERGE with UPDATE SET * / INSERT *: column by column, by name
MERGE INTO mart.customer_totals AS t USING (SELECT customer_id, amount AS total FROM raw.orders) AS s ON t.customer_id = s.customer_id WHEN MATCHED AND s.total > 0 THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *;
-- columns mart.customer_totals: customer_id, total
-- expect raw.orders.customer_id -> mart.customer_totals.customer_id value
-- expect raw.orders.amount -> mart.customer_totals.total value
-- expect mart.customer_totals.customer_id -> mart.customer_totals.* filter
-- expect raw.orders.customer_id -> mart.customer_totals.* filter
-- expect raw.orders.amount -> mart.customer_totals.* filter

-- INSERT OVERWRITE with a column list order
INSERT OVERWRITE TABLE mart.customer_totals (total, customer_id) SELECT amount, order_id FROM raw.payments;
-- columns mart.customer_totals: total, customer_id
-- expect raw.payments.amount -> mart.customer_totals.total value
-- expect raw.payments.order_id -> mart.customer_totals.customer_id value

-- LEFT ANTI JOIN: the right side only removes rows
CREATE TABLE mart.orders_without_payment AS SELECT o.id, o.amount FROM raw.orders AS o LEFT ANTI JOIN raw.payments AS p ON p.order_id = o.id;
-- columns mart.orders_without_payment: id, amount
-- expect raw.orders.id -> mart.orders_without_payment.id value
-- expect raw.orders.amount -> mart.orders_without_payment.amount value
-- expect raw.payments.order_id -> mart.orders_without_payment.* filter
-- expect raw.orders.id -> mart.orders_without_payment.* filter

-- CASE inside an aggregate, HAVING on another aggregate
CREATE TABLE mart.segment_spend AS SELECT c.segment, SUM(CASE WHEN o.status = 'paid' THEN o.amount ELSE 0 END) AS paid FROM raw.orders AS o JOIN raw.customers AS c ON c.id = o.customer_id GROUP BY c.segment HAVING COUNT(o.id) > 10;
-- columns mart.segment_spend: segment, paid
-- expect raw.customers.segment -> mart.segment_spend.segment value
-- expect raw.orders.status -> mart.segment_spend.paid value
-- expect raw.orders.amount -> mart.segment_spend.paid value
-- expect raw.customers.id -> mart.segment_spend.* filter
-- expect raw.orders.customer_id -> mart.segment_spend.* filter
-- expect raw.customers.segment -> mart.segment_spend.* filter
-- expect raw.orders.id -> mart.segment_spend.* filter

-- CTE read twice (self join)
CREATE TABLE mart.repeat_customers AS WITH firsts AS (SELECT customer_id, MIN(created_at) AS first_at FROM raw.orders GROUP BY customer_id) SELECT a.customer_id, b.first_at FROM firsts AS a JOIN firsts AS b ON a.customer_id = b.customer_id;
-- columns mart.repeat_customers: customer_id, first_at
-- expect raw.orders.customer_id -> mart.repeat_customers.customer_id value
-- expect raw.orders.created_at -> mart.repeat_customers.first_at value
-- expect raw.orders.customer_id -> mart.repeat_customers.* filter

-- PIVOT in Spark syntax, with an alias on the aggregate
CREATE TABLE mart.region_quarters AS SELECT * FROM raw.sales PIVOT (SUM(revenue) AS rev FOR quarter IN ('q1' AS q1, 'q2' AS q2));
-- columns mart.region_quarters: region, q1, q2
-- expect raw.sales.region -> mart.region_quarters.region value
-- expect raw.sales.revenue -> mart.region_quarters.q1 value
-- expect raw.sales.revenue -> mart.region_quarters.q2 value
-- expect raw.sales.quarter -> mart.region_quarters.q1 filter
-- expect raw.sales.quarter -> mart.region_quarters.q2 filter
-- expect raw.sales.region -> mart.region_quarters.q1 filter
-- expect raw.sales.region -> mart.region_quarters.q2 filter

-- ORDER BY with LIMIT decides which rows appear
CREATE TABLE mart.top10 AS SELECT id, amount FROM raw.orders ORDER BY amount DESC, created_at LIMIT 10;
-- columns mart.top10: id, amount
-- expect raw.orders.id -> mart.top10.id value
-- expect raw.orders.amount -> mart.top10.amount value
-- expect raw.orders.amount -> mart.top10.* filter
-- expect raw.orders.created_at -> mart.top10.* filter

-- LEFT SEMI JOIN: the right side only decides which rows stay
CREATE TABLE mart.customers_with_orders AS SELECT c.id, c.name FROM raw.customers AS c LEFT SEMI JOIN raw.orders AS o ON o.customer_id = c.id;
-- columns mart.customers_with_orders: id, name
-- expect raw.customers.id -> mart.customers_with_orders.id value
-- expect raw.customers.name -> mart.customers_with_orders.name value
-- expect raw.orders.customer_id -> mart.customers_with_orders.* filter
-- expect raw.customers.id -> mart.customers_with_orders.* filter
