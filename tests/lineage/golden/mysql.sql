-- dialect: mysql

-- backticks
CREATE TABLE `mart`.`emails` AS SELECT `id`, LOWER(`email`) AS `email` FROM `raw`.`customers`;
-- columns mart.emails: id, email
-- expect raw.customers.id -> mart.emails.id value
-- expect raw.customers.email -> mart.emails.email value

-- UPDATE with JOIN: the join and WHERE filter what is set
UPDATE raw.orders AS o JOIN raw.customers AS c ON o.customer_id = c.id SET o.region = c.country WHERE c.segment = 'eu';
-- columns raw.orders: region
-- expect raw.customers.country -> raw.orders.region value
-- expect raw.orders.customer_id -> raw.orders.* filter
-- expect raw.customers.id -> raw.orders.* filter
-- expect raw.customers.segment -> raw.orders.* filter

-- INSERT ... SELECT ... ON DUPLICATE KEY UPDATE with VALUES(col)
INSERT INTO mart.customer_totals (customer_id, total) SELECT customer_id, amount FROM raw.orders ON DUPLICATE KEY UPDATE total = total + VALUES(total);
-- columns mart.customer_totals: customer_id, total
-- expect raw.orders.customer_id -> mart.customer_totals.customer_id value
-- expect raw.orders.amount -> mart.customer_totals.total value
-- expect mart.customer_totals.total -> mart.customer_totals.total value

-- IF() is a value
CREATE TABLE mart.flags AS SELECT id, IF(amount > 100, 1, 0) AS big FROM raw.orders;
-- columns mart.flags: id, big
-- expect raw.orders.id -> mart.flags.id value
-- expect raw.orders.amount -> mart.flags.big value

-- NOT EXISTS with correlation
CREATE TABLE mart.never_paid AS SELECT c.id, c.name FROM raw.customers AS c WHERE NOT EXISTS (SELECT 1 FROM raw.orders AS o WHERE o.customer_id = c.id AND o.status = 'paid');
-- columns mart.never_paid: id, name
-- expect raw.customers.id -> mart.never_paid.id value
-- expect raw.customers.name -> mart.never_paid.name value
-- expect raw.orders.customer_id -> mart.never_paid.* filter
-- expect raw.customers.id -> mart.never_paid.* filter
-- expect raw.orders.status -> mart.never_paid.* filter

-- UNION DISTINCT over a derived table
CREATE TABLE mart.all_ids AS SELECT t.x AS id FROM (SELECT id AS x FROM raw.orders UNION SELECT id FROM raw.payments) AS t;
-- columns mart.all_ids: id
-- expect raw.orders.id -> mart.all_ids.id value
-- expect raw.payments.id -> mart.all_ids.id value

-- unqualified columns over two tables without a schema cannot be placed: reported
CREATE TABLE mart.guess AS SELECT ref, note FROM ext.a JOIN ext.b ON a.k = b.k;
-- problem unresolved-column 46:35

-- INSERT ... VALUES moves no column: nothing to record, nothing to report
INSERT INTO mart.flags (id, big) VALUES (1, 0);

-- payments per method, ORDER BY without LIMIT decides nothing
CREATE TABLE mart.methods AS SELECT method, SUM(amount) AS total FROM raw.payments GROUP BY method ORDER BY total DESC;
-- columns mart.methods: method, total
-- expect raw.payments.method -> mart.methods.method value
-- expect raw.payments.amount -> mart.methods.total value
-- expect raw.payments.method -> mart.methods.* filter

-- a derived table with LIMIT: its ORDER BY decides which rows the outer query sees
CREATE TABLE mart.recent_big AS SELECT r.id, r.amount FROM (SELECT id, amount, created_at FROM raw.orders ORDER BY created_at DESC LIMIT 50) AS r WHERE r.amount > 10;
-- columns mart.recent_big: id, amount
-- expect raw.orders.id -> mart.recent_big.id value
-- expect raw.orders.amount -> mart.recent_big.amount value
-- expect raw.orders.created_at -> mart.recent_big.* filter
-- expect raw.orders.amount -> mart.recent_big.* filter

-- string functions and CONCAT are values; a LEFT JOIN's ON still decides which values pair up
CREATE TABLE mart.order_labels AS SELECT o.id, CONCAT(c.name, ' / ', o.status) AS label FROM raw.orders AS o LEFT JOIN raw.customers AS c ON c.id = o.customer_id;
-- columns mart.order_labels: id, label
-- expect raw.orders.id -> mart.order_labels.id value
-- expect raw.customers.name -> mart.order_labels.label value
-- expect raw.orders.status -> mart.order_labels.label value
-- expect raw.customers.id -> mart.order_labels.* filter
-- expect raw.orders.customer_id -> mart.order_labels.* filter
