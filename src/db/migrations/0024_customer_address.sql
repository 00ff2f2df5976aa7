-- The customer's postal address, printed on statements of account, balance confirmations and reminder letters.
ALTER TABLE "customers" ADD COLUMN "address" text;
