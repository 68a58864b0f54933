-- dialect: postgres

-- LATERAL subquery: its WHERE (correlated) and ORDER BY under LIMIT decide which rows appear
CREATE TABLE mart.latest_payment AS SELECT o.id, lp.amount FROM raw.orders AS o CROSS JOIN LATERAL (SELECT p.amount FROM raw.payments AS p WHERE p.order_id = o.id ORDER BY p.paid_at DESC LIMIT 1) AS lp;
-- columns mart.latest_payment: id, amount
-- expect raw.orders.id -> mart.latest_payment.id value
-- expect raw.payments.amount -> mart.latest_payment.amount value
-- expect raw.payments.order_id -> mart.latest_payment.* filter
-- expect raw.orders.id -> mart.latest_payment.* filter
-- expect raw.payments.paid_at -> mart.latest_payment.* filter

-- UPDATE ... FROM: SET values; the WHERE filters every column set
UPDATE raw.orders SET amount = p.amount, status = 'paid' FROM raw.payments AS p WHERE p.order_id = orders.id AND p.method = 'card';
-- columns raw.orders: amount, status
-- expect raw.payments.amount -> raw.orders.amount value
-- expect raw.payments.order_id -> raw.orders.* filter
-- expect raw.orders.id -> raw.orders.* filter
-- expect raw.payments.method -> raw.orders.* filter

-- INSERT ... ON CONFLICT DO UPDATE: EXCLUDED.x is what the INSERT put in x; the old value feeds the new
INSERT INTO mart.customer_totals (customer_id, total) SELECT p.order_id, p.amount FROM raw.payments AS p ON CONFLICT (customer_id) DO UPDATE SET total = customer_totals.total + EXCLUDED.total;
-- columns mart.customer_totals: customer_id, total
-- expect raw.payments.order_id -> mart.customer_totals.customer_id value
-- expect raw.payments.amount -> mart.customer_totals.total value
-- expect mart.customer_totals.total -> mart.customer_totals.total value

-- DISTINCT ON keeps one row per key, chosen by ORDER BY: both decide rows
CREATE TABLE mart.first_orders AS SELECT DISTINCT ON (customer_id) customer_id, id, created_at FROM raw.orders ORDER BY customer_id, created_at;
-- columns mart.first_orders: customer_id, id, created_at
-- expect raw.orders.customer_id -> mart.first_orders.customer_id value
-- expect raw.orders.id -> mart.first_orders.id value
-- expect raw.orders.created_at -> mart.first_orders.created_at value
-- expect raw.orders.customer_id -> mart.first_orders.* filter
-- expect raw.orders.created_at -> mart.first_orders.* filter

-- JOIN USING: both sides' key decides rows
CREATE VIEW mart.order_payments AS SELECT o.id, o.status, p.method FROM raw.orders AS o JOIN raw.payments AS p USING (id);
-- columns mart.order_payments: id, status, method
-- expect raw.orders.id -> mart.order_payments.id value
-- expect raw.orders.status -> mart.order_payments.status value
-- expect raw.payments.method -> mart.order_payments.method value
-- expect raw.orders.id -> mart.order_payments.* filter
-- expect raw.payments.id -> mart.order_payments.* filter

-- INTERSECT: the right side (and its WHERE) only decide which rows stay
CREATE TABLE mart.paying_customers AS SELECT id FROM raw.customers INTERSECT SELECT customer_id FROM raw.orders WHERE status = 'paid';
-- columns mart.paying_customers: id
-- expect raw.customers.id -> mart.paying_customers.id value
-- expect raw.orders.customer_id -> mart.paying_customers.* filter
-- expect raw.orders.status -> mart.paying_customers.* filter

-- quoted identifiers keep their case in PostgreSQL; unquoted ones fold to lower case
CREATE TABLE mart."CustomerNames" AS SELECT c."name" AS "FullName", UPPER(c.email) AS Email FROM raw.customers AS c;
-- columns mart.CustomerNames: FullName, email
-- expect raw.customers.name -> mart.CustomerNames.FullName value
-- expect raw.customers.email -> mart.CustomerNames.email value

