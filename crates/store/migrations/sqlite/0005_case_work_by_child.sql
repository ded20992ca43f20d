-- Issue 6: the access decision asks what work a practitioner holds about one child
-- (a part in a plan, an invitation to a meeting). It read the practitioner's whole
-- tray to find out, which at county scale was most of the time a write took.
CREATE INDEX case_work_child ON case_work(child_id, assignee, overdue_from);
