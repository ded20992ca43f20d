-- Issue 6: a tray is read in (overdue from, referral or case id, work key) order, a
-- page at a time. Indexes on when work falls overdue alone left the rest of that
-- order to a sort of every item falling overdue at the same moment: after a day's
-- intake of 36,000 referrals, all overdue from the same midnight, a supervisor's first
-- page sorted them all on every visit. These indexes hold the whole order.
DROP INDEX work_items_queue_due;
DROP INDEX work_items_overdue;
CREATE INDEX work_items_queue_due ON work_items(queue, overdue_from, referral_id, work_key);
CREATE INDEX work_items_overdue ON work_items(overdue_from, referral_id, work_key);
DROP INDEX case_work_assignee;
DROP INDEX case_work_supervisors;
DROP INDEX case_work_overdue;
CREATE INDEX case_work_assignee ON case_work(assignee, overdue_from, case_id, work_key);
CREATE INDEX case_work_supervisors ON case_work(overdue_from, case_id, work_key) WHERE assignee IS NULL;
CREATE INDEX case_work_overdue ON case_work(overdue_from, case_id, work_key);