-- MERGE from an aggregating subquery: SET and INSERT values; ON and the subquery's GROUP BY filter
MERGE INTO mart.customer_totals AS t USING (SELECT customer_id, SUM(amount) AS total FROM raw.orders GROUP BY customer_id) AS s ON t.customer_id = s.customer_id WHEN MATCHED THEN UPDATE SET total = s.total WHEN NOT MATCHED THEN INSERT (customer_id, total) VALUES (s.customer_id, s.total);
-- columns mart.customer_totals: total, customer_id
-- expect raw.orders.amount -> mart.customer_totals.total value
-- expect raw.orders.customer_id -> mart.customer_totals.customer_id value
-- expect mart.customer_totals.customer_id -> mart.customer_totals.* filter
-- expect raw.orders.customer_id -> mart.customer_totals.* filter

-- a derived table's WHERE and GROUP BY filter the outer aggregate
CREATE TABLE mart.avg_customer_spend AS SELECT AVG(t.total) AS avg_total FROM (SELECT customer_id, SUM(amount) AS total FROM raw.orders WHERE status <> 'void' GROUP BY customer_id) AS t;
-- columns mart.avg_customer_spend: avg_total
-- expect raw.orders.amount -> mart.avg_customer_spend.avg_total value
-- expect raw.orders.status -> mart.avg_customer_spend.* filter
-- expect raw.orders.customer_id -> mart.avg_customer_spend.* filter

-- IN (subquery): every column the subquery reads decides rows
CREATE TABLE mart.eu_orders AS SELECT id, amount FROM raw.orders WHERE customer_id IN (SELECT id FROM raw.customers WHERE country IN ('DE', 'FR'));
-- columns mart.eu_orders: id, amount
-- expect raw.orders.id -> mart.eu_orders.id value
-- expect raw.orders.amount -> mart.eu_orders.amount value
-- expect raw.orders.customer_id -> mart.eu_orders.* filter
-- expect raw.customers.id -> mart.eu_orders.* filter
-- expect raw.customers.country -> mart.eu_orders.* filter

-- moving window: ORDER BY of the window filters only its own column
CREATE TABLE mart.rolling AS SELECT id, SUM(amount) OVER (ORDER BY created_at ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS week_amount FROM raw.orders;
-- columns mart.rolling: id, week_amount
-- expect raw.orders.id -> mart.rolling.id value
-- expect raw.orders.amount -> mart.rolling.week_amount value
-- expect raw.orders.created_at -> mart.rolling.week_amount filter

-- a column no table has: reported with its position
CREATE TABLE mart.typo AS SELECT o.amout FROM raw.orders AS o;
-- problem unresolved-column 90:34

-- recursive CTE: the self-reference stands for every row so far, so a column made of another column
-- of the level before (prev) depends on what that column was made of at any level (payments.id too)
CREATE TABLE mart.order_links AS WITH RECURSIVE link AS (SELECT o.id AS cur, o.id AS prev FROM raw.orders AS o WHERE o.customer_id IS NULL UNION ALL SELECT p.id, l.cur FROM raw.payments AS p JOIN link AS l ON p.order_id = l.cur) SELECT cur, prev FROM link;
-- columns mart.order_links: cur, prev
-- expect raw.orders.id -> mart.order_links.cur value
-- expect raw.orders.id -> mart.order_links.prev value
-- expect raw.payments.id -> mart.order_links.cur value
-- expect raw.payments.id -> mart.order_links.prev value
-- expect raw.orders.customer_id -> mart.order_links.* filter
-- expect raw.payments.order_id -> mart.order_links.* filter
-- expect raw.orders.id -> mart.order_links.* filter
-- expect raw.payments.id -> mart.order_links.* filter
