-- minor_sum(int8): the sum of amounts in minor units as int8, for reports that sum per customer. The built-in
-- sum(int8) accumulates in a 128-bit state kept in memory of its own and finishes as numeric, per group: summing
-- 300,000 open items into 82,000 customers × 9 figures (the aging report by customer at 1,000,000 invoices), that was
-- about a quarter of the statement. Here the state is the int8 itself, passed by value, with int8pl, which raises
-- "bigint out of range" rather than wrap on overflow (a customer's total beyond 92 quadrillion yuan in fen). Like
-- sum(), it is NULL over no rows. docs/decisions.md, "minor_sum".
CREATE AGGREGATE minor_sum(int8) (SFUNC = int8pl, STYPE = int8, COMBINEFUNC = int8pl, PARALLEL = SAFE);
