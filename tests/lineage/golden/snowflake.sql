-- dialect: snowflake

-- unquoted identifiers are case-insensitive (Snowflake stores them upper case): they name lower-case nodes
CREATE TABLE MART.ORDER_IDS AS SELECT ID, AMOUNT FROM RAW.ORDERS;
-- columns mart.order_ids: id, amount
-- expect raw.orders.id -> mart.order_ids.id value
-- expect raw.orders.amount -> mart.order_ids.amount value

-- a quoted mixed-case identifier is another column than the unquoted one: "Id" is not ID
CREATE TABLE mart.quoted AS SELECT "Id" FROM raw.orders;
-- problem unresolved-column 10:36

-- * EXCLUDE and QUALIFY
CREATE TABLE mart.latest_per_customer AS SELECT * EXCLUDE (items, region) FROM raw.orders QUALIFY ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY created_at DESC) = 1;
-- columns mart.latest_per_customer: id, customer_id, amount, status, created_at
-- expect raw.orders.id -> mart.latest_per_customer.id value
-- expect raw.orders.customer_id -> mart.latest_per_customer.customer_id value
-- expect raw.orders.amount -> mart.latest_per_customer.amount value
-- expect raw.orders.status -> mart.latest_per_customer.status value
-- expect raw.orders.created_at -> mart.latest_per_customer.created_at value
-- expect raw.orders.customer_id -> mart.latest_per_customer.* filter
-- expect raw.orders.created_at -> mart.latest_per_customer.* filter

-- LATERAL FLATTEN
CREATE TABLE mart.flat_items AS SELECT o.id, f.value AS item FROM raw.orders AS o, LATERAL FLATTEN(input => o.items) AS f;
-- columns mart.flat_items: id, item
-- expect raw.orders.id -> mart.flat_items.id value
-- expect raw.orders.items -> mart.flat_items.item value

-- IFF and COALESCE are values
CREATE TABLE mart.contact AS SELECT id, IFF(email IS NULL, name, email) AS contact, COALESCE(country, 'unknown') AS country FROM raw.customers;
-- columns mart.contact: id, contact, country
-- expect raw.customers.id -> mart.contact.id value
-- expect raw.customers.email -> mart.contact.contact value
-- expect raw.customers.name -> mart.contact.contact value
-- expect raw.customers.country -> mart.contact.country value

-- MERGE with a WHEN condition (filters every column written) and a DELETE branch
MERGE INTO mart.customer_totals AS t USING raw.payments AS s ON t.customer_id = s.order_id WHEN MATCHED AND s.method = 'refund' THEN DELETE WHEN MATCHED THEN UPDATE SET t.total = t.total + s.amount WHEN NOT MATCHED THEN INSERT (customer_id, total) VALUES (s.order_id, s.amount);
-- columns mart.customer_totals: total, customer_id
-- expect mart.customer_totals.total -> mart.customer_totals.total value
-- expect raw.payments.amount -> mart.customer_totals.total value
-- expect raw.payments.order_id -> mart.customer_totals.customer_id value
-- expect mart.customer_totals.customer_id -> mart.customer_totals.* filter
-- expect raw.payments.order_id -> mart.customer_totals.* filter
-- expect raw.payments.method -> mart.customer_totals.* filter

-- CTE feeding a UNION
CREATE OR REPLACE VIEW mart.contacts AS WITH c AS (SELECT id, email FROM raw.customers WHERE segment = 'b2b') SELECT id, email FROM c UNION SELECT customer_id, status FROM raw.orders;
-- columns mart.contacts: id, email
-- expect raw.customers.id -> mart.contacts.id value
-- expect raw.orders.customer_id -> mart.contacts.id value
-- expect raw.customers.email -> mart.contacts.email value
-- expect raw.orders.status -> mart.contacts.email value
-- expect raw.customers.segment -> mart.contacts.* filter

-- INSERT without a column list into a known table: by the table's column order
INSERT INTO mart.customer_totals SELECT customer_id, amount FROM raw.orders WHERE amount > 0;
-- columns mart.customer_totals: customer_id, total
-- expect raw.orders.customer_id -> mart.customer_totals.customer_id value
-- expect raw.orders.amount -> mart.customer_totals.total value
-- expect raw.orders.amount -> mart.customer_totals.* filter

-- a query that writes nothing has no lineage to store: reported
SELECT id FROM raw.orders;
-- problem no-target 65:1

-- aggregate over a join, GROUP BY on the other table
CREATE TABLE mart.country_revenue AS SELECT c.country, SUM(o.amount) AS revenue FROM raw.orders AS o LEFT JOIN raw.customers AS c ON c.id = o.customer_id GROUP BY c.country;
-- columns mart.country_revenue: country, revenue
-- expect raw.customers.country -> mart.country_revenue.country value
-- expect raw.orders.amount -> mart.country_revenue.revenue value
-- expect raw.customers.id -> mart.country_revenue.* filter
-- expect raw.orders.customer_id -> mart.country_revenue.* filter
-- expect raw.customers.country -> mart.country_revenue.* filter
