-- Issue 16: urgent work and urgent referrals (WT2026 ¶164, ¶168: "immediately"), shown
-- first in trays and lists. A partial index reads an owner's urgent work at once.
ALTER TABLE work ADD COLUMN urgent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE referrals ADD COLUMN urgent BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX work_urgent ON work(owner, overdue_from, process_id, work_key) WHERE urgent;
