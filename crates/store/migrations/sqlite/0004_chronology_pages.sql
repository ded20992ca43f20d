-- Opening a child's record reads a page of the chronology, not the whole log (issue 6:
-- a record with 5,000 entries): entries by when they happened, the summary's entry
-- types, and the corrections of a page's entries.
CREATE INDEX events_child_effective ON events(child_id, effective_at, seq);
CREATE INDEX events_child_type ON events(child_id, event_type);
CREATE INDEX events_corrects ON events(corrects) WHERE corrects IS NOT NULL;
