-- One customer's movements after a date: the early-warning evaluation of a customer after each posting (its payment
-- behaviour over the last 90 and 270 days, its items open at the date) and a customer's statement at a past date.
-- Without it each read scanned the whole company's movements of the period and kept one customer's: 15-20 s per
-- evaluation at 1,000,000 invoices, for every customer posted to. Two entries per allocation (one per side).
CREATE INDEX "item_moves_customer" ON "item_moves" USING btree ("tenant_id", "customer_id", "move_date");
