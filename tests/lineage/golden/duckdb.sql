-- dialect: duckdb
-- Expectations below are derived from SQL semantics. "T.*" means every column the statement writes.

-- projection and arithmetic
CREATE TABLE mart.order_values AS SELECT o.id, o.amount * 1.2 AS gross FROM raw.orders AS o;
-- columns mart.order_values: id, gross
-- expect raw.orders.id -> mart.order_values.id value
-- expect raw.orders.amount -> mart.order_values.gross value

-- WHERE decides rows: a filter edge to every output column
CREATE TABLE mart.big_orders AS SELECT id, amount FROM raw.orders WHERE status = 'paid' AND amount > 100;
-- columns mart.big_orders: id, amount
-- expect raw.orders.id -> mart.big_orders.id value
-- expect raw.orders.amount -> mart.big_orders.amount value
-- expect raw.orders.status -> mart.big_orders.* filter
-- expect raw.orders.amount -> mart.big_orders.* filter

-- CASE: branches and their conditions are values
CREATE TABLE mart.order_bands AS SELECT id, CASE WHEN amount > 100 THEN 'big' WHEN status = 'gift' THEN 'gift' ELSE region END AS band FROM raw.orders;
-- columns mart.order_bands: id, band
-- expect raw.orders.id -> mart.order_bands.id value
-- expect raw.orders.amount -> mart.order_bands.band value
-- expect raw.orders.status -> mart.order_bands.band value
-- expect raw.orders.region -> mart.order_bands.band value

-- GROUP BY and HAVING decide groups; COUNT(*) reads no column
CREATE TABLE mart.customer_stats AS SELECT customer_id, SUM(amount) AS total, COUNT(*) AS n FROM raw.orders GROUP BY customer_id HAVING MAX(created_at) > DATE '2026-01-01';
-- columns mart.customer_stats: customer_id, total, n
-- expect raw.orders.customer_id -> mart.customer_stats.customer_id value
-- expect raw.orders.amount -> mart.customer_stats.total value
-- expect raw.orders.customer_id -> mart.customer_stats.* filter
-- expect raw.orders.created_at -> mart.customer_stats.* filter

-- JOIN ON
CREATE TABLE mart.orders_named AS SELECT o.id, c.name FROM raw.orders AS o JOIN raw.customers AS c ON o.customer_id = c.id;
-- columns mart.orders_named: id, name
-- expect raw.orders.id -> mart.orders_named.id value
-- expect raw.customers.name -> mart.orders_named.name value
-- expect raw.orders.customer_id -> mart.orders_named.* filter
-- expect raw.customers.id -> mart.orders_named.* filter

-- chained CTEs, * EXCLUDE; the CTEs' WHEREs filter the statement that reads them
CREATE TABLE mart.paid AS WITH p AS (SELECT * EXCLUDE (method) FROM raw.payments WHERE method <> 'test'), q AS (SELECT order_id, amount FROM p WHERE paid_at IS NOT NULL) SELECT order_id, SUM(amount) AS paid FROM q GROUP BY order_id;
-- columns mart.paid: order_id, paid
-- expect raw.payments.order_id -> mart.paid.order_id value
-- expect raw.payments.amount -> mart.paid.paid value
-- expect raw.payments.method -> mart.paid.* filter
-- expect raw.payments.paid_at -> mart.paid.* filter
-- expect raw.payments.order_id -> mart.paid.* filter

-- window functions: arguments are values, PARTITION BY / ORDER BY filter their own column; QUALIFY filters all
CREATE TABLE mart.ranked AS SELECT id, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY created_at) AS rn, SUM(amount) OVER (PARTITION BY region) AS region_total FROM raw.orders QUALIFY rn <= 3;
-- columns mart.ranked: id, rn, region_total
-- expect raw.orders.id -> mart.ranked.id value
-- expect raw.orders.amount -> mart.ranked.region_total value
-- expect raw.orders.region -> mart.ranked.region_total filter
-- expect raw.orders.customer_id -> mart.ranked.* filter
-- expect raw.orders.created_at -> mart.ranked.* filter

-- UNION ALL: both branches are values, by position; a branch's WHERE filters
CREATE TABLE mart.all_amounts AS SELECT id, amount FROM raw.orders UNION ALL SELECT id, amount FROM raw.payments WHERE method = 'card';
-- columns mart.all_amounts: id, amount
-- expect raw.orders.id -> mart.all_amounts.id value
-- expect raw.payments.id -> mart.all_amounts.id value
-- expect raw.orders.amount -> mart.all_amounts.amount value
-- expect raw.payments.amount -> mart.all_amounts.amount value
-- expect raw.payments.method -> mart.all_amounts.* filter

