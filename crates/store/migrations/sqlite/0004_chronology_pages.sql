-- Opening a child's record reads a page of the chronology, not the whole log (issue 6:
-- a record with 5,000 entries): entries by when they happened, the summary's entry
-- types, and the corrections of a page's entries.
CREATE INDEX events_child_effective ON events(child_id, effective_at, seq);
CREATE INDEX events_child_type ON events(child_id, event_type);
CREATE INDEX events_corrects ON events(corrects) WHERE corrects IS NOT NULL;
-- Work trays read the soonest overdue first: in that order from an index, instead of
-- sorting every open item of the partnership for each request.
CREATE INDEX work_items_overdue ON work_items(overdue_from);
CREATE INDEX case_work_overdue ON case_work(overdue_from);