-- EXCEPT: the right side only removes rows
CREATE TABLE mart.unpaid AS SELECT id FROM raw.orders EXCEPT SELECT order_id FROM raw.payments;
-- columns mart.unpaid: id
-- expect raw.orders.id -> mart.unpaid.id value
-- expect raw.payments.order_id -> mart.unpaid.* filter

-- UNNEST
CREATE TABLE mart.order_item_ids AS SELECT o.id, u.item FROM raw.orders AS o, UNNEST(o.items) AS u(item);
-- columns mart.order_item_ids: id, item
-- expect raw.orders.id -> mart.order_item_ids.id value
-- expect raw.orders.items -> mart.order_item_ids.item value

-- PIVOT: pivoted columns are the aggregate's values; FOR and the implicit group columns choose the rows
CREATE TABLE mart.sales_by_quarter AS SELECT * FROM raw.sales PIVOT (SUM(revenue) FOR quarter IN ('q1', 'q2'));
-- columns mart.sales_by_quarter: region, q1, q2
-- expect raw.sales.region -> mart.sales_by_quarter.region value
-- expect raw.sales.revenue -> mart.sales_by_quarter.q1 value
-- expect raw.sales.revenue -> mart.sales_by_quarter.q2 value
-- expect raw.sales.quarter -> mart.sales_by_quarter.q1 filter
-- expect raw.sales.quarter -> mart.sales_by_quarter.q2 filter
-- expect raw.sales.region -> mart.sales_by_quarter.q1 filter
-- expect raw.sales.region -> mart.sales_by_quarter.q2 filter

-- INSERT with a column list in another order than the table's
INSERT INTO mart.order_values (gross, id) SELECT amount, id FROM raw.payments;
-- columns mart.order_values: gross, id
-- expect raw.payments.amount -> mart.order_values.gross value
-- expect raw.payments.id -> mart.order_values.id value

-- recursive CTE: the self-reference stands for the rows so far; the recursive JOIN filters
CREATE TABLE mart.order_chain AS WITH RECURSIVE chain AS (SELECT id, customer_id, 1 AS depth FROM raw.orders UNION ALL SELECT c.id, o.customer_id, c.depth + 1 FROM chain AS c JOIN raw.orders AS o ON o.id = c.customer_id WHERE c.depth < 5) SELECT id, customer_id, depth FROM chain;
-- columns mart.order_chain: id, customer_id, depth
-- expect raw.orders.id -> mart.order_chain.id value
-- expect raw.orders.customer_id -> mart.order_chain.customer_id value
-- expect raw.orders.id -> mart.order_chain.* filter
-- expect raw.orders.customer_id -> mart.order_chain.* filter

-- correlated scalar subquery (its WHERE filters its own column) and EXISTS (filters every column)
CREATE TABLE mart.customer_last AS SELECT c.id, (SELECT MAX(o.created_at) FROM raw.orders AS o WHERE o.customer_id = c.id) AS last_order FROM raw.customers AS c WHERE EXISTS (SELECT 1 FROM raw.payments AS p WHERE p.order_id = c.id AND p.amount > 0);
-- columns mart.customer_last: id, last_order
-- expect raw.customers.id -> mart.customer_last.id value
-- expect raw.orders.created_at -> mart.customer_last.last_order value
-- expect raw.orders.customer_id -> mart.customer_last.last_order filter
-- expect raw.customers.id -> mart.customer_last.* filter
-- expect raw.payments.order_id -> mart.customer_last.* filter
-- expect raw.payments.amount -> mart.customer_last.* filter

-- COUNT(*) only: the table depends on the dataset, no column in particular
CREATE TABLE mart.order_count AS SELECT COUNT(*) AS n FROM raw.orders;
-- columns mart.order_count: n
-- expect raw.orders -> mart.order_count value

-- * over a table nobody described: reported, not skipped
CREATE TABLE mart.mystery AS SELECT * FROM raw.unknown_table;
-- problem star-unresolved 122:44

-- a typo: reported with its position; the statements after it still load
CREATE TABLE mart.broken AS SELEC id FROM raw.orders;
-- problem parse-error 126:1

-- CREATE VIEW over the table made above (its columns are known from the CREATE TABLE AS)
CREATE VIEW mart.order_values_v AS SELECT * FROM mart.order_values WHERE gross > 0;
-- columns mart.order_values_v: id, gross
-- expect mart.order_values.id -> mart.order_values_v.id value
-- expect mart.order_values.gross -> mart.order_values_v.gross value
-- expect mart.order_values.gross -> mart.order_values_v.* filter
